package dev.ablation.samediff.surgery;

import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The damage a wipe did at step 0: {@code L₀} next to {@code L*} and the loss with the wiped
 * layers deleted, and how far the wiped model's predictions are from the original's.
 *
 * <p>Losses and fidelity come from {@link LossEvaluator}, the one evaluator every route uses.
 * The graph's loss variable must be the mean cross-entropy per predicted token of its batch.
 *
 * <p>"Deleted" means the wiped layers' {@link dev.ablation.api.ParameterKind#isOutput() output}
 * parameters set to zero for the measurement and then restored bit-exactly: for a pre-LN block
 * (and a cross-attention sublayer) that is exactly the identity. For a post-LN block it silences
 * the residual branches but keeps the norm, which is not the identity.
 */
public final class StepZeroDamage {
  private StepZeroDamage() {}

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
    LossEvaluator.Evaluation ref;
    try {
      surgeon.restore(original);
      ref = new LossEvaluator(surgeon.model()).evaluate(validation);
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
      LossEvaluator.Evaluation original, List<Batch> validation) {
    Objects.requireNonNull(surgeon, "surgeon");
    Objects.requireNonNull(original, "original");
    requireBatches(validation);
    LossEvaluator.Evaluation after = new LossEvaluator(surgeon.model()).evaluate(validation);
    if (after.tokens() != original.tokens()) {
      throw new IllegalArgumentException("the original was evaluated on " + original.tokens()
          + " tokens but the validation batches hold " + after.tokens()
          + "; evaluate both on the same batches");
    }
    OptionalDouble deleted = lossDeleted(surgeon, wiped, validation);
    Optional<Fidelity> fid = original.logits().isEmpty() || after.logits().isEmpty()
        ? Optional.empty() : Optional.of(LossEvaluator.fidelity(original, after));
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
      return OptionalDouble.of(new LossEvaluator(model).meanLoss(validation));
    } finally {
      for (int i = 0; i < live.size(); i++) {
        live.get(i).assign(saved.get(i));
      }
    }
  }

  private static void requireBatches(List<Batch> batches) {
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("need at least one validation batch, got " + batches);
    }
  }
}
