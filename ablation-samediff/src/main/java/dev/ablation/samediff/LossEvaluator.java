package dev.ablation.samediff;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.recovery.Fidelity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The one way this library evaluates a model without gradients: validation loss, logits for
 * fidelity, and top-1 accuracy. Every route (the original's training, step-0 damage, the
 * recovery loop and its fast path, the {@code sd.fit} listener, the study, the benches) goes
 * through it, so a loss on a curve and a loss in a table are the same number.
 *
 * <p>Loss: the token-weighted mean of the graph's own loss over batches,
 * {@code Σ loss_b · tokens_b / Σ tokens_b}, accumulated in batch order in double precision;
 * it equals the mean over all predicted tokens when each batch's loss is the mean over its own
 * predicted tokens (M2.1's listener losses are wrong: this reads {@code sd.output}).
 *
 * <p>Fidelity: top-1 agreement with, and KL(original ‖ model) to, the original, counted only
 * at the positions each batch predicts ({@link Batch#labelMask()}): an unmasked MLM position or
 * padding says nothing about what the model learnt.
 */
public final class LossEvaluator {
  private final SameDiffModel model;

  /** Evaluates {@code model}. */
  public LossEvaluator(SameDiffModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /**
   * A model's outputs on a set of batches: the token-weighted mean loss and, if the model names
   * a logits variable, its logits at the predicted positions of every batch.
   *
   * @param loss mean loss per predicted token
   * @param tokens predicted tokens it averages over
   * @param logits per batch, {@code [predicted positions, vocab]} in double precision; empty if
   *     the model has no logits variable
   */
  public record Evaluation(double loss, long tokens, List<INDArray> logits) {
    /** Validates and copies. */
    public Evaluation {
      Objects.requireNonNull(logits, "logits");
      if (tokens <= 0) {
        throw new IllegalArgumentException("an evaluation needs tokens > 0, got " + tokens);
      }
      logits = ImmutableList.copyOf(logits);
    }
  }

  /** The loss of one batch, in nats per predicted token. */
  public double loss(Batch batch) {
    Objects.requireNonNull(batch, "batch");
    Map<String, INDArray> out = model.graph().output(batch.placeholders(), model.lossVariable());
    double value = out.get(model.lossVariable()).getDouble(0);
    free(out);
    return value;
  }

  /**
   * Frees the arrays a graph call returned once they are read, and the call's bookkeeping:
   * they are off-heap and otherwise wait for the garbage collector. Only op outputs
   * are ours to free; a requested variable or constant is the graph's own array.
   */
  private void free(Map<String, INDArray> out) {
    for (Map.Entry<String, INDArray> e : out.entrySet()) {
      INDArray a = e.getValue();
      if (a != null && model.graph().hasVariable(e.getKey())
          && model.graph().getVariable(e.getKey()).getVariableType() == VariableType.ARRAY
          && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    SessionMemory.forgetReleasedIds(model.graph());
  }

  /**
   * The token-weighted mean loss over {@code batches}.
   *
   * @throws IllegalArgumentException if there are no batches
   */
  public double meanLoss(Iterable<Batch> batches) {
    Objects.requireNonNull(batches, "batches");
    double sum = 0;
    long tokens = 0;
    for (Batch b : batches) {
      sum += loss(b) * b.tokens();
      tokens += b.tokens();
    }
    return mean(sum, tokens);
  }

  /**
   * The loss over {@code batches} (exactly {@link #meanLoss}) and, if the model has a logits
   * variable, its logits at the predicted positions, kept for {@link #fidelity(Evaluation,
   * Evaluation)}.
   *
   * @throws IllegalArgumentException if there are no batches
   */
  public Evaluation evaluate(List<Batch> batches) {
    Objects.requireNonNull(batches, "batches");
    if (model.logitsVariable().isEmpty()) {
      double loss = meanLoss(batches);
      return new Evaluation(loss, batches.stream().mapToLong(Batch::tokens).sum(), List.of());
    }
    String logits = model.logitsVariable().get();
    List<String> outputs = List.of(model.lossVariable(), logits);
    double sum = 0;
    long tokens = 0;
    List<INDArray> kept = new ArrayList<>();
    for (Batch b : batches) {
      Map<String, INDArray> out = model.graph().output(b.placeholders(), outputs);
      sum += out.get(model.lossVariable()).getDouble(0) * b.tokens();
      tokens += b.tokens();
      kept.add(predicted(b, out.get(logits)));
      free(out);
    }
    return new Evaluation(mean(sum, tokens), tokens, kept);
  }

  /**
   * How closely this evaluator's model follows {@code original} on {@code batches}: both are
   * {@linkplain #evaluate evaluated} and {@linkplain #fidelity(Evaluation, Evaluation)
   * compared}. Both models need a logits variable {@code [batch, pos, vocab]} and the same
   * placeholders.
   */
  public Fidelity fidelity(SameDiffModel original, List<Batch> batches) {
    requireLogits(model, "the evaluated model");
    requireLogits(original, "the original model");
    return fidelity(new LossEvaluator(original).evaluate(batches), evaluate(batches));
  }

  /**
   * Top-1 agreement with, and mean KL(original ‖ model) in nats to, the original over the
   * predicted positions of every batch.
   *
   * @throws IllegalArgumentException if the evaluations hold no logits, or logits of other
   *     batches (count or shape differ)
   */
  public static Fidelity fidelity(Evaluation original, Evaluation model) {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(model, "model");
    if (original.logits().size() != model.logits().size() || original.logits().isEmpty()) {
      throw new IllegalArgumentException("fidelity needs logits of the same batches, got "
          + original.logits().size() + " and " + model.logits().size() + " batches");
    }
    long positions = 0;
    long agree = 0;
    double kl = 0;
    for (int i = 0; i < original.logits().size(); i++) {
      INDArray o = original.logits().get(i);
      INDArray m = model.logits().get(i);
      if (!Arrays.equals(o.shape(), m.shape())) {
        throw new IllegalArgumentException("batch " + i + ": logits at predicted positions "
            + "differ in shape: " + Arrays.toString(o.shape()) + " vs "
            + Arrays.toString(m.shape()) + "; evaluate both on the same batches");
      }
      INDArray lo = logSoftmaxRows(o);
      INDArray lm = logSoftmaxRows(m);
      INDArray ao = lo.argMax(1);
      INDArray am = lm.argMax(1);
      long n = lo.size(0);
      for (long r = 0; r < n; r++) {
        if (ao.getLong(r) == am.getLong(r)) {
          agree++;
        }
      }
      INDArray po = Transforms.exp(lo, true);
      kl += po.mul(lo.sub(lm)).sumNumber().doubleValue();
      positions += n;
    }
    return new Fidelity((double) agree / positions, Math.max(0, kl / positions));
  }

  /**
   * Top-1 accuracy against the labels: the fraction of predicted positions (those in the label
   * mask, and with a non-zero label row) whose arg-max logit is the labelled token
   * (teacher-forced for sequence-to-sequence).
   *
   * @param labelsPlaceholder the placeholder holding one-hot targets, {@code [batch·pos, vocab]}
   *     or {@code [batch, pos, vocab]}
   */
  public double accuracy(Iterable<Batch> batches, String labelsPlaceholder) {
    Objects.requireNonNull(batches, "batches");
    requireLogits(model, "the evaluated model");
    String mine = model.logitsVariable().get();
    long counted = 0;
    long right = 0;
    for (Batch b : batches) {
      INDArray labels = b.placeholders().get(labelsPlaceholder);
      if (labels == null) {
        throw new IllegalArgumentException("batch has no labels placeholder '"
            + labelsPlaceholder + "'; it has " + b.placeholders().keySet());
      }
      Map<String, INDArray> out = model.graph().output(b.placeholders(), mine);
      INDArray p = predicted(b, out.get(mine));
      free(out);
      INDArray y = predicted(b, labels);
      INDArray ap = p.argMax(1);
      INDArray ay = y.argMax(1);
      INDArray labelled = y.max(1);
      for (long r = 0; r < p.size(0); r++) {
        if (labelled.getDouble(r) == 0) {
          continue; // a zero row: not predicted (a batch without a mask may still have these)
        }
        counted++;
        if (ap.getLong(r) == ay.getLong(r)) {
          right++;
        }
      }
    }
    if (counted == 0) {
      throw new IllegalArgumentException("no labelled positions to score");
    }
    return (double) right / counted;
  }

  /** The rows of {@code perPosition} ({@code [..., vocab]}) at the batch's predicted positions. */
  static INDArray predicted(Batch b, INDArray perPosition) {
    long vocab = perPosition.size(perPosition.rank() - 1);
    INDArray rows = perPosition.castTo(DataType.DOUBLE).dup('c')
        .reshape(new long[] {perPosition.length() / vocab, vocab});
    if (b.labelMask().isEmpty()) {
      return rows.dup();
    }
    INDArray mask = b.labelMask().get();
    if (mask.length() != rows.size(0)) {
      throw new IllegalArgumentException("the batch's label mask has " + mask.length()
          + " positions but the model's output has " + rows.size(0));
    }
    int[] keep = new int[(int) b.tokens()];
    int k = 0;
    double[] m = mask.toDoubleVector();
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        keep[k++] = i;
      }
    }
    return rows.getRows(keep).reshape(new long[] {keep.length, vocab}).dup();
  }

  /** log-softmax of each row of {@code x [rows, vocab]}, in double precision. */
  private static INDArray logSoftmaxRows(INDArray x) {
    INDArray d = x.castTo(DataType.DOUBLE).dup();
    INDArray max = d.max(true, 1);
    d.subiColumnVector(max);
    INDArray lse = Transforms.log(Transforms.exp(d, true).sum(true, 1), false);
    return d.subiColumnVector(lse);
  }

  private static double mean(double sum, long tokens) {
    if (tokens == 0) {
      throw new IllegalArgumentException("need at least one batch to evaluate, got none");
    }
    return sum / tokens;
  }

  private static void requireLogits(SameDiffModel m, String which) {
    if (m.logitsVariable().isEmpty()) {
      throw new IllegalArgumentException(which + " declares no logits variable");
    }
  }
}
