package dev.ablation.samediff.surgery;

import dev.ablation.api.ParameterPath;
import dev.ablation.api.WeightSnapshot;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** Bit-level comparisons of snapshots for the tests. */
final class Bits {
  private Bits() {}

  /** The parameters whose values differ in at least one bit. */
  static Set<ParameterPath> changed(WeightSnapshot a, WeightSnapshot b) {
    Set<ParameterPath> out = new TreeSet<>();
    for (ParameterPath p : a.parameters()) {
      if (!same(a.values(p), b.values(p))) {
        out.add(p);
      }
    }
    return out;
  }

  static boolean same(double[] x, double[] y) {
    if (x.length != y.length) {
      return false;
    }
    for (int i = 0; i < x.length; i++) {
      if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
        return false;
      }
    }
    return true;
  }

  static boolean same(float[] x, float[] y) {
    return Arrays.equals(x, y);
  }
}
