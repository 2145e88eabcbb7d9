package dev.ablation.study.report;

import dev.ablation.api.Architecture;
import dev.ablation.study.plan.RunKey;

/**
 * One trained shape, (arch, N, D): the report's outermost grouping. Ordered by architecture
 * key, then N, then D, as the report's sections list them.
 */
record Shape(Architecture arch, int n, int d) implements Comparable<Shape> {
  static Shape of(RunKey k) {
    return new Shape(k.arch(), k.nLayers(), k.dModel());
  }

  /** The shape one block shallower, for the (N − 1)-layer baseline. */
  Shape shallower() {
    return new Shape(arch, n - 1, d);
  }

  @Override
  public int compareTo(Shape o) {
    int c = arch.key().compareTo(o.arch.key());
    c = c != 0 ? c : Integer.compare(n, o.n);
    return c != 0 ? c : Integer.compare(d, o.d);
  }

  /** A file-name part: {@code decoder_N4_D32}. */
  String slug() {
    return arch.key() + "_N" + n + "_D" + d;
  }

  @Override
  public String toString() {
    return arch.key() + " N=" + n + " D=" + d;
  }
}
