package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@link RecoveryCriterion.Threshold}'s text is written into every run manifest (the
 * {@code criterion} entry), so it is pinned here as the record printed it.
 */
class ThresholdBuilderTest {
  static final String DEFAULT_TEXT = "Threshold[target=L*+0.02 nats, window=1,"
      + " required=1, patience=0, minImprovement=0.0, divergenceBound=Infinity,"
      + " divergenceFactor=Infinity, rule=EVALUATIONS, recorded=[]]";
  static final String FULL_TEXT = "Threshold[target=L*+max(0.05, 2x0.01) nats,"
      + " window=3, required=2, patience=10, minImprovement=0.001, divergenceBound=12.5,"
      + " divergenceFactor=3.0, rule=EVALUATIONS, recorded=[L*+0.1 nats]]";

  static RecoveryCriterion.Threshold full() {
    return RecoveryCriterion.withinNoise(0.05, 0.01).smoothedOver(3).requiring(2)
        .withPatience(10, 1e-3).divergingAbove(12.5).divergingAboveFactor(3)
        .recording(List.of(new Target.WithinNats(0.1)));
  }

  @Test
  void textIsTheRecordsText() {
    assertThat(RecoveryCriterion.withinNats(0.02)).hasToString(DEFAULT_TEXT);
    assertThat(full()).hasToString(FULL_TEXT);
    assertThat(RecoveryCriterion.anyOf(RecoveryCriterion.withinNats(0.02), full()))
        .hasToString("AnyOf[members=[" + DEFAULT_TEXT + ", " + FULL_TEXT + "]]");
    assertThat(RecoveryCriterion.withinNats(0.02).confirmedAtStep().withPatience(5, 0))
        .hasToString("Threshold[target=L*+0.02 nats, window=1, required=1,"
            + " patience=5, minImprovement=0.0, divergenceBound=Infinity,"
            + " divergenceFactor=Infinity, rule=CONFIRMED_STEP, recorded=[]]");
  }

  @Test
  void eachSettingOnce() {
    Target t = new Target.WithinNats(0.02);
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).window(2).window(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("smoothing window was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).required(2).required(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("required evaluations was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).patience(2).patience(3))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("patience was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).minImprovement(0)
        .minImprovement(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("minImprovement was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).divergenceBound(9)
        .divergenceBound(8)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("divergence bound was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).divergenceFactor(2)
        .divergenceFactor(3)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("divergence factor was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).rule(StepRule.EVALUATIONS)
        .rule(StepRule.EVALUATIONS)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rule was already set");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).recorded(List.of())
        .recorded(List.of())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("recorded targets was already set");
  }

  @Test
  void copiedSettingsMayBeReplacedOnce() {
    RecoveryCriterion.Threshold f = full();
    RecoveryCriterion.Threshold g = f.toBuilder().window(5).required(1).patience(0)
        .minImprovement(0).divergenceBound(99).divergenceFactor(7).recorded(List.of())
        .build();
    assertThat(g.window()).isEqualTo(5);
    assertThat(g.divergenceFactor()).isEqualTo(7);
    assertThat(g.target()).isEqualTo(f.target());
    assertThat(f.toBuilder().build()).isEqualTo(f).hasSameHashCodeAs(f).hasToString(FULL_TEXT);
    assertThatThrownBy(() -> f.toBuilder().window(5).window(6))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badValuesFailAtTheCallNamingThem() {
    Target t = new Target.WithinNats(0.02);
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target is required");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).window(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("smoothing window must be > 0, got 0");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).patience(-1))
        .hasMessage("patience must be >= 0, got -1");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).minImprovement(Double.NaN))
        .hasMessage("minImprovement must be finite and >= 0, got NaN");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).divergenceBound(0))
        .hasMessage("divergence bound must be > 0, got 0.0");
    assertThatThrownBy(() -> RecoveryCriterion.withinNats(0.02).divergingAboveFactor(1))
        .hasMessage("divergence factor must be > 1, got 1.0");
    assertThatThrownBy(() -> RecoveryCriterion.Threshold.builder(t).rule(null))
        .hasMessageContaining("rule is required, one of [");
  }

  @Test
  void buildChecksTheRuleAgainstSmoothing() {
    assertThatThrownBy(() -> RecoveryCriterion.withinNats(0.02).confirmedAtStep().smoothedOver(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("smoothing window and required streak must be 1, got 3 and 1");
  }

  @Test
  void equalsAndHashCodeFollowTheSettings() {
    assertThat(full()).isEqualTo(full()).hasSameHashCodeAs(full());
    assertThat(full()).isNotEqualTo(full().withPatience(11, 1e-3));
    assertThat(RecoveryCriterion.withinNats(0.02)).isEqualTo(
        RecoveryCriterion.Threshold.builder(new Target.WithinNats(0.02)).build());
  }
}
