package dev.ablation.samediff.data;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * An order-k Markov chain over {@code vocab} tokens with a random transition table drawn from
 * a seed: each of the {@code vocab^k} contexts gets a softmax of Gaussian logits times
 * {@code sharpness} (0 = uniform, larger = more predictable).
 *
 * <p>A string's first k tokens are independent and uniform; every later token follows the
 * table. The loss floor is exact: position t (1 ≤ t &lt; k) costs {@code ln vocab}; position
 * t ≥ k costs the conditional entropy {@code Σ_s p_t(s) H(next | s)}, with the context
 * distribution {@code p_t} propagated forward from uniform. {@link #entropyRate()} is the
 * stationary limit.
 */
public final class MarkovChain implements Corpus {
  private final int vocab;
  private final int order;
  private final double sharpness;
  private final long seed;
  private final double[][] next; // [context][token]
  private final double[][] cumulative;

  /**
   * A chain from {@code seed}.
   *
   * @param vocab tokens, ≥ 2
   * @param order k, ≥ 1, with {@code vocab^k} ≤ 2^20 contexts
   * @param sharpness ≥ 0
   * @param seed the transition table's seed
   */
  public MarkovChain(int vocab, int order, double sharpness, long seed) {
    if (vocab < 2) {
      throw new IllegalArgumentException("vocab must be >= 2, got " + vocab);
    }
    if (order < 1) {
      throw new IllegalArgumentException("order must be >= 1, got " + order);
    }
    if (Math.pow(vocab, order) > (1 << 20)) {
      throw new IllegalArgumentException("vocab^order = " + vocab + "^" + order
          + " contexts is too many (at most 2^20)");
    }
    if (!(sharpness >= 0) || Double.isInfinite(sharpness)) {
      throw new IllegalArgumentException("sharpness must be finite and >= 0, got " + sharpness);
    }
    this.vocab = vocab;
    this.order = order;
    this.sharpness = sharpness;
    this.seed = seed;
    int contexts = (int) Math.round(Math.pow(vocab, order));
    SplittableRandom r = new SplittableRandom(seed);
    next = new double[contexts][vocab];
    cumulative = new double[contexts][vocab];
    for (int s = 0; s < contexts; s++) {
      double sum = 0;
      for (int v = 0; v < vocab; v++) {
        next[s][v] = Math.exp(sharpness * gaussian(r));
        sum += next[s][v];
      }
      double c = 0;
      for (int v = 0; v < vocab; v++) {
        next[s][v] /= sum;
        c += next[s][v];
        cumulative[s][v] = c;
      }
      cumulative[s][vocab - 1] = 1.0;
    }
  }

  @Override
  public int vocab() {
    return vocab;
  }

  /** The order k. */
  public int order() {
    return order;
  }

  /** P(next = {@code token} | the last k tokens of {@code context}). */
  public double probability(int[] context, int token) {
    return next[encode(context, context.length)][token];
  }

  @Override
  public Example sample(int length, SplittableRandom random) {
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
    int[] t = new int[length];
    for (int i = 0; i < length; i++) {
      if (i < order) {
        t[i] = random.nextInt(vocab);
      } else {
        double u = random.nextDouble();
        double[] c = cumulative[encode(t, i)];
        int v = 0;
        while (v < vocab - 1 && u >= c[v]) {
          v++;
        }
        t[i] = v;
      }
    }
    return Example.of(t);
  }

  @Override
  public OptionalDouble lossFloor(int length) {
    if (length < 2) {
      throw new IllegalArgumentException("a causal LM needs length >= 2, got " + length);
    }
    double total = 0;
    int contexts = next.length;
    double[] p = new double[contexts];
    java.util.Arrays.fill(p, 1.0 / contexts);
    double[] h = entropies();
    for (int t = 1; t < length; t++) {
      if (t < order) {
        total += Math.log(vocab);
      } else {
        double e = 0;
        for (int s = 0; s < contexts; s++) {
          e += p[s] * h[s];
        }
        total += e;
        p = step(p);
      }
    }
    return OptionalDouble.of(total / (length - 1));
  }

  /** The stationary entropy rate, nats per token: the floor for very long strings. */
  public double entropyRate() {
    int contexts = next.length;
    double[] p = new double[contexts];
    java.util.Arrays.fill(p, 1.0 / contexts);
    double[] h = entropies();
    double rate = 0;
    for (int it = 0; it < 100_000; it++) {
      double[] q = step(p);
      double diff = 0;
      for (int s = 0; s < contexts; s++) {
        diff += Math.abs(q[s] - p[s]);
      }
      p = q;
      if (diff < 1e-13) {
        break;
      }
    }
    for (int s = 0; s < contexts; s++) {
      rate += p[s] * h[s];
    }
    return rate;
  }

  private double[] entropies() {
    double[] h = new double[next.length];
    for (int s = 0; s < next.length; s++) {
      for (double q : next[s]) {
        if (q > 0) {
          h[s] -= q * Math.log(q);
        }
      }
    }
    return h;
  }

  /** The context distribution one token later. */
  private double[] step(double[] p) {
    int contexts = next.length;
    double[] q = new double[contexts];
    for (int s = 0; s < contexts; s++) {
      if (p[s] == 0) {
        continue;
      }
      int shifted = (s * vocab) % contexts; // drop the oldest token
      for (int v = 0; v < vocab; v++) {
        q[shifted + v] += p[s] * next[s][v];
      }
    }
    return q;
  }

  private int encode(int[] t, int end) {
    int s = 0;
    for (int i = end - order; i < end; i++) {
      s = s * vocab + t[i];
    }
    return s;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "MarkovChain(vocab=%d, order=%d, sharpness=%s, seed=%d)",
        vocab, order, sharpness, seed);
  }
}
