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
}
