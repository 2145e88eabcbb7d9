package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class CriterionPropertiesTest {
  private static final Baseline BASE = new Baseline(1.0, 3.0);

  @Provide
  Arbitrary<List<Double>> losses() {
    return Arbitraries.doubles().between(0.5, 3.5).ofScale(3).list().ofMinSize(1).ofMaxSize(40);
  }

  /** Feeds losses until a verdict; returns the index of the decision and the verdict. */
  private static Optional<Decision> run(RecoveryCriterion.Judge j, List<Double> ls) {
    for (int i = 0; i < ls.size(); i++) {
      Optional<Verdict> v = j.observe(ls.get(i));
      if (v.isPresent()) {
        return Optional.of(new Decision(i, v.get(), j.recoveredSince()));
      }
    }
    return Optional.empty();
  }

  record Decision(int index, Verdict verdict, int since) {}

  @Property(tries = 500)
  void recoveredIffSmoothedLossStaysUnderTargetForRequiredEvaluations(
      @ForAll("losses") List<Double> ls, @ForAll @IntRange(min = 1, max = 4) int window,
      @ForAll @IntRange(min = 1, max = 3) int required,
      @ForAll @DoubleRange(min = 0, max = 1) double eps) {
    RecoveryCriterion c = RecoveryCriterion.withinNats(eps).smoothedOver(window).requiring(required);
    double target = 1.0 + eps;
    // oracle: the spec written out plainly
    int expected = -1;
    int streak = 0;
    for (int i = 0; i < ls.size() && expected < 0; i++) {
      double sum = 0;
      int from = Math.max(0, i - window + 1);
      for (int k = from; k <= i; k++) {
        sum += ls.get(k);
      }
      streak = sum / (i - from + 1) <= target ? streak + 1 : 0;
      if (streak >= required) {
        expected = i;
      }
    }
    Optional<Decision> d = run(c.start(BASE), ls);
    if (expected < 0) {
      assertThat(d).isEmpty();
    } else {
      assertThat(d).contains(new Decision(expected, Verdict.RECOVERED, expected - required + 1));
    }
  }

  @Property(tries = 300)
  void nonFiniteLossAnywhereDiverges(@ForAll("losses") List<Double> ls,
      @ForAll @IntRange(min = 0, max = 39) int at, @ForAll @IntRange(min = 0, max = 2) int which) {
    List<Double> seq = new java.util.ArrayList<>(ls);
    int pos = at % seq.size();
    seq.set(pos, new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[which]);
    // a target no finite loss here reaches, so only the bad value can decide
    RecoveryCriterion c = RecoveryCriterion.withinNats(0).withPatience(0, 0);
    Optional<Decision> d = run(c.start(new Baseline(0.0, 3.0)), seq);
    assertThat(d).isPresent();
    assertThat(d.get().verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(d.get().index()).isEqualTo(pos);
  }

  @Property(tries = 200)
  void flatAboveTargetPlateausAfterPatience(@ForAll @IntRange(min = 1, max = 20) int patience,
      @ForAll @DoubleRange(min = 1.2, max = 2.9) double level) {
    RecoveryCriterion c = RecoveryCriterion.withinNats(0.1).withPatience(patience, 1e-3);
    List<Double> flat = java.util.Collections.nCopies(patience + 5, level);
    Optional<Decision> d = run(c.start(BASE), flat);
    assertThat(d).contains(new Decision(patience, Verdict.PLATEAUED, -1));
  }

  @Property(tries = 200)
  void steadilyImprovingNeverPlateaus(@ForAll @IntRange(min = 1, max = 5) int patience) {
    RecoveryCriterion c = RecoveryCriterion.withinNats(0.0).withPatience(patience, 1e-3);
    RecoveryCriterion.Judge j = c.start(BASE);
    for (int i = 0; i < 100; i++) {
      assertThat(j.observe(3.0 - i * 0.01)).isEmpty();
    }
  }

  @Example
  void aboveTheDivergenceBoundDiverges() {
    RecoveryCriterion.Judge j = RecoveryCriterion.withinNats(0.1).divergingAboveFactor(2).start(BASE);
    assertThat(j.observe(5.9)).isEmpty();
    assertThat(j.observe(6.1)).contains(Verdict.DIVERGED);
  }

  @Example
  void damageFractionTargetsTheMidpoint() {
    RecoveryCriterion.Judge j = RecoveryCriterion.damageRecovered(0.5).start(BASE);
    assertThat(j.target()).isEqualTo(2.0);
    assertThat(j.observe(2.01)).isEmpty();
    assertThat(j.observe(2.0)).contains(Verdict.RECOVERED);
  }

  @Example
  void anyOfTakesTheFirstDecision() {
    RecoveryCriterion c = RecoveryCriterion.anyOf(
        RecoveryCriterion.withinNats(0.05),
        RecoveryCriterion.withinRelative(0.5).withPatience(2, 0));
    RecoveryCriterion.Judge j = c.start(BASE);
    assertThat(j.observe(2.0)).isEmpty();
    assertThat(j.observe(1.4)).contains(Verdict.RECOVERED);
    assertThat(j.target()).isEqualTo(1.5);
  }
}
