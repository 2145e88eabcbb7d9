package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongToDoubleFunction;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RecoveryMonitorTest {
  private static final ReferenceCost REF = ReferenceCost.of(1000, 10, 16);
  private static final RunManifest MANIFEST = RunManifest.of(Map.of("test", "yes"), Map.of("master", 1L),
      Environment.builder().javaVersion("17").javaVendor("v").os("os").arch("arch").cpu("cpu")
          .cores(2).engine("none").engineVersion("0").backend("none").nativeBuild("none").build());

  private static Damage damage(double l0) {
    return new Damage(1.0, l0, OptionalDouble.empty(), Optional.empty());
  }

  /** Runs a fake loop whose validation loss after s steps is f(s). */
  private static RecoveryResult loop(RecoverySettings settings, double l0, LongToDoubleFunction f,
      LongToDoubleFunction trainLoss) {
    RecoveryMonitor m = RecoveryMonitor.start(settings, damage(l0), MANIFEST);
    long s = 0;
    while (!m.isFinished()) {
      if (!m.tryStep(Cost.step(10, 16, 1e6))) {
        break;
      }
      s++;
      m.stepDone(trainLoss.applyAsDouble(s));
      if (m.evaluationDue()) {
        m.evaluate(f.applyAsDouble(s));
      }
    }
    return m.result(Optional.empty());
  }

  @Property(tries = 100)
  void recoveryTimeIsTheFirstEvaluationAtTarget(@ForAll @IntRange(min = 1, max = 50) int every,
      @ForAll @IntRange(min = 1, max = 400) int reachAt) {
    RecoverySettings st = RecoverySettings.of(RecoveryCriterion.withinNats(0.01),
        TrainingBudget.ofSteps(10_000), REF, every);
    RecoveryResult r = loop(st, 3.0, s -> s >= reachAt ? 1.0 : 2.0, s -> 1.5);
    long firstEval = ((reachAt + every - 1) / every) * (long) every;
    assertThat(r.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(firstEval);
    assertThat(r.recoveredAt().orElseThrow().examples()).isEqualTo(firstEval * 10);
    assertThat(r.rho().orElseThrow()).isEqualTo(firstEval * 10 / 10_000.0);
    assertThat(r.curve().get(0).step()).isZero();
    assertThat(r.curve().get(0).loss()).isEqualTo(3.0);
    assertThat(r.normalisedRecovery()[r.curve().size() - 1]).isEqualTo(1.0);
  }

  @Example
  void anImpossibleTargetEndsWithTheBudget() {
    RecoverySettings st = RecoverySettings.of(RecoveryCriterion.withinNats(0.0),
        TrainingBudget.ofSteps(37), REF, 5);
    RecoveryResult r = loop(st, 3.0, s -> 2.0, s -> 2.0);
    assertThat(r.verdict()).isEqualTo(Verdict.BUDGET_EXHAUSTED);
    assertThat(r.budgetCap()).contains(BudgetCap.STEPS);
    assertThat(r.spent().steps()).isEqualTo(37);
    assertThat(r.rho()).isEmpty();
  }

  @Example
  void anImpossibleTargetWithPatiencePlateaus() {
    RecoverySettings st = RecoverySettings.of(
        RecoveryCriterion.withinNats(0.0).withPatience(3, 1e-3), TrainingBudget.ofSteps(1000), REF, 5);
    RecoveryResult r = loop(st, 3.0, s -> 2.0, s -> 2.0);
    assertThat(r.verdict()).isEqualTo(Verdict.PLATEAUED);
    // step 0: L0 = 3.0; step 5 improves to 2.0; steps 10, 15, 20 do not: patience 3 ends at 20
    assertThat(r.spent().steps()).isEqualTo(20);
  }

  @Example
  void nonFiniteTrainingLossDivergesWithTheLastGoodLoss() {
    RecoverySettings st = RecoverySettings.of(RecoveryCriterion.withinNats(0.0),
        TrainingBudget.ofSteps(1000), REF, 2);
    RecoveryResult r = loop(st, 3.0, s -> 2.5, s -> s == 7 ? Double.NaN : 2.5);
    assertThat(r.verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(r.divergence().orElseThrow().step()).isEqualTo(7);
    assertThat(r.divergence().orElseThrow().lastGoodLoss()).isEqualTo(2.5);
    assertThat(r.curve()).allMatch(p -> Double.isFinite(p.loss()));
  }

  @Example
  void noDamageIsUndamagedNotRecovered() {
    RecoverySettings st = RecoverySettings.of(RecoveryCriterion.withinNats(0.1),
        TrainingBudget.ofSteps(1000), REF, 2);
    RecoveryResult r = loop(st, 1.05, s -> 1.0, s -> 1.0);
    assertThat(r.verdict()).isEqualTo(Verdict.UNDAMAGED);
    assertThat(r.rho()).isEmpty();
    assertThat(r.recoveredAt()).isEmpty();
    assertThat(r.spent().steps()).isZero();
    assertThat(r.curve()).hasSize(1);
  }

  @Example
  void aDamageJustAboveTheTargetIsNotUndamaged() {
    RecoverySettings st = RecoverySettings.of(RecoveryCriterion.withinNats(0.1),
        TrainingBudget.ofSteps(1000), REF, 2);
    RecoveryResult r = loop(st, 1.1000001, s -> 1.0, s -> 1.0);
    assertThat(r.verdict()).isEqualTo(Verdict.RECOVERED);
    // L0 is not in the smoothing window: the first evaluation (step 2) recovers on its own
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(2);
  }
}
