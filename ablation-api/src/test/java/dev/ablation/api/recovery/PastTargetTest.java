package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongToDoubleFunction;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Training past the target ({@link RecoverySettings#horizonSteps()}): the verdict and
 * {@code T_ε} are those of the same run stopped at its target; only the curve and the spending
 * reach the horizon.
 */
class PastTargetTest {
  private static final ReferenceCost REF = ReferenceCost.of(100_000, 10, 16);
  private static final RunManifest MANIFEST = RunManifest.of(Map.of("test", "yes"),
      Map.of("master", 1L),
      Environment.builder().javaVersion("17").javaVendor("v").os("os").arch("arch").cpu("cpu")
          .cores(2).engine("none").engineVersion("0").backend("none").nativeBuild("none").build());

  /** The loop of {@link ConfirmedStepTest}, every step searchable, with a horizon. */
  private static RecoveryResult loop(RecoveryCriterion criterion, LongToDoubleFunction f,
      long horizon, long budgetSteps, LongToDoubleFunction trainingLoss) {
    RecoverySettings st = RecoverySettings.of(criterion, TrainingBudget.ofSteps(budgetSteps), REF,
        EvaluationSchedule.geometric(2, 32)).withHorizon(horizon);
    RecoveryMonitor m = RecoveryMonitor.start(st, new Damage(1.0, 3.0, OptionalDouble.empty(),
        Optional.empty()), MANIFEST);
    long s = 0;
    while (!m.isFinished()) {
      if (!m.tryStep(Cost.step(10, 16, 1e6))) {
        break;
      }
      s++;
      m.stepDone(trainingLoss.applyAsDouble(s));
      if (m.evaluationDue()) {
        m.evaluate(f.applyAsDouble(s), m.searchesSteps() ? f::applyAsDouble : null);
      }
    }
    return m.result(Optional.empty());
  }

  private static LongToDoubleFunction crossingAt(int crossing) {
    return t -> t >= crossing ? 1.1 - 1e-3 * Math.min(t - crossing + 1, 50)
        : 1.1 + (crossing - t) * 1e-3;
  }

  @Property(tries = 200)
  void aHorizonChangesNeitherTheVerdictNorTEpsilonAndEndsTheCurveAtIt(
      @ForAll @IntRange(min = 1, max = 600) int crossing,
      @ForAll @IntRange(min = 1, max = 1200) int horizon,
      @ForAll boolean stepRule) {
    RecoveryCriterion.Threshold c = RecoveryCriterion.withinNats(0.1);
    RecoveryCriterion criterion = stepRule ? c.confirmedAtStep() : c;
    LongToDoubleFunction f = crossingAt(crossing);
    RecoveryResult stop = loop(criterion, f, 0, 5_000, t -> 1.5);
    RecoveryResult past = loop(criterion, f, horizon, 5_000, t -> 1.5);
    assertThat(past.verdict()).isEqualTo(stop.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(past.recoveredAt().orElseThrow().steps())
        .isEqualTo(stop.recoveredAt().orElseThrow().steps());
    assertThat(past.recoveredAt().orElseThrow().examples())
        .isEqualTo(stop.recoveredAt().orElseThrow().examples());
    long confirmed = stop.spent().steps();
    if (horizon <= confirmed) { // the horizon came first: nothing changes
      assertThat(past.spent().steps()).isEqualTo(confirmed);
      assertThat(past.curve()).isEqualTo(stop.curve());
      assertThat(past.manifest().configuration()).containsEntry("horizon_steps",
          Long.toString(horizon));
    } else {
      assertThat(past.spent().steps()).isEqualTo(horizon);
      CurvePoint last = past.curve().get(past.curve().size() - 1);
      assertThat(last.step()).as("evaluated at the horizon itself").isEqualTo(horizon);
      assertThat(past.lossFinal()).isEqualTo(f.applyAsDouble(horizon));
      assertThat(past.curve().subList(0, stop.curve().size())).isEqualTo(stop.curve());
      assertThat(past.curve().stream().mapToLong(CurvePoint::step))
          .as("steps strictly increase").isSorted().doesNotHaveDuplicates();
    }
    assertThat(stop.manifest().configuration()).doesNotContainKey("horizon_steps");
  }

  @Example
  void aBudgetOrANonFiniteLossPastTheTargetEndsTheRunRecovered() {
    RecoveryCriterion criterion = RecoveryCriterion.withinNats(0.1).confirmedAtStep();
    LongToDoubleFunction f = crossingAt(40);
    RecoveryResult budget = loop(criterion, f, 1_000, 300, t -> 1.5);
    assertThat(budget.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(budget.recoveredAt().orElseThrow().steps()).isEqualTo(40);
    assertThat(budget.spent().steps()).isEqualTo(300);
    assertThat(budget.budgetCap()).isEmpty();

    RecoveryResult nan = loop(criterion, f, 1_000, 5_000, t -> t == 200 ? Double.NaN : 1.5);
    assertThat(nan.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(nan.recoveredAt().orElseThrow().steps()).isEqualTo(40);
    assertThat(nan.divergence()).isEmpty();
    assertThat(nan.spent().steps()).isEqualTo(200);
  }

  @Example
  void aRunStillOutOfBudgetAtTheHorizonIsUnchangedByIt() {
    RecoveryCriterion criterion = RecoveryCriterion.withinNats(0.1).confirmedAtStep();
    LongToDoubleFunction f = t -> 2.0 - 1e-3 * t; // improving, never at 1.1 within the budget
    RecoveryResult stop = loop(criterion, f, 0, 500, t -> 1.5);
    RecoveryResult past = loop(criterion, f, 100, 500, t -> 1.5);
    assertThat(stop.verdict()).isEqualTo(Verdict.BUDGET_EXHAUSTED);
    assertThat(past.verdict()).isEqualTo(stop.verdict());
    assertThat(past.curve()).isEqualTo(stop.curve());
    assertThat(past.spent().steps()).isEqualTo(stop.spent().steps());
  }

  @Example
  void aPlateauBeforeTheHorizonTrainsOnKeepingItsVerdict() {
    RecoveryCriterion criterion = RecoveryCriterion.withinNats(0.1).confirmedAtStep()
        .withPatience(40, 1e-3);
    // falls to 1.3 by step 50 and stays there: a plateau above the target 1.1
    LongToDoubleFunction f = t -> t < 50 ? 2.0 - 0.014 * t : 1.3;
    RecoveryResult stop = loop(criterion, f, 0, 5_000, t -> 1.5);
    RecoveryResult past = loop(criterion, f, 600, 5_000, t -> 1.5);
    assertThat(stop.verdict()).isEqualTo(Verdict.PLATEAUED);
    assertThat(stop.spent().steps()).isLessThan(600);
    assertThat(past.verdict()).isEqualTo(Verdict.PLATEAUED);
    assertThat(past.spent().steps()).isEqualTo(600);
    assertThat(past.curve().get(past.curve().size() - 1).step()).isEqualTo(600);
    assertThat(past.curve().subList(0, stop.curve().size())).isEqualTo(stop.curve());
  }

  @Example
  void aNegativeHorizonIsRefused() {
    assertThatThrownBy(() -> RecoverySettings.of(RecoveryCriterion.withinNats(0.1),
        TrainingBudget.ofSteps(10), REF, 1).withHorizon(-1))
        .hasMessageContaining("got -1");
  }
}
