package dev.ablation.samediff.data;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * An in-context bigram language: every string has its own transition table, drawn afresh from
 * a symmetric Dirichlet prior, so nothing about the next token can be memorised across
 * strings — a model has to read the bigram statistics <em>of the string in front of it</em>.
 * That takes composition across layers: one attention step to bring each position's previous
 * token into its residual stream, and a second, keyed on it, to gather the tokens that
 * followed earlier occurrences of the current token (an induction-style circuit; Edelman et
 * al. 2024, "The evolution of statistical induction heads"). A one-block model can reach only
 * the in-context unigram loss.
 *
 * <p>Process, per string: rows {@code P_i ~ Dirichlet(α, …, α)} for every token i (V of them);
 * {@code x_0} uniform; {@code x_{t+1} ~ P_{x_t}}.
 *
 * <p>Bayes-optimal predictor, exact (Dirichlet–multinomial conjugacy): with {@code n_ij} the
 * number of transitions i→j in the prefix and {@code n_i = Σ_j n_ij},
 * <pre>  P(x_{t+1} = j | x_0..x_t) = (n_{x_t j} + α) / (n_{x_t} + V·α).</pre>
 * Its loss on a set of strings ({@link #bayesLoss(List)}) is the floor against which a
 * trained model's validation loss is read; {@link #lossFloor(int)} is its expectation, exact by
 * enumeration where {@code V^length} is small and otherwise estimated (Rao–Blackwellised:
 * the predictive entropy at each prefix, averaged over {@value #FLOOR_SAMPLES} strings of a
 * fixed seed, standard error below 1e-3 nats for the study's settings).
 */
public final class InContextBigram implements Corpus {
  /** Strings the expected floor is averaged over when it cannot be enumerated. */
  public static final int FLOOR_SAMPLES = 20_000;
  private static final long FLOOR_SEED = 0x1C_B16_2A3L;
  private static final long ENUMERATION_LIMIT = 1L << 18;

  private final int vocab;
  private final double alpha;

  /**
   * @param vocab V, ≥ 2
   * @param alpha the Dirichlet concentration α &gt; 0 (small α: sparse, predictable rows)
   */
  public InContextBigram(int vocab, double alpha) {
    if (vocab < 2) {
      throw new IllegalArgumentException("vocab must be >= 2, got " + vocab);
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
    }
    this.vocab = vocab;
    this.alpha = alpha;
  }

  @Override
  public int vocab() {
    return vocab;
  }

  /** The Dirichlet concentration α. */
  public double alpha() {
    return alpha;
  }

  @Override
  public Example sample(int length, SplittableRandom random) {
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
    double[][] cumulative = new double[vocab][vocab];
    for (int i = 0; i < vocab; i++) {
      double sum = 0;
      for (int j = 0; j < vocab; j++) {
        cumulative[i][j] = gamma(alpha, random);
        sum += cumulative[i][j];
      }
      double c = 0;
      for (int j = 0; j < vocab; j++) {
        c += cumulative[i][j] / sum;
        cumulative[i][j] = c;
      }
      cumulative[i][vocab - 1] = 1.0;
    }
    int[] t = new int[length];
    t[0] = random.nextInt(vocab);
    for (int p = 1; p < length; p++) {
      double u = random.nextDouble();
      double[] c = cumulative[t[p - 1]];
      int v = 0;
      while (v < vocab - 1 && u >= c[v]) {
        v++;
      }
      t[p] = v;
    }
    return Example.of(t);
  }

  /**
   * The posterior predictive {@code P(x_{t+1} = j | tokens[0..t])} for every j: the Bayes
   * optimal next-token distribution after the prefix {@code tokens[0..t]}.
   *
   * @param t the last position of the prefix, in {@code [0, tokens.length)}
   */
  public double[] predictive(int[] tokens, int t) {
    if (t < 0 || t >= tokens.length) {
      throw new IllegalArgumentException("t must be in [0, " + tokens.length + "), got " + t);
    }
    int prev = tokens[t];
    double[] n = new double[vocab];
    double total = 0;
    for (int p = 1; p <= t; p++) {
      if (tokens[p - 1] == prev) {
        n[tokens[p]]++;
        total++;
      }
    }
    double[] out = new double[vocab];
    for (int j = 0; j < vocab; j++) {
      out[j] = (n[j] + alpha) / (total + vocab * alpha);
    }
    return out;
  }

  /**
   * The Bayes-optimal predictor's mean loss, nats per predicted token (positions 1..L−1 of
   * each string, as a causal LM is scored), on exactly these strings.
   */
  public double bayesLoss(List<Example> examples) {
    return meanOver(examples, false);
  }

  /**
   * The in-context <em>unigram</em> predictor's mean loss on these strings:
   * {@code P(x_{t+1} = j) = (c_j + α) / (t + 1 + V·α)} with {@code c_j} the count of j in
   * {@code x_0..x_t}. The best a model that ignores order can do; a model below it reads
   * bigrams.
   */
  public double unigramLoss(List<Example> examples) {
    double total = 0;
    long tokens = 0;
    for (Example e : examples) {
      int[] x = e.tokens();
      double[] c = new double[vocab];
      for (int t = 0; t + 1 < x.length; t++) {
        c[x[t]]++;
        total -= Math.log((c[x[t + 1]] + alpha) / (t + 1 + vocab * alpha));
        tokens++;
      }
    }
    return total / tokens;
  }

  /**
   * The expected Bayes loss of strings of {@code length} tokens: exact (every string weighted
   * by its marginal probability) when {@code V^length} ≤ 2^18, otherwise the mean predictive
   * entropy over {@value #FLOOR_SAMPLES} strings of a fixed seed.
   */
  @Override
  public OptionalDouble lossFloor(int length) {
    if (length < 2) {
      throw new IllegalArgumentException("a causal LM needs length >= 2, got " + length);
    }
    if (Math.pow(vocab, length) <= ENUMERATION_LIMIT) {
      return OptionalDouble.of(enumeratedFloor(length));
    }
    return OptionalDouble.of(meanOver(sample(FLOOR_SAMPLES, length, FLOOR_SEED), true));
  }

  /** Σ over all strings of P(x)·(−ln P(x)) / (L − 1), P(x) the product of the predictives. */
  double enumeratedFloor(int length) {
    int[] x = new int[length];
    long count = Math.round(Math.pow(vocab, length));
    double h = 0;
    for (long code = 0; code < count; code++) {
      long c = code;
      for (int p = length - 1; p >= 0; p--) {
        x[p] = (int) (c % vocab);
        c /= vocab;
      }
      double logP = -Math.log(vocab);
      for (int t = 0; t + 1 < length; t++) {
        logP += Math.log(predictive(x, t)[x[t + 1]]);
      }
      h -= Math.exp(logP) * (logP + Math.log(vocab));
    }
    return h / (length - 1);
  }

  private double meanOver(List<Example> examples, boolean entropy) {
    double total = 0;
    long tokens = 0;
    for (Example e : examples) {
      int[] x = e.tokens();
      for (int t = 0; t + 1 < x.length; t++) {
        double[] q = predictive(x, t);
        if (entropy) {
          for (double v : q) {
            total -= v * Math.log(v);
          }
        } else {
          total -= Math.log(q[x[t + 1]]);
        }
        tokens++;
      }
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("no predicted tokens: strings need length >= 2");
    }
    return total / tokens;
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang, boosted by U^(1/shape) for shape &lt; 1. */
  static double gamma(double shape, SplittableRandom r) {
    if (shape < 1) {
      return gamma(shape + 1, r) * Math.pow(1 - r.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double z;
      double v;
      do {
        z = normal(r);
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      double u = 1 - r.nextDouble();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  private static double normal(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "InContextBigram(vocab=%d, alpha=%s)", vocab, alpha);
  }
}
