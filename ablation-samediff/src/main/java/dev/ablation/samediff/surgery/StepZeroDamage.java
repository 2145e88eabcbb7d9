package dev.ablation.samediff.surgery;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SameDiffModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The damage a wipe did at step 0: {@code L₀} next to {@code L*} and the loss with the wiped
 * layers deleted, and how far the wiped model's predictions are from the original's.
 *
 * <p>Losses are computed here, with {@code sd.output}, as the mean of each batch's loss weighted
 * by its {@link Batch#tokens()}: M2.1's listener losses are wrong. The graph's loss variable must
 * be the mean cross-entropy per predicted token of its batch.
 *
 * <p>"Deleted" means the wiped layers' {@link dev.ablation.api.ParameterKind#isOutput() output}
 * parameters set to zero for the measurement and then restored bit-exactly: for a pre-LN block
 * (and a cross-attention sublayer) that is exactly the identity. For a post-LN block it silences
 * the residual branches but keeps the norm, which is not the identity.
 */
public final class StepZeroDamage {
  private StepZeroDamage() {}

  /**
   * A model's outputs on a set of batches: the token-weighted mean loss and, if the model names
   * a logits variable, the logits of every batch ({@code [batch, pos, vocab]}).
   *
   * @param loss mean loss per predicted token
   * @param tokens predicted tokens it averages over
   * @param logits per batch, empty if the model has no logits variable
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

  /**
   * Evaluates the model as it stands on {@code batches}.
   *
   * @throws IllegalArgumentException if there are no batches
   */
  public static Evaluation evaluate(SameDiffModel model, List<Batch> batches) {
    Objects.requireNonNull(model, "model");
    requireBatches(batches);
    List<String> outputs = new ArrayList<>();
    outputs.add(model.lossVariable());
    model.logitsVariable().ifPresent(outputs::add);
    double weighted = 0;
    long tokens = 0;
    List<INDArray> logits = new ArrayList<>();
    for (Batch b : batches) {
      Map<String, INDArray> out = model.graph().output(b.placeholders(), outputs);
      double loss = out.get(model.lossVariable()).getDouble(0);
      weighted += loss * b.tokens();
      tokens += b.tokens();
      model.logitsVariable().ifPresent(l -> logits.add(out.get(l).dup()));
    }
    return new Evaluation(weighted / tokens, tokens, logits);
  }

  /**
   * The damage of the wipe of {@code wiped} that the surgeon's model now carries, against the
   * original weights {@code original} (restored for the measurement, then put back exactly).
   */
  public static Damage measure(SameDiffSurgeon surgeon, Collection<LayerPath> wiped,
      WeightSnapshot original, List<Batch> validation) {
    Objects.requireNonNull(surgeon, "surgeon");
    Objects.requireNonNull(original, "original");
    requireBatches(validation);
    WeightSnapshot now = surgeon.snapshot();
    Evaluation ref;
    try {
      surgeon.restore(original);
      ref = evaluate(surgeon.model(), validation);
    } finally {
      surgeon.restore(now);
    }
    return measure(surgeon, wiped, ref, validation);
  }

  /**
   * The damage of the wipe of {@code wiped} that the surgeon's model now carries, against the
   * original's evaluation {@code original} on the same {@code validation} batches.
   *
   * @throws IllegalArgumentException if the original was evaluated on other batches (token
   *     counts or logits shapes differ)
   */
  public static Damage measure(SameDiffSurgeon surgeon, Collection<LayerPath> wiped,
      Evaluation original, List<Batch> validation) {
    Objects.requireNonNull(surgeon, "surgeon");
    Objects.requireNonNull(original, "original");
    requireBatches(validation);
    Evaluation after = evaluate(surgeon.model(), validation);
    if (after.tokens() != original.tokens()) {
      throw new IllegalArgumentException("the original was evaluated on " + original.tokens()
          + " tokens but the validation batches hold " + after.tokens()
          + "; evaluate both on the same batches");
    }
    OptionalDouble deleted = lossDeleted(surgeon, wiped, validation);
    Optional<Fidelity> fid = original.logits().isEmpty() || after.logits().isEmpty()
        ? Optional.empty() : Optional.of(fidelity(original, after));
    return new Damage(original.loss(), after.loss(), deleted, fid);
  }

  /**
   * The validation loss with the output parameters of {@code layers} zeroed (see the class
   * comment), or empty if they have none. The model is put back bit-exactly afterwards.
   */
  public static OptionalDouble lossDeleted(SameDiffSurgeon surgeon, Collection<LayerPath> layers,
      List<Batch> validation) {
    Objects.requireNonNull(layers, "layers");
    requireBatches(validation);
    List<ParameterPath> outputs = new ArrayList<>();
    for (LayerPath l : layers) {
      for (ParameterInfo p : surgeon.layout().layer(l).parameters()) {
        if (p.kind().isOutput() && !outputs.contains(p.path())) {
          outputs.add(p.path());
        }
      }
    }
    if (outputs.isEmpty()) {
      return OptionalDouble.empty();
    }
    SameDiffModel model = surgeon.model();
    List<INDArray> saved = new ArrayList<>();
    List<INDArray> live = new ArrayList<>();
    for (ParameterPath p : outputs) {
      INDArray a = model.graph().getVariable(model.layers().variable(p)).getArr();
      live.add(a);
      saved.add(a.dup());
    }
    try {
      live.forEach(a -> a.assign(0));
      return OptionalDouble.of(evaluate(model, validation).loss());
    } finally {
      for (int i = 0; i < live.size(); i++) {
        live.get(i).assign(saved.get(i));
      }
    }
  }

  /**
   * Top-1 agreement with, and mean KL(original ‖ model) to, the original over every position
   * of every batch.
   *
   * @throws IllegalArgumentException if the two evaluations' logits differ in count or shape
   */
  public static Fidelity fidelity(Evaluation original, Evaluation model) {
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
      if (!java.util.Arrays.equals(o.shape(), m.shape())) {
        throw new IllegalArgumentException("batch " + i + ": logits shapes differ: "
            + java.util.Arrays.toString(o.shape()) + " vs " + java.util.Arrays.toString(m.shape()));
      }
      long vocab = o.size(o.rank() - 1);
      INDArray lo = logSoftmaxRows(o.reshape('c', -1, vocab));
      INDArray lm = logSoftmaxRows(m.reshape('c', -1, vocab));
      INDArray ao = lo.argMax(1);
      INDArray am = lm.argMax(1);
      long n = lo.size(0);
      for (long r = 0; r < n; r++) {
        if (ao.getLong(r) == am.getLong(r)) {
          agree++;
        }
      }
      INDArray po = org.nd4j.linalg.ops.transforms.Transforms.exp(lo, true);
      kl += po.mul(lo.sub(lm)).sumNumber().doubleValue();
      positions += n;
    }
    return new Fidelity((double) agree / positions, Math.max(0, kl / positions));
  }

  /** log-softmax of each row of {@code x [rows, vocab]}, in double precision. */
  private static INDArray logSoftmaxRows(INDArray x) {
    INDArray d = x.castTo(DataType.DOUBLE).dup();
    INDArray max = d.max(true, 1);
    d.subiColumnVector(max);
    INDArray lse = org.nd4j.linalg.ops.transforms.Transforms.log(
        org.nd4j.linalg.ops.transforms.Transforms.exp(d, true).sum(true, 1), false);
    return d.subiColumnVector(lse);
  }

  private static void requireBatches(List<Batch> batches) {
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("need at least one validation batch, got " + batches);
    }
  }
}
