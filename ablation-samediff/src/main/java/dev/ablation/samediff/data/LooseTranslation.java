package dev.ablation.samediff.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * A "loose translation": a sequence-to-sequence task whose target is only partly a function of
 * the source, the rest following a first-order Markov chain of the target language itself.
 *
 * <p>Why: in {@link Seq2SeqTask.Kind#TRANSLATE} the target is determined by the source, so a
 * trained decoder never needs to predict from its own prefix — with every cross-attention
 * deleted it does worse than uniform guessing. Here part of every target cannot be read from
 * the source but can be predicted from the target's own prefix, so a decoder must keep a
 * target-side prior, and "the decoder without its encoder" has something real to fall back on.
 *
 * <p>Process, with {@code S = symbols}:
 * <ul>
 *   <li>source tokens {@code 1..S} (token 0 is the encoder-decoder's reserved start/padding
 *       token, as in {@link Seq2SeqTask}), uniform and independent per position;
 *   <li>a dictionary: a permutation of the source symbols into the target tokens
 *       {@code S+1..2S}, drawn from the seed exactly as {@link Seq2SeqTask}'s (vocabulary
 *       {@code 2S+1}, as {@code TRANSLATE});
 *   <li>a target-side first-order Markov chain over the {@code S} target tokens: the transition
 *       table of {@code new MarkovChain(S, 1, sharpness, seed)} (each row a softmax of Gaussian
 *       logits times {@code sharpness}), with chain token {@code i} standing for target token
 *       {@code S+1+i};
 *   <li>the target, as long as the source: for each position t independently, with probability
 *       {@code 1 − q} {@code y_t = dict[x_t]} (the translation); with probability {@code q}
 *       {@code y_t} is drawn from the chain given {@code y_{t−1}} (for t = 0, uniformly over the
 *       target tokens).
 * </ul>
 *
 * <p>Bayes-optimal predictor, exact: given the whole source and the target prefix,
 * <pre>  P(y_t | x, y_{&lt;t}) = (1 − q)·δ(dict[x_t]) + q·P(· | y_{t−1})   (uniform for t = 0).</pre>
 * {@link #bayesLoss(List)} is its mean loss over every target token (as an encoder-decoder is
 * scored: the mean over all predicted target tokens); {@link #lossFloor(int)} its exact
 * expectation. A decoder that ignores the source can at best predict the marginal over
 * {@code x_t}, {@code (1 − q)/S + q·P(· | y_{t−1})} on the target tokens (uniform for t = 0):
 * {@link #priorOnlyLoss(List)} and its expectation {@link #priorOnlyFloor(int)}. Both
 * expectations are exact sums: {@code x_t} is uniform and independent of {@code y_{t−1}}, the
 * marginal of {@code y_{t−1}} evolves as {@code m_t = (1 − q)·uniform + q·m_{t−1}·P} from
 * {@code m_0 = uniform}, and the predictive at t depends on {@code (y_{t−1}, x_t)} only.
 *
 * <p>At q = 0 this is a plain word-for-word translation (floor 0, and the prior-only loss is
 * {@code ln S}); at q = 1 the target ignores the source and both losses are the chain's own
 * floor (position 0 costs {@code ln S}, later ones the chain's conditional entropy).
 */
public final class LooseTranslation implements Corpus {
  private final int symbols;
  private final double q;
  private final double sharpness;
  private final long seed;
  /** dict[s] for source symbol s in 1..S: a target token in S+1..2S. */
  private final int[] dictionary;
  /** next[i][j]: P(target S+1+j | previous target S+1+i). */
  private final double[][] next;
  private final double[][] cumulative;

  /**
   * @param symbols S, source symbols, ≥ 2 (vocabulary {@code 2S+1})
   * @param q the looseness: the probability that a target token follows the target-side chain
   *     instead of translating its source token, in [0, 1]
   * @param sharpness the chain's sharpness, finite and ≥ 0 (0 = uniform rows)
   * @param seed the dictionary's and the chain's seed
   */
  public LooseTranslation(int symbols, double q, double sharpness, long seed) {
    if (symbols < 2) {
      throw new IllegalArgumentException("symbols must be >= 2, got " + symbols);
    }
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q must be in [0, 1], got " + q);
    }
    if (!(sharpness >= 0) || Double.isInfinite(sharpness)) {
      throw new IllegalArgumentException("sharpness must be finite and >= 0, got " + sharpness);
    }
    this.symbols = symbols;
    this.q = q;
    this.sharpness = sharpness;
    this.seed = seed;
    dictionary = Seq2SeqTask.dictionary(symbols, seed);
    MarkovChain chain = new MarkovChain(symbols, 1, sharpness, seed);
    next = new double[symbols][symbols];
    cumulative = new double[symbols][symbols];
    for (int i = 0; i < symbols; i++) {
      double c = 0;
      for (int j = 0; j < symbols; j++) {
        next[i][j] = chain.probability(new int[] {i}, j);
        c += next[i][j];
        cumulative[i][j] = c;
      }
      cumulative[i][symbols - 1] = 1.0;
    }
  }

  @Override
  public int vocab() {
    return 2 * symbols + 1;
  }

  /** S, the number of source symbols (and of target tokens). */
  public int symbols() {
    return symbols;
  }

  /** The looseness q. */
  public double q() {
    return q;
  }

  /** The target token that translates source symbol {@code s} ({@code 1..symbols}). */
  public int translation(int s) {
    if (s < 1 || s > symbols) {
      throw new IllegalArgumentException("source symbol must be in [1, " + symbols + "], got "
          + s);
    }
    return dictionary[s];
  }

  @Override
  public Example sample(int length, SplittableRandom random) {
    checkLength(length);
    int[] x = new int[length];
    for (int t = 0; t < length; t++) {
      x[t] = 1 + random.nextInt(symbols);
    }
    int[] y = new int[length];
    for (int t = 0; t < length; t++) {
      if (random.nextDouble() < q) {
        if (t == 0) {
          y[t] = symbols + 1 + random.nextInt(symbols);
        } else {
          double u = random.nextDouble();
          double[] c = cumulative[y[t - 1] - symbols - 1];
          int v = 0;
          while (v < symbols - 1 && u >= c[v]) {
            v++;
          }
          y[t] = symbols + 1 + v;
        }
      } else {
        y[t] = dictionary[x[t]];
      }
    }
    return Example.pair(x, y);
  }

  /**
   * The Bayes-optimal distribution of {@code target[t]} over the whole vocabulary, given the
   * source and {@code target[0..t−1]}: {@code (1 − q)·δ(dict[x_t]) + q·P(· | y_{t−1})}
   * (uniform over the target tokens for t = 0).
   *
   * @param t the predicted position, in {@code [0, source.length)}
   */
  public double[] predictive(int[] source, int[] target, int t) {
    checkPair(source, target, t);
    double[] out = prior(target, t);
    out[dictionary[source[t]]] += 1 - q;
    return out;
  }

  /**
   * The best distribution of {@code target[t]} for a decoder that does not see the source: the
   * predictive marginalised over the uniform {@code x_t},
   * {@code (1 − q)/S + q·P(· | y_{t−1})} on the target tokens (uniform for t = 0).
   *
   * @param t the predicted position, in {@code [0, target.length)}
   */
  public double[] priorPredictive(int[] target, int t) {
    checkPair(null, target, t);
    double[] out = prior(target, t);
    for (int j = 0; j < symbols; j++) {
      out[symbols + 1 + j] += (1 - q) / symbols;
    }
    return out;
  }

  /**
   * The Bayes-optimal predictor's mean loss, nats per predicted token, on exactly these pairs:
   * every target token counts once, as an encoder-decoder's loss averages over all predicted
   * target tokens.
   */
  public double bayesLoss(List<Example> examples) {
    return meanOver(examples, true);
  }

  /** The source-blind predictor's ({@link #priorPredictive}) mean loss on these pairs. */
  public double priorOnlyLoss(List<Example> examples) {
    return meanOver(examples, false);
  }

  /**
   * The expected Bayes loss, nats per target token, of pairs whose source (and target) has
   * {@code length} tokens: exact.
   */
  @Override
  public OptionalDouble lossFloor(int length) {
    return OptionalDouble.of(expected(length, true));
  }

  /**
   * The expected loss of the best source-blind predictor ({@link #priorPredictive}) on pairs of
   * {@code length} tokens: exact. What a decoder cut off from its encoder can at best reach.
   */
  public double priorOnlyFloor(int length) {
    return expected(length, false);
  }

  private double expected(int length, boolean withSource) {
    checkLength(length);
    double[] uniform = new double[symbols];
    Arrays.fill(uniform, 1.0 / symbols);
    // position 0: the prior is uniform, whatever x_0 translates to (the same for every x_0)
    double total = withSource ? mixtureEntropy(uniform, 0) : Math.log(symbols);
    // per previous token a: the expected entropy of the predictive at a later position
    double[] h = new double[symbols];
    for (int a = 0; a < symbols; a++) {
      if (withSource) {
        for (int b = 0; b < symbols; b++) {
          h[a] += mixtureEntropy(next[a], b) / symbols;
        }
      } else {
        double[] p = new double[symbols];
        for (int j = 0; j < symbols; j++) {
          p[j] = (1 - q) / symbols + q * next[a][j];
        }
        h[a] = entropy(p);
      }
    }
    double[] m = uniform; // the marginal of y_{t−1}
    for (int t = 1; t < length; t++) {
      for (int a = 0; a < symbols; a++) {
        total += m[a] * h[a];
      }
      double[] n = new double[symbols];
      for (int a = 0; a < symbols; a++) {
        for (int j = 0; j < symbols; j++) {
          n[j] += q * m[a] * next[a][j];
        }
      }
      for (int j = 0; j < symbols; j++) {
        n[j] += (1 - q) / symbols;
      }
      m = n;
    }
    return total / length;
  }

  /** H((1 − q)·δ_b + q·prior), over the target tokens (indices 0..S−1). */
  private double mixtureEntropy(double[] prior, int b) {
    double[] p = new double[symbols];
    for (int j = 0; j < symbols; j++) {
      p[j] = q * prior[j];
    }
    p[b] += 1 - q;
    return entropy(p);
  }

  private static double entropy(double[] p) {
    double h = 0;
    for (double v : p) {
      if (v > 0) {
        h -= v * Math.log(v);
      }
    }
    return h;
  }

  /** q·(the chain's row of y_{t−1}, or uniform at t = 0) on the target tokens, 0 elsewhere. */
  private double[] prior(int[] target, int t) {
    double[] out = new double[vocab()];
    for (int j = 0; j < symbols; j++) {
      out[symbols + 1 + j] = q * (t == 0 ? 1.0 / symbols
          : next[target[t - 1] - symbols - 1][j]);
    }
    return out;
  }

  private double meanOver(List<Example> examples, boolean withSource) {
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("no examples to score");
    }
    double total = 0;
    long tokens = 0;
    for (Example e : examples) {
      if (!e.isPair()) {
        throw new IllegalArgumentException("a loose translation scores source/target pairs, "
            + "got the single sequence " + e);
      }
      int[] x = e.tokens();
      int[] y = e.target();
      for (int t = 0; t < y.length; t++) {
        double[] p = withSource ? predictive(x, y, t) : priorPredictive(y, t);
        total -= Math.log(p[y[t]]);
        tokens++;
      }
    }
    return total / tokens;
  }

  /** Checks what the predictive at t reads: x_t (when a source is given) and y_{t−1}. */
  private void checkPair(int[] source, int[] target, int t) {
    if (source != null && source.length != target.length) {
      throw new IllegalArgumentException("source and target must be equally long, got "
          + source.length + " and " + target.length);
    }
    if (t < 0 || t >= target.length) {
      throw new IllegalArgumentException("t must be in [0, " + target.length + "), got " + t);
    }
    if (source != null && (source[t] < 1 || source[t] > symbols)) {
      throw new IllegalArgumentException("source token " + source[t] + " at position " + t
          + " is not a source symbol; valid: [1, " + symbols + "]");
    }
    if (t > 0 && (target[t - 1] <= symbols || target[t - 1] > 2 * symbols)) {
      throw new IllegalArgumentException("target token " + target[t - 1] + " at position "
          + (t - 1) + " is not a target token; valid: [" + (symbols + 1) + ", "
          + 2 * symbols + "]");
    }
  }

  private static void checkLength(int length) {
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "LooseTranslation(symbols=%d, q=%s, sharpness=%s, seed=%d)",
        symbols, q, sharpness, seed);
  }
}
