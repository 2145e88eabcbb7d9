package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.train.AdamSettings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * T_ε to the step on a real model: a recovery evaluated on a sparse schedule, whose steps in
 * between are searched on kept copies of the wiped block, reports the T_ε of the same run
 * evaluated after every step, and searching leaves training bit-exact (every loss the sparse
 * run measured equals, bit for bit, the every-step run's loss at that step).
 */
class StepExactRecoveryTest {
  private static TinyOriginal o;

  @BeforeAll
  static void train() {
    o = new TinyOriginal(23, 300);
  }

  private static RecoveryResult run(int block, EvaluationSchedule schedule) {
    RecoveryResult r = Recovery.builder(o.surgeon)
        .wipe(LayerPath.block(block), ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.02).confirmedAtStep().withPatience(200, 1e-3),
            o.reference)
        .budget(TrainingBudget.ofSteps(300))
        .optimiser(AdamSettings.of(1e-3))
        .evaluate(schedule)
        .seed(11L + block)
        .build()
        .run(o.train, o.validation);
    WeightSnapshot now = o.surgeon.snapshot();
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(now.values(p)).as("restored " + p).isEqualTo(o.trained.values(p));
    }
    return r;
  }

  @Test
  void sparseScheduleWithSearchGivesTheEveryStepAnswer() {
    int recovered = 0;
    for (int block = 0; block < 3; block++) {
      RecoveryResult every = run(block, EvaluationSchedule.every(1));
      RecoveryResult sparse = run(block, EvaluationSchedule.geometric(2, 64));
      assertThat(sparse.verdict()).as("block " + block).isEqualTo(every.verdict());
      assertThat(sparse.recoveredAt().map(s -> s.steps()))
          .as("T_ε of block " + block).isEqualTo(every.recoveredAt().map(s -> s.steps()));
      if (every.verdict() == Verdict.RECOVERED
          && every.recoveredAt().orElseThrow().steps() > 2 * EvaluationSchedule.FIRST_STEPS) {
        recovered++;
        // past the evaluated start, the sparse run evaluated fewer steps
        assertThat(sparse.curve().size()).isLessThan(every.curve().size());
      }
      Map<Long, Double> byStep = new HashMap<>();
      every.curve().forEach(p -> byStep.put(p.step(), p.loss()));
      for (CurvePoint p : sparse.curve()) {
        if (byStep.containsKey(p.step())) {
          assertThat(Double.doubleToLongBits(p.loss())).as("loss at step " + p.step())
              .isEqualTo(Double.doubleToLongBits(byStep.get(p.step())));
        }
      }
      assertThat(sparse.manifest().configuration()).containsEntry("t_eps_rule",
          "confirmed_step");
    }
    assertThat(recovered).as("runs that recovered after step 20 (the check needs some)").isGreaterThan(0);
  }
}
