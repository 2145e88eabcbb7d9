package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An original trained to a length fixed in advance (issue 22's sensitivity arm): exactly that
 * many steps whatever the epoch cap and the convergence rule say, the rate decayed linearly to
 * 0 over them.
 */
class FixedLengthTrainingTest {

  @Test
  void linearDecayPeaksWhereTheWarmupEndsAndReachesZeroAfterTheLastStep() {
    LrSchedule s = LrSchedule.warmupLinearDecay(4, 10);
    assertThat(s.factor(0)).isEqualTo(0.25);
    assertThat(s.factor(3)).isEqualTo(1.0);
    assertThat(s.factor(4)).isEqualTo(6.0 / 7);
    assertThat(s.factor(9)).as("the last of 10 steps still moves").isEqualTo(1.0 / 7);
    assertThat(s.factor(10)).isZero();
    assertThat(s.factor(50)).isZero();
    for (int i = 4; i < 10; i++) {
      assertThat(s.factor(i)).isLessThan(s.factor(i - 1));
    }
    assertThat(s).hasToString("warmup 4, linear to 0 at step 10");
    assertThat(LrSchedule.warmupInverseSqrt(32)).hasToString("warmup 32, inverse_sqrt");
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupLinearDecay(8, 4));
    assertThrows(IllegalArgumentException.class,
        () -> new LrSchedule(4, LrSchedule.Decay.INVERSE_SQRT, 10));
  }

  @Test
  void trainsExactlyTheFixedStepsPastTheEpochCapAndTheRule(@TempDir Path dir) throws Exception {
    MarkovChain chain = new MarkovChain(8, 2, 2.0, 1);
    Split split = chain.split(64, 32, 9, 2); // 4 steps of 16 strings per epoch
    ReferenceModel m = ReferenceModel.build(TransformerConfig.decoderOnly(1, 16, 2, 8, 8, 3));
    TrainingPlan plan = TrainingPlan.builder().epochs(1).batchSize(16)
        .adam(AdamSettings.of(3e-3).withSchedule(LrSchedule.warmupLinearDecay(2, 10)))
        .evaluateEvery(4).evaluationBatchSize(32).shuffleSeed(5)
        .convergence(new Convergence(2, 100.0)) // would stop at the first chance
        .maxSteps(10).build();
    TrainedOriginal t = new OriginalTrainer(plan).train(m, split);
    assertThat(t.budget().examples()).isEqualTo(10L * 16);
    assertThat(t.curve()).extracting(ValidationPoint::step).containsExactly(0L, 4L, 8L, 10L);
    assertThat(t.plan().lossWindow()).as("L* still averages the rule's window").isEqualTo(2);

    t.save(dir);
    assertThat(TrainedOriginal.load(dir).plan()).isEqualTo(plan);
    assertThat(plan.toString()).endsWith(", maxSteps=10]");
    assertThat(plan.forSteps(0).toString()).doesNotContain("maxSteps");
    // a plan of before (no fixed length) is saved as before: old entries and new read alike
    TrainingPlan old = TrainingPlan.builder().epochs(1).batchSize(16).adam(AdamSettings.of(3e-3)
        .withSchedule(LrSchedule.warmupInverseSqrt(2))).evaluateEvery(4).evaluationBatchSize(32)
        .shuffleSeed(5).convergence(new Convergence(2, 0.01)).build();
    assertThat(TrainedOriginal.mapper().writeValueAsString(old))
        .doesNotContain("maxSteps").doesNotContain("totalSteps");
  }
}
