package dev.ablation.samediff.train;

import dev.ablation.api.recovery.Fidelity;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SameDiffModel;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Validation loss without gradients: the token-weighted mean of the graph's own loss over
 * batches, i.e. {@code Σ loss_b · tokens_b / Σ tokens_b}, which equals the mean over all
 * predicted tokens when each batch's loss is the mean over its own tokens. Also compares two
 * models' logits ({@link #fidelity}): top-1 agreement and KL(original ‖ model).
 *
 * <p>Which positions count for fidelity: all of {@code [batch, pos]}, or, if a labels
 * placeholder is named, only positions whose one-hot label row is non-zero (masked-LM
 * positions, non-padding targets).
 */
public final class LossEvaluator {
  private final SameDiffModel model;
  private final Optional<String> labels;

  /** Evaluates {@code model}; fidelity counts every position. */
  public LossEvaluator(SameDiffModel model) {
    this(model, Optional.empty());
  }

  /**
   * Evaluates {@code model}; fidelity counts the positions whose row in the placeholder
   * {@code labelsPlaceholder} ({@code [batch·pos, vocab]} or {@code [batch, pos, vocab]},
   * one-hot or zero) is non-zero.
   */
  public LossEvaluator(SameDiffModel model, Optional<String> labelsPlaceholder) {
    if (model == null || labelsPlaceholder == null) {
      throw new IllegalArgumentException("model and labels placeholder option are required");
    }
    this.model = model;
    this.labels = labelsPlaceholder;
  }

  /** The loss of one batch, in nats per predicted token. */
  public double loss(Batch batch) {
    return model.graph().output(batch.placeholders(), model.lossVariable())
        .get(model.lossVariable()).getDouble(0);
  }

  /**
   * The token-weighted mean loss over {@code batches}.
   *
   * @throws IllegalArgumentException if there are no batches
   */
  public double meanLoss(Iterable<Batch> batches) {
    double sum = 0;
    long tokens = 0;
    for (Batch b : batches) {
      sum += loss(b) * b.tokens();
      tokens += b.tokens();
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("no validation batches to evaluate");
    }
    return sum / tokens;
  }

  /**
   * How closely this evaluator's model follows {@code original} on {@code batches}: the
   * fraction of counted positions where both arg-max tokens agree, and the mean
   * KL(original ‖ model) in nats per counted position. Both models need a logits variable
   * {@code [batch, pos, vocab]} and the same placeholders.
   */
  public Fidelity fidelity(SameDiffModel original, Iterable<Batch> batches) {
    String mine = model.logitsVariable().orElseThrow(() -> new IllegalArgumentException(
        "the evaluated model declares no logits variable"));
    String theirs = original.logitsVariable().orElseThrow(() -> new IllegalArgumentException(
        "the original model declares no logits variable"));
    long counted = 0;
    long agree = 0;
    double kl = 0;
    for (Batch b : batches) {
      double[][] p = rows(model.graph().output(b.placeholders(), mine).get(mine));
      double[][] q = rows(original.graph().output(b.placeholders(), theirs).get(theirs));
      if (p.length != q.length || p[0].length != q[0].length) {
        throw new IllegalArgumentException("logits shapes differ: " + p.length + "x"
            + p[0].length + " vs the original's " + q.length + "x" + q[0].length);
      }
      boolean[] use = counted(b, p.length);
      for (int i = 0; i < p.length; i++) {
        if (!use[i]) {
          continue;
        }
        counted++;
        if (argMax(p[i]) == argMax(q[i])) {
          agree++;
        }
        double[] lp = logSoftmax(p[i]);
        double[] lq = logSoftmax(q[i]);
        double k = 0;
        for (int j = 0; j < lp.length; j++) {
          k += Math.exp(lq[j]) * (lq[j] - lp[j]);
        }
        kl += k;
      }
    }
    if (counted == 0) {
      throw new IllegalArgumentException("no positions to compare: no batches, or no labelled "
          + "positions");
    }
    return new Fidelity((double) agree / counted, Math.max(0, kl / counted));
  }

  /**
   * Top-1 accuracy against the labels: the fraction of labelled positions whose arg-max logit
   * is the labelled token (teacher-forced for sequence-to-sequence).
   *
   * @throws IllegalStateException if this evaluator was made without a labels placeholder
   */
  public double accuracy(Iterable<Batch> batches) {
    String mine = model.logitsVariable().orElseThrow(() -> new IllegalArgumentException(
        "the evaluated model declares no logits variable"));
    String labelName = labels.orElseThrow(() -> new IllegalStateException(
        "accuracy needs the labels placeholder: construct with one"));
    long counted = 0;
    long right = 0;
    for (Batch b : batches) {
      double[][] p = rows(model.graph().output(b.placeholders(), mine).get(mine));
      double[][] y = rows(b.placeholders().get(labelName));
      for (int i = 0; i < p.length; i++) {
        int label = argMax(y[i]);
        if (y[i][label] == 0) {
          continue;
        }
        counted++;
        if (argMax(p[i]) == label) {
          right++;
        }
      }
    }
    if (counted == 0) {
      throw new IllegalArgumentException("no labelled positions to score");
    }
    return (double) right / counted;
  }

  private boolean[] counted(Batch b, int positions) {
    boolean[] use = new boolean[positions];
    if (labels.isEmpty()) {
      java.util.Arrays.fill(use, true);
      return use;
    }
    INDArray l = b.placeholders().get(labels.get());
    if (l == null) {
      throw new IllegalArgumentException("batch has no labels placeholder '" + labels.get()
          + "'; it has " + b.placeholders().keySet());
    }
    double[][] r = rows(l);
    if (r.length != positions) {
      throw new IllegalArgumentException("labels have " + r.length + " positions, logits "
          + positions);
    }
    for (int i = 0; i < positions; i++) {
      for (double x : r[i]) {
        if (x != 0) {
          use[i] = true;
          break;
        }
      }
    }
    return use;
  }

  private static double[][] rows(INDArray a) {
    long last = a.size(a.rank() - 1);
    return a.castTo(DataType.DOUBLE).reshape('c', a.length() / last, last).toDoubleMatrix();
  }

  private static int argMax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double[] logSoftmax(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : x) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] - log;
    }
    return out;
  }

}
