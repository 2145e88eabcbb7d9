package dev.ablation.samediff.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The like-for-like reference for a model trained on text windows: an add-k character n-gram
 * counted on exactly the windows the model was trained on, scored on validation windows as a
 * causal language model scores them (positions 1..L−1, the context cut at the window's start).
 * A transformer that does not beat the best such n-gram of order 1–5, with k chosen on windows
 * held out of the counts, has not learned more than counting its own training characters would.
 *
 * <p>{@link #best} picks the order and k on a held-out tenth of the training windows (the
 * counts then come from the other nine tenths), and reports that choice refitted on every
 * training window, scored on the validation windows.
 */
public final class CharNgram {
  /** The orders {@link #best} tries. */
  public static final int MAX_ORDER = 5;
  /** The add-k constants {@link #best} tries. */
  public static final List<Double> KS = List.of(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0);

  private final int vocab;
  private final int order;
  /** counts.get(c) for context length c: context code → next-token counts (last slot: sum). */
  private final List<Map<Long, double[]>> counts = new ArrayList<>();

  private CharNgram(int vocab, int order) {
    this.vocab = vocab;
    this.order = order;
    for (int c = 0; c < order; c++) {
      counts.add(new HashMap<>());
    }
  }

  /**
   * Counts {@code windows}: each position t ≥ 1 of a window, with up to {@code order − 1}
   * tokens before it in the same window, as a causal model trained on the window sees it.
   */
  public static CharNgram fit(List<Example> windows, int vocab, int order) {
    if (order < 1 || order > MAX_ORDER) {
      throw new IllegalArgumentException("order must be in [1, " + MAX_ORDER + "], got " + order);
    }
    if (vocab < 1 || Math.pow(vocab + 1, order - 1) > Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException("vocab " + vocab + " does not fit context codes of order "
          + order);
    }
    CharNgram g = new CharNgram(vocab, order);
    for (Example e : windows) {
      int[] x = e.tokens();
      for (int t = 1; t < x.length; t++) {
        int c = Math.min(order - 1, t);
        double[] row = g.counts.get(c).computeIfAbsent(code(x, t, c, vocab),
            k -> new double[vocab + 1]);
        row[x[t]]++;
        row[vocab]++;
      }
    }
    return g;
  }

  /** Mean loss, nats per predicted token, of add-{@code k} estimates on {@code windows}. */
  public double loss(List<Example> windows, double k) {
    if (!(k > 0)) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    double total = 0;
    long n = 0;
    for (Example e : windows) {
      int[] x = e.tokens();
      for (int t = 1; t < x.length; t++) {
        int c = Math.min(order - 1, t);
        double[] row = counts.get(c).get(code(x, t, c, vocab));
        double count = row == null ? 0 : row[x[t]];
        double sum = row == null ? 0 : row[vocab];
        total -= Math.log((count + k) / (sum + vocab * k));
        n++;
      }
    }
    return total / n;
  }

  private static long code(int[] x, int t, int c, int vocab) {
    long code = 0;
    for (int j = t - c; j < t; j++) {
      code = code * (vocab + 1) + x[j] + 1;
    }
    return code;
  }

  /**
   * The chosen reference.
   *
   * @param order the n-gram order chosen on the held-out windows
   * @param k the add-k constant chosen with it
   * @param heldOutLoss its loss on the held-out windows (counted on the rest)
   * @param validationLoss its loss on the validation windows, counted on every training window
   */
  public record Choice(int order, double k, double heldOutLoss, double validationLoss) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "add-%s %d-gram: %.4f nats/char", k, order,
          validationLoss);
    }
  }

  /**
   * The best add-k n-gram of order 1..{@link #MAX_ORDER} and k in {@link #KS} for a model
   * trained on {@code train}: chosen on the last tenth of {@code train} (counted on the rest),
   * refitted on all of it and scored on {@code validation}.
   */
  public static Choice best(List<Example> train, List<Example> validation, int vocab) {
    if (train.size() < 10) {
      throw new IllegalArgumentException("need at least 10 training windows to hold a tenth out, "
          + "got " + train.size());
    }
    int cut = train.size() - train.size() / 10;
    List<Example> counted = train.subList(0, cut);
    List<Example> heldOut = train.subList(cut, train.size());
    int bestOrder = 1;
    double bestK = KS.get(0);
    double bestLoss = Double.POSITIVE_INFINITY;
    for (int order = 1; order <= MAX_ORDER; order++) {
      CharNgram g = fit(counted, vocab, order);
      for (double k : KS) {
        double l = g.loss(heldOut, k);
        if (l < bestLoss) {
          bestLoss = l;
          bestOrder = order;
          bestK = k;
        }
      }
    }
    return new Choice(bestOrder, bestK, bestLoss,
        fit(train, vocab, bestOrder).loss(validation, bestK));
  }
}
