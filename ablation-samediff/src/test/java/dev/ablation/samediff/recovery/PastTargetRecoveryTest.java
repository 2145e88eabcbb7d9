package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.train.AdamSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RecoveryBuilder#trainPastTarget}: on a real model, the run that trains on to its
 * horizon reports the same verdict and {@code T_ε} as the run stopped at its target, with
 * bit-identical losses where both evaluated, its curve reaching the horizon, and its agreement
 * with the original measured where the target was confirmed and at the end.
 */
class PastTargetRecoveryTest {
  private static TinyOriginal o;

  @BeforeAll
  static void train() {
    o = new TinyOriginal(23, 300);
  }

  private static RecoveryBuilder builder(int block) {
    return Recovery.builder(o.surgeon)
        .wipe(LayerPath.block(block), ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.05).confirmedAtStep().withPatience(200, 1e-3),
            o.reference)
        .budget(TrainingBudget.ofSteps(400))
        .optimiser(AdamSettings.of(1e-3))
        .evaluate(EvaluationSchedule.geometric(2, 16))
        .seed(5L + block);
  }

  @Test
  void trainingPastTheTargetKeepsTEpsilonAndMeasuresBothEnds() {
    int checked = 0;
    for (int block = 0; block < 3; block++) {
      RecoveryResult stop = builder(block).build().run(o.train, o.validation);
      if (stop.verdict() != Verdict.RECOVERED) {
        continue;
      }
      long horizon = stop.spent().steps() + 60;
      RecoveryResult past = builder(block).trainPastTarget(horizon).build()
          .run(o.train, o.validation);
      WeightSnapshot now = o.surgeon.snapshot();
      for (var p : o.surgeon.layout().parameterPaths()) {
        assertThat(now.values(p)).as("restored " + p).isEqualTo(o.trained.values(p));
      }
      String at = "block " + block;
      assertThat(past.verdict()).as(at).isEqualTo(Verdict.RECOVERED);
      assertThat(past.recoveredAt().orElseThrow().steps()).as(at)
          .isEqualTo(stop.recoveredAt().orElseThrow().steps());
      assertThat(past.spent().steps()).as(at).isEqualTo(horizon);
      assertThat(past.curve().get(past.curve().size() - 1).step()).as(at).isEqualTo(horizon);
      for (int i = 0; i < stop.curve().size(); i++) {
        CurvePoint a = stop.curve().get(i);
        CurvePoint b = past.curve().get(i);
        assertThat(b.step()).as(at).isEqualTo(a.step());
        assertThat(Double.doubleToLongBits(b.loss())).as(at + " loss at step " + a.step())
            .isEqualTo(Double.doubleToLongBits(a.loss()));
      }
      FidelityAt t = past.targetFidelity().orElseThrow();
      assertThat(t.step()).as(at).isEqualTo(stop.spent().steps());
      assertThat(stop.finalFidelity().orElseThrow()).as(at + ": the stopped run's fidelity is"
          + " measured at the same weights").isEqualTo(t.fidelity());
      assertThat(past.finalFidelity()).as(at).isPresent();
      assertThat(stop.targetFidelity()).as(at).isEmpty();
      checked++;
    }
    assertThat(checked).as("blocks that recovered (the check needs some)").isGreaterThan(0);
  }

  @Test
  void aHorizonBelowOneStepIsRefused() {
    assertThatThrownBy(() -> builder(0).trainPastTarget(0).build())
        .hasMessageContaining("trainPastTarget needs a horizon >= 1 step, got 0");
  }
}
