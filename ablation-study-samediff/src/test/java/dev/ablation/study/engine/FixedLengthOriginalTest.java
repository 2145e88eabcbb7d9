package dev.ablation.study.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.train.LrSchedule;
import dev.ablation.samediff.train.TrainingPlan;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.plan.TrainingSettingsBuilder;
import org.junit.jupiter.api.Test;

/** {@code --train-steps} reaches the trainer: that many steps, the rate decayed to 0 over them. */
class FixedLengthOriginalTest {
  @Test
  void trainStepsGiveTheTrainerAFixedLengthAndALinearDecay() {
    TrainingSettings t = Presets.DEFAULT.plan().training().toBuilder().trainSteps(4096).build();
    TrainingPlan plan = Recipes.originalPlan(t, 7);
    assertThat(plan.maxSteps()).isEqualTo(4096);
    assertThat(plan.adam().schedule()).isEqualTo(LrSchedule.warmupLinearDecay(32, 4096));
    assertThat(plan.lossWindow()).isEqualTo(t.stopping().window());
    assertThat(Recipes.originalAdam(t).schedule()).as("T_scratch trains alike")
        .isEqualTo(plan.adam().schedule());
    assertThat(t.asMap()).containsEntry("train_steps", "4096");
    assertThat(t.asMap()).as("only train_steps is new")
        .containsAllEntriesOf(Presets.DEFAULT.plan().training().asMap());
  }

  @Test
  void aFixedLengthShorterThanTheWarmupIsRefused() {
    TrainingSettingsBuilder b = TrainingSettings.builder().warmupSteps(32).trainSteps(16);
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(b::build)
        .withMessageContaining("--train-steps").withMessageContaining("16")
        .withMessageContaining("32");
  }
}
