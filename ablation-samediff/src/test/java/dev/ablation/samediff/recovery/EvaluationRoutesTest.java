package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.train.RecoveryStepper;
import dev.ablation.api.Architecture;
import dev.ablation.api.LayerPath;
import dev.ablation.api.recovery.Damage;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.OriginalTrainer;
import dev.ablation.samediff.train.TrainedOriginal;
import dev.ablation.samediff.train.TrainingPlan;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every route that reports a validation loss goes through {@link LossEvaluator} and gives the
 * same number, bit for bit, on one model and one set of batches: the evaluator's mean, its
 * evaluation (loss with logits), step-0 damage (original and wiped loss of an unwiped model),
 * the recovery stepper before its first step, and the original's training (its step-0 point).
 * The {@code sd.fit} listener ({@link Recovery}) is handed {@link LossEvaluator#meanLoss}.
 */
class EvaluationRoutesTest {
  @Test
  void everyRouteReportsTheSameLoss() {
    ReferenceModel m = ReferenceModel.build(
        TransformerConfig.builder(Architecture.DECODER_ONLY)
            .nLayers(2).dModel(8).nHeads(2).dFf(12)
            .vocab(TinyOriginal.VOCAB).context(TinyOriginal.CONTEXT).seed(31).build());
    // unequal batch sizes: the token weighting must be the same everywhere
    List<Batch> validation = new ArrayList<>(ReferenceBatches.of(m)
        .batches(TinyOriginal.strings(5, 11), 4));
    double mean = new LossEvaluator(m.model()).meanLoss(validation);
    assertThat(mean).isFinite().isPositive();

    double evaluated = new LossEvaluator(m.model()).evaluate(validation).loss();
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(m.model());
    Damage d = StepZeroDamage.measure(surgeon, List.of(LayerPath.parse("blocks.1")),
        surgeon.snapshot(), validation);
    double stepper = RecoveryStepper.create(surgeon, AdamSettings.of(1e-3)).meanLoss(validation);
    // the original's training: its step-0 point is the untrained model's loss in batches of 4
    TrainedOriginal trained = new OriginalTrainer(
        TrainingPlan.builder().epochs(1).batchSize(8).adam(AdamSettings.of(1e-3))
            .evaluateEvery(100).evaluationBatchSize(4).shuffleSeed(1).build())
        .train(ReferenceModel.build(m.config()), new Split(TinyOriginal.strings(9, 8),
            TinyOriginal.strings(5, 11), 0));

    assertThat(bits(evaluated)).as("evaluate().loss()").isEqualTo(bits(mean));
    assertThat(bits(d.lossOriginal())).as("step-0 L*").isEqualTo(bits(mean));
    assertThat(bits(d.lossAfterWipe())).as("step-0 L0 of an unwiped model").isEqualTo(bits(mean));
    assertThat(bits(stepper)).as("RecoveryStepper.meanLoss").isEqualTo(bits(mean));
    assertThat(bits(trained.curve().get(0).validationLoss())).as("OriginalTrainer step 0")
        .isEqualTo(bits(mean));

    // and the weighting is by predicted tokens, not by batches
    double byBatch = 0;
    for (Batch b : validation) {
      byBatch += new LossEvaluator(m.model()).loss(b) / validation.size();
    }
    double byToken = 0;
    long tokens = validation.stream().mapToLong(Batch::tokens).sum();
    for (Batch b : validation) {
      byToken += new LossEvaluator(m.model()).loss(b) * b.tokens();
    }
    assertThat(mean).isEqualTo(byToken / tokens).isNotEqualTo(byBatch);
  }

  private static long bits(double x) {
    return Double.doubleToLongBits(x);
  }
}
