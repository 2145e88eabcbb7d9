package dev.ablation.samediff.data;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Dyck-like nesting with long-range structure: {@code m} bracket types, tokens
 * {@code 0..m−1} open and {@code m..2m−1} close (close of type i is {@code m + i}). A string
 * starts at depth 0; at depth 0 it opens a uniformly chosen type; at {@code maxDepth} it
 * closes; in between it opens (type uniform) with probability {@code p} and otherwise closes
 * the innermost open bracket, whose type may lie arbitrarily far back. Strings are prefixes of
 * this process, so they may end with brackets open.
 *
 * <p>The loss floor is exact: the next-token entropy depends only on the depth d
 * ({@code ln m} at 0, 0 at the maximum, {@code H(p) + p·ln m} in between), and the depth
 * distribution at each position is propagated forward from 0. Predicting a close needs the
 * matching open's type: a model must track the stack to reach the floor.
 */
public final class DyckLanguage implements Corpus {
  private final int types;
  private final int maxDepth;
  private final double openProbability;

  /**
   * @param types bracket types m, ≥ 1
   * @param maxDepth the deepest nesting, ≥ 1
   * @param openProbability p, in (0, 1)
   */
  public DyckLanguage(int types, int maxDepth, double openProbability) {
    if (types < 1) {
      throw new IllegalArgumentException("bracket types must be >= 1, got " + types);
    }
    if (maxDepth < 1) {
      throw new IllegalArgumentException("max depth must be >= 1, got " + maxDepth);
    }
    if (!(openProbability > 0 && openProbability < 1)) {
      throw new IllegalArgumentException("open probability must be in (0, 1), got "
          + openProbability);
    }
    this.types = types;
    this.maxDepth = maxDepth;
    this.openProbability = openProbability;
  }

  @Override
  public int vocab() {
    return 2 * types;
  }

  @Override
  public Example sample(int length, SplittableRandom random) {
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
    int[] t = new int[length];
    int[] stack = new int[maxDepth];
    int depth = 0;
    for (int i = 0; i < length; i++) {
      boolean open = depth == 0
          || (depth < maxDepth && random.nextDouble() < openProbability);
      if (open) {
        int type = random.nextInt(types);
        stack[depth++] = type;
        t[i] = type;
      } else {
        t[i] = types + stack[--depth];
      }
    }
    return Example.of(t);
  }

  @Override
  public OptionalDouble lossFloor(int length) {
    if (length < 2) {
      throw new IllegalArgumentException("a causal LM needs length >= 2, got " + length);
    }
    double[] h = new double[maxDepth + 1];
    double p = openProbability;
    h[0] = Math.log(types);
    for (int d = 1; d < maxDepth; d++) {
      h[d] = -p * Math.log(p) - (1 - p) * Math.log(1 - p) + p * Math.log(types);
    }
    h[maxDepth] = 0;
    double[] depth = new double[maxDepth + 1];
    depth[0] = 1;
    depth = step(depth); // after the first (unpredicted) token
    double total = 0;
    for (int t = 1; t < length; t++) {
      for (int d = 0; d <= maxDepth; d++) {
        total += depth[d] * h[d];
      }
      depth = step(depth);
    }
    return OptionalDouble.of(total / (length - 1));
  }

  private double[] step(double[] depth) {
    double[] q = new double[maxDepth + 1];
    for (int d = 0; d <= maxDepth; d++) {
      if (d == 0) {
        q[1] += depth[0];
      } else if (d == maxDepth) {
        q[d - 1] += depth[d];
      } else {
        q[d + 1] += depth[d] * openProbability;
        q[d - 1] += depth[d] * (1 - openProbability);
      }
    }
    return q;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Dyck(types=%d, maxDepth=%d, p=%s)", types, maxDepth,
        openProbability);
  }
}
