package dev.ablation.samediff.data;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Multi-hop associative recall ("pointer chasing"): every string defines its own random
 * permutation π of {@code symbols} symbols, then asks for k-fold compositions of it. A model
 * must chain k look-ups inside the string, and each look-up is an attention step that reads
 * what the previous one wrote, so the work needs depth that grows with k (Sanford, Hsu &amp;
 * Telgarsky 2024, "Transformers, parallel computation, and logarithmic depth"): one step to
 * pair every value with its key, then k hops (or ⌈log₂ k⌉ with pointer doubling).
 *
 * <p>A string: the definitions {@code a_1 π(a_1) a_2 π(a_2) … a_V π(a_V)}, the keys in a
 * random order (2V tokens), then queries {@code q π^k(q) q' π^k(q') …}, q uniform, until the
 * string is {@code length} tokens long (2V + 2 at least).
 *
 * <p>The Bayes-optimal predictor and its loss are exact and the same for every string: the
 * i-th key (i = 0..V−1) and the i-th value are uniform over the {@code V − i} keys and values
 * not yet used (cost {@code ln(V − i)}; the first key is never predicted); a query key costs
 * {@code ln V}; a query's answer is determined by the definitions (cost 0). {@link #lossFloor}
 * averages these over the predicted positions 1..length−1.
 */
public final class HopRecall implements Corpus {
  private final int symbols;
  private final int hops;

  /**
   * @param symbols V, ≥ 2
   * @param hops k, ≥ 1: the answer to q is π applied k times
   */
  public HopRecall(int symbols, int hops) {
    if (symbols < 2) {
      throw new IllegalArgumentException("symbols must be >= 2, got " + symbols);
    }
    if (hops < 1) {
      throw new IllegalArgumentException("hops must be >= 1, got " + hops);
    }
    this.symbols = symbols;
    this.hops = hops;
  }

  @Override
  public int vocab() {
    return symbols;
  }

  /** k: how many times π is applied to a query. */
  public int hops() {
    return hops;
  }

  /** The shortest string: the definitions and one query with its answer. */
  public int minimumLength() {
    return 2 * symbols + 2;
  }

  @Override
  public Example sample(int length, SplittableRandom random) {
    requireLength(length);
    int[] keys = permutation(random);
    int[] pi = permutation(random);
    int[] t = new int[length];
    for (int i = 0; i < symbols; i++) {
      t[2 * i] = keys[i];
      t[2 * i + 1] = pi[keys[i]];
    }
    for (int p = 2 * symbols; p < length; p += 2) {
      int q = random.nextInt(symbols);
      t[p] = q;
      if (p + 1 < length) {
        int a = q;
        for (int h = 0; h < hops; h++) {
          a = pi[a];
        }
        t[p + 1] = a;
      }
    }
    return Example.of(t);
  }

  /** The answer π^k(q) the definitions at the start of {@code tokens} give. */
  public int answer(int[] tokens, int query) {
    int[] pi = new int[symbols];
    for (int i = 0; i < symbols; i++) {
      pi[tokens[2 * i]] = tokens[2 * i + 1];
    }
    int a = query;
    for (int h = 0; h < hops; h++) {
      a = pi[a];
    }
    return a;
  }

  /** Exact: the mean over predicted positions 1..length−1 of the costs in the class comment. */
  @Override
  public OptionalDouble lossFloor(int length) {
    requireLength(length);
    double total = 0;
    for (int p = 1; p < length; p++) {
      total += positionLoss(p);
    }
    return OptionalDouble.of(total / (length - 1));
  }

  /** The Bayes-optimal loss at position {@code p} (≥ 1), nats. */
  double positionLoss(int p) {
    if (p < 2 * symbols) {
      int i = p / 2; // the i-th key (even p) or the i-th value (odd p)
      return Math.log(symbols - i);
    }
    return (p - 2 * symbols) % 2 == 0 ? Math.log(symbols) : 0;
  }

  private void requireLength(int length) {
    if (length < minimumLength()) {
      throw new IllegalArgumentException("a string of " + symbols + " symbols needs length >= "
          + minimumLength() + " (definitions and one query), got " + length);
    }
  }

  private int[] permutation(SplittableRandom r) {
    int[] p = new int[symbols];
    for (int i = 0; i < symbols; i++) {
      p[i] = i;
    }
    for (int i = symbols - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "HopRecall(symbols=%d, hops=%d)", symbols, hops);
  }
}
