package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongToDoubleFunction;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** T_ε under {@link StepRule#CONFIRMED_STEP}: searched to the step, whatever the schedule. */
class ConfirmedStepTest {
  private static final ReferenceCost REF = ReferenceCost.of(100_000, 10, 16);
  private static final RunManifest MANIFEST = RunManifest.of(Map.of("test", "yes"),
      Map.of("master", 1L),
      Environment.builder().javaVersion("17").javaVendor("v").os("os").arch("arch").cpu("cpu")
          .cores(2).engine("none").engineVersion("0").backend("none").nativeBuild("none").build());
  /** L* = 1, ε = 0.1: the target is 1.1. */
  private static final RecoveryCriterion.Threshold CRITERION =
      RecoveryCriterion.withinNats(0.1).confirmedAtStep();

  /** A fake loop: the loss after s steps is f(s); with copies, any step since the last evaluation is searchable. */
  private static RecoveryResult loop(RecoveryCriterion criterion, EvaluationSchedule schedule,
      LongToDoubleFunction f, boolean copies, int capacity, List<Long> searched) {
    RecoverySettings st = RecoverySettings.of(criterion, TrainingBudget.ofSteps(5_000), REF,
        schedule);
    RecoveryMonitor m = RecoveryMonitor.start(st, new Damage(1.0, 3.0, OptionalDouble.empty(),
        Optional.empty()), MANIFEST);
    long s = 0;
    long lastEval = 0;
    while (!m.isFinished()) {
      if (!m.tryStep(Cost.step(10, 16, 1e6))) {
        break;
      }
      s++;
      m.stepDone(1.5);
      boolean full = copies && s - lastEval >= capacity;
      if (m.evaluationDue() || (full && m.searchesSteps())) {
        long from = lastEval;
        long now = s;
        m.evaluate(f.applyAsDouble(s), !copies ? null : at -> {
          assertThat(at).isGreaterThan(from).isLessThan(now);
          searched.add(at);
          return f.applyAsDouble(at);
        });
        lastEval = s;
      }
    }
    return m.result(Optional.empty());
  }

  /** The every-step answer: the first t with f(t) and f(t + 1) at or under the target. */
  private static long everyStep(LongToDoubleFunction f, double target) {
    for (long t = 1; ; t++) {
      if (f.applyAsDouble(t) <= target && f.applyAsDouble(t + 1) <= target) {
        return t;
      }
    }
  }

  @Property(tries = 300)
  void aSingleCrossingIsFoundToTheStepWhateverTheSchedule(
      @ForAll @IntRange(min = 1, max = 1500) int crossing,
      @ForAll @DoubleRange(min = 1.05, max = 4) double growth,
      @ForAll @IntRange(min = 1, max = 256) int maxGap,
      @ForAll @IntRange(min = 1, max = 300) int capacity) {
    // a decaying loss that crosses 1.1 between steps crossing - 1 and crossing
    LongToDoubleFunction f = t -> t >= crossing ? 1.1 - 1e-3 / t : 1.1 + (crossing - t) * 1e-3;
    List<Long> searched = new ArrayList<>();
    RecoveryResult r = loop(CRITERION, EvaluationSchedule.geometric(growth, maxGap), f, true,
        capacity, searched);
    assertThat(r.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(everyStep(f, 1.1))
        .isEqualTo(crossing);
    assertThat(r.recoveredAt().orElseThrow().examples()).isEqualTo(crossing * 10L);
    // the searched steps are on the curve, in step order
    List<Long> steps = r.curve().stream().map(CurvePoint::step).toList();
    assertThat(steps).containsAll(searched).isSorted().doesNotHaveDuplicates();
    assertThat(r.manifest().configuration()).containsEntry("t_eps_rule", "confirmed_step");
  }

  @Property(tries = 200)
  void aOneStepDipIsNotARecovery(@ForAll @IntRange(min = 2, max = 400) int dip,
      @ForAll @IntRange(min = 2, max = 400) int later,
      @ForAll @IntRange(min = 1, max = 64) int maxGap) {
    long crossing = dip + later;
    LongToDoubleFunction f = t -> t == dip || t >= crossing ? 1.0 : 1.5;
    RecoveryResult r = loop(CRITERION, EvaluationSchedule.geometric(2, maxGap), f, true, 10_000,
        new ArrayList<>());
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(everyStep(f, 1.1))
        .isEqualTo(crossing);
  }

  @Property(tries = 300)
  void aNoisyCurveGivesAConfirmedStepNeverBeforeTheEveryStepAnswer(
      @ForAll long seed, @ForAll @IntRange(min = 20, max = 600) int settle,
      @ForAll @IntRange(min = 1, max = 64) int maxGap) {
    // random hits and misses until `settle`, then hits for good
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    double p = r.nextDouble();
    boolean[] hit = new boolean[settle];
    for (int i = 0; i < settle; i++) {
      hit[i] = r.nextDouble() < p;
    }
    LongToDoubleFunction f = t -> t >= settle || hit[(int) t] ? 1.0 : 1.5;
    RecoveryResult res = loop(CRITERION, EvaluationSchedule.geometric(2, maxGap), f, true,
        10_000, new ArrayList<>());
    long t = res.recoveredAt().orElseThrow().steps();
    assertThat(f.applyAsDouble(t)).isLessThanOrEqualTo(1.1);
    assertThat(f.applyAsDouble(t + 1)).isLessThanOrEqualTo(1.1);
    assertThat(t).isGreaterThanOrEqualTo(everyStep(f, 1.1));
    if (maxGap <= 2) {
      // every other step evaluated: nothing can hide between two misses
      assertThat(t).isEqualTo(everyStep(f, 1.1));
    }
  }

  @Example
  void withoutCopiesTheFirstEvaluatedHitIsConfirmedByTheNextEvaluation() {
    LongToDoubleFunction f = t -> t >= 45 ? 1.0 : 1.5;
    RecoveryResult r = loop(CRITERION, EvaluationSchedule.every(20), f, false, 0,
        new ArrayList<>());
    // evaluated at 20, 40, 60 (a hit: the next step is then evaluated), 61 (confirms)
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(60);
    assertThat(r.curve().stream().map(CurvePoint::step).toList())
        .containsExactly(0L, 20L, 40L, 60L, 61L);
  }

  @Example
  void aHitAtTheEvaluatedStepItselfWaitsForTheNextStep() {
    LongToDoubleFunction f = t -> t == 16 ? 1.0 : t >= 30 ? 1.0 : 1.5;
    List<Long> searched = new ArrayList<>();
    RecoveryResult r = loop(CRITERION, EvaluationSchedule.every(16), f, true, 10_000, searched);
    // 16 hits alone: bisection finds it at the evaluated step, 17 (evaluated next) refutes it
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(30);
    assertThat(r.curve().stream().map(CurvePoint::step).toList()).contains(16L, 17L, 32L, 30L);
  }

  @Property(tries = 50)
  void patienceIsCountedInSteps(@ForAll @IntRange(min = 1, max = 40) int maxGap,
      @ForAll @IntRange(min = 1, max = 300) int patience) {
    RecoveryResult r = loop(CRITERION.withPatience(patience, 1e-3),
        EvaluationSchedule.geometric(2, maxGap), t -> 1.5, true, 10_000, new ArrayList<>());
    assertThat(r.verdict()).isEqualTo(Verdict.PLATEAUED);
    // the best was set at step 1; the plateau is seen at the first evaluation >= 1 + patience
    assertThat(r.spent().steps()).isGreaterThanOrEqualTo(1L + patience)
        .isLessThan(1L + patience + maxGap + 1);
  }

  @Example
  void recordedTargetsAreSearchedToo() {
    // crosses 1.3 at step 37, the target 1.1 at step 90
    LongToDoubleFunction f = t -> t >= 90 ? 1.05 : t >= 37 ? 1.2 : 1.5;
    RecoveryResult r = loop(CRITERION.recording(List.of(new Target.WithinNats(0.3))),
        EvaluationSchedule.geometric(2, 64), f, true, 10_000, new ArrayList<>());
    assertThat(r.recoveredAt().orElseThrow().steps()).isEqualTo(90);
    CurvePoint first = r.curve().stream().filter(p -> p.step() > 0 && p.loss() <= 1.3)
        .findFirst().orElseThrow();
    assertThat(first.step()).isEqualTo(37);
  }

  @Example
  void smoothingCannotBeCombinedWithTheStepRule() {
    assertThatThrownBy(() -> CRITERION.smoothedOver(2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confirmed_step");
  }
}
