package dev.ablation.study.plan;

import dev.ablation.study.plan.Preset;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.TargetRule;
import dev.ablation.study.plan.TrainingSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSettingsTest {

  @Test
  void aToleranceKeySaysItsUnit() {
    TrainingSettings nats = TrainingSettings.builder().targetRule(TargetRule.NATS)
        .epsilon(0.02).build();
    TrainingSettings fraction = TrainingSettings.builder().targetRule(TargetRule.DAMAGE)
        .epsilon(0.9).build();
    assertThat(nats.asMap()).containsEntry("epsilon_nats", "0.02")
        .doesNotContainKey(Setting.EPSILON_FRACTION_KEY);
    assertThat(fraction.asMap()).containsEntry(Setting.EPSILON_FRACTION_KEY, "0.9")
        .doesNotContainKey("epsilon_nats");
    // the key sits where epsilon_nats sat, so the manifest's order is the catalogue's
    assertThat(List.copyOf(fraction.asMap().keySet()).indexOf(Setting.EPSILON_FRACTION_KEY))
        .isEqualTo(List.copyOf(nats.asMap().keySet()).indexOf("epsilon_nats"));
  }


  @Test
  void toBuilderGivesBackEveryPresetsSettingsAndPlan() {
    for (Preset p : Presets.ALL) {
      assertThat(p.plan().training().toBuilder().build()).isEqualTo(p.plan().training());
      assertThat(p.plan().toBuilder().build()).isEqualTo(p.plan());
    }
  }

  @Test
  void aSettingGivenTwiceIsRefusedButACopiedOneMayBeReplacedOnce() {
    org.assertj.core.api.Assertions.assertThatIllegalStateException()
        .isThrownBy(() -> TrainingSettings.builder().peakRate(1e-3).peakRate(3e-3))
        .withMessage("peak learning rate (--peak-lr) was already set on this builder; set each"
            + " setting once");
    TrainingSettings preset = Presets.STANDARD.plan().training();
    assertThat(preset.toBuilder().peakRate(1e-3).build().optimiser().peakRate())
        .isEqualTo(1e-3);
  }

  @Test
  void buildNamesEveryBadValueOfEveryGroupAtOnce() {
    assertThatIllegalArgumentException().isThrownBy(() -> TrainingSettings.builder().vocab(0)
            .peakRate(Double.NaN).recoveryWarmup(-3).convergenceWindow(1)
            .convergenceDelta(Double.POSITIVE_INFINITY).targetRule(TargetRule.DAMAGE)
            .epsilon(2).build())
        .withMessageContaining("vocab (--vocab) must be >= 1, got 0")
        .withMessageContaining("peak learning rate (--peak-lr) must be finite and > 0, got NaN")
        .withMessageContaining("recovery warm-up (--recovery-warmup) must be >= 0 steps, got -3")
        .withMessageContaining("convergence window (--converge-k) must be >= 2 evaluations, got 1")
        .withMessageContaining("(--converge-delta) must be finite and >= 0 nats, got Infinity")
        .withMessageContaining("fraction in (0, 1], got 2.0");
  }

  @Test
  void theGroupsCheckThemselvesWhenBuiltDirectly() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TrainingSettings.Optimiser(0, 32, 8))
        .withMessageContaining("--peak-lr");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TrainingSettings.Stopping(16, 5, 0.01, 8, -1))
        .withMessageContaining("--train-steps");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TrainingSettings.TargetChoice(null, 0.05))
        .withMessageContaining("nats, noise, damage");
  }

  @Test
  void theDefaultsAreTheQuickPresetsSettings() {
    assertThat(TrainingSettings.builder().build()).isEqualTo(Presets.QUICK.plan().training());
  }

  /**
   * A study that trains recoveries past their target ({@code --past-target}) runs on the same
   * originals as the study that stopped at it: the horizon is a recovery setting, so it is in
   * the run's manifest but not in the original's cache key; without it nothing changes.
   */
  @Test
  void theHorizonIsARecoverySettingOnly() {
    TrainingSettings stop = Presets.DEFAULT.plan().training();
    TrainingSettings past = stop.toBuilder().horizonSteps(400).build();
    assertThat(stop.asMap()).doesNotContainKey(TrainingSettings.HORIZON_KEY);
    assertThat(past.asMap()).containsEntry(TrainingSettings.HORIZON_KEY, "400");
    ModelSpec m = Presets.DEFAULT.plan().originals().get(0).model();
    assertThat(new OriginalSpec(m, past, 3).contentHash())
        .isEqualTo(new OriginalSpec(m, stop, 3).contentHash());
    assertThat(new OriginalSpec(m, past, 3).configuration())
        .doesNotContainKey(TrainingSettings.HORIZON_KEY);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> stop.toBuilder().horizonSteps(-2).build())
        .withMessageContaining("horizon (--past-target) must be 0 (stop at the target) or >= 1 "
            + "step, got -2");
  }
}
