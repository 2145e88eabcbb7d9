package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The result's builder: each value once, checked as given; every missing one named at once. */
class RecoveryResultTest {
  private static final ReferenceCost REF = ReferenceCost.of(1_000, 4, 16);
  private static final Damage DAMAGE = new Damage(1.0, 3.0, OptionalDouble.of(2.5),
      Optional.empty());
  private static final RunManifest MANIFEST = new RunManifest(RunManifest.SCHEMA, "test",
      Map.of("model", "tiny"), Seeds.of(SeedStream.WIPE, 7),
      Environment.builder().javaVersion("17").javaVendor("v").os("os").arch("arch").cpu("cpu")
          .cores(2).engine("none").engineVersion("0").backend("none").nativeBuild("none").build(),
      "unknown");
  private static final Spending AT = new Spending(40, 640, 10_240, 1e9, Duration.ofSeconds(2));
  private static final Spending SPENT = new Spending(50, 800, 12_800, 1.2e9,
      Duration.ofSeconds(3));
  private static final List<CurvePoint> CURVE = List.of(new CurvePoint(0, 0, 0, 3.0, 3.0),
      new CurvePoint(40, 640, 10_240, 1.04, 1.05));

  /** Every required value but the ending and the two losses. */
  private static RecoveryResultBuilder base() {
    return RecoveryResult.builder().damage(DAMAGE).curve(CURVE).spent(SPENT).reference(REF)
        .manifest(MANIFEST);
  }

  /** Every required value but the ending. */
  private static RecoveryResultBuilder measured() {
    return base().targetLoss(1.05).lossFinal(1.04);
  }

  private static RecoveryResult recovered() {
    return measured().recovered(AT).finalFidelity(new Fidelity(0.9, 0.01)).build();
  }

  /** Every setter, each with a value unlike {@link #recovered()}'s. */
  private static Map<String, UnaryOperator<RecoveryResultBuilder>> setters() {
    Map<String, UnaryOperator<RecoveryResultBuilder>> m = new LinkedHashMap<>();
    m.put("verdict", b -> b.plateaued());
    m.put("damage", b -> b.damage(new Damage(1.0, 4.0, OptionalDouble.empty(),
        Optional.empty())));
    m.put("targetLoss", b -> b.targetLoss(Double.NaN));
    m.put("curve", b -> b.curve(List.of()));
    m.put("spent", b -> b.spent(Spending.NONE));
    m.put("reference", b -> b.reference(ReferenceCost.of(2_000, 4, 16)));
    m.put("lossFinal", b -> b.lossFinal(1.5));
    m.put("manifest", b -> b.manifest(MANIFEST.with("extra", "1")));
    m.put("finalFidelity", b -> b.finalFidelity(new Fidelity(0.5, 0.2)));
    m.put("targetFidelity", b -> b.targetFidelity(new FidelityAt(40, new Fidelity(0.8, 0.05))));
    return m;
  }

  @Test
  void aSecondCallOfEachSetterIsRefusedNamingIt() {
    setters().forEach((name, set) -> {
      RecoveryResultBuilder b = set.apply(RecoveryResult.builder());
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.apply(b))
          .withMessageStartingWith(name + " was already set")
          .withMessageContaining(" on this builder; set each setting once");
    });
    assertThatIllegalStateException()
        .isThrownBy(() -> RecoveryResult.builder().recovered(AT).diverged(
            new Divergence(3, Double.NaN, 2.0)))
        .withMessage("verdict was already set to RECOVERED on this builder; set each setting once"
            + " (call one of recovered(at), plateaued(), diverged(where), budgetExhausted(cap)"
            + " or undamaged())");
    assertThatIllegalStateException()
        .isThrownBy(() -> RecoveryResult.builder().lossFinal(1.0).lossFinal(2.0))
        .withMessage("lossFinal was already set to 1.0 on this builder; set each setting once");
  }

  @Test
  void valuesCopiedByToBuilderMayEachBeReplacedOnce() {
    RecoveryResult r = recovered();
    assertThat(r.toBuilder().build()).isEqualTo(r).hasSameHashCodeAs(r);
    setters().forEach((name, set) -> {
      RecoveryResultBuilder b = set.apply(r.toBuilder());
      assertThat(b.build()).as(name).isNotEqualTo(r);
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.apply(b))
          .withMessageStartingWith(name + " was already set");
    });
    assertThat(r.withManifest(MANIFEST.with("k", "v")).manifest().configuration())
        .containsEntry("k", "v");
    assertThat(r.withManifest(MANIFEST)).isEqualTo(r);
  }

  @Test
  void anotherEndingReplacesTheEvidenceOfTheCopiedOne() {
    RecoveryResult r = recovered();
    assertThat(r.rho()).hasValue(AT.fractionOf(REF));
    Divergence d = new Divergence(45, Double.POSITIVE_INFINITY, 1.04);
    RecoveryResult diverged = r.toBuilder().diverged(d).build();
    assertThat(diverged.verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(diverged.divergence()).contains(d);
    assertThat(diverged.recoveredAt()).isEmpty();
    assertThat(diverged.rho()).isEmpty();
    RecoveryResult capped = diverged.toBuilder().budgetExhausted(BudgetCap.EXAMPLES).build();
    assertThat(capped.budgetCap()).contains(BudgetCap.EXAMPLES);
    assertThat(capped.divergence()).isEmpty();
    assertThat(capped.finalFidelity()).isEqualTo(r.finalFidelity());
  }

  @Test
  void eachEndingCarriesExactlyItsOwnEvidence() {
    for (RecoveryResult r : List.of(recovered(), measured().plateaued().build(),
        measured().diverged(new Divergence(3, Double.NaN, 2.0)).build(),
        measured().budgetExhausted(BudgetCap.STEPS).build(), measured().undamaged().build())) {
      assertThat(r.recoveredAt().isPresent()).as("%s", r.verdict())
          .isEqualTo(r.verdict() == Verdict.RECOVERED);
      assertThat(r.divergence().isPresent()).as("%s", r.verdict())
          .isEqualTo(r.verdict() == Verdict.DIVERGED);
      assertThat(r.budgetCap().isPresent()).as("%s", r.verdict())
          .isEqualTo(r.verdict() == Verdict.BUDGET_EXHAUSTED);
      assertThat(r.targetFidelity()).isEmpty();
    }
    assertThat(Arrays.stream(Verdict.values())).hasSize(5);
  }

  @Test
  void buildNamesEveryMissingValueAtOnce() {
    assertThatIllegalArgumentException().isThrownBy(() -> RecoveryResult.builder().build())
        .withMessage("a RecoveryResult needs how the run ended: call one of recovered(at),"
            + " plateaued(), diverged(where), budgetExhausted(cap) or undamaged(), damage(…),"
            + " targetLoss(…), curve(…), spent(…), reference(…), lossFinal(…),"
            + " manifest(…)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecoveryResult.builder().undamaged().damage(DAMAGE).targetLoss(1)
            .curve(CURVE).lossFinal(1).build())
        .withMessage("a RecoveryResult needs spent(…), reference(…), manifest(…)");
  }

  @Test
  void aBadValueIsRefusedAtItsCallAndLeavesTheSettingFree() {
    RecoveryResultBuilder b = RecoveryResult.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> b.damage(null))
        .withMessage("damage must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.recovered(null))
        .withMessage("recovered(at) needs the spending at T_ε, got null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.budgetExhausted(null))
        .withMessageContaining("[STEPS");
    List<CurvePoint> withNull = new ArrayList<>(CURVE);
    withNull.add(null);
    assertThatIllegalArgumentException().isThrownBy(() -> b.curve(withNull))
        .withMessageStartingWith("curve must not hold null points");
    assertThatIllegalArgumentException().isThrownBy(() -> b.finalFidelity(null))
        .withMessage("finalFidelity must not be null; leave it unset when it was not measured");
    assertThat(b.damage(DAMAGE).recovered(AT).curve(CURVE).targetLoss(1.05).spent(SPENT)
        .reference(REF).lossFinal(1.04).manifest(MANIFEST).build().verdict())
        .isEqualTo(Verdict.RECOVERED);
  }

  @Test
  void theCurveIsAnUnmodifiableCopy() {
    List<CurvePoint> points = new ArrayList<>(CURVE);
    RecoveryResult r = RecoveryResult.builder().damage(DAMAGE).curve(points).spent(SPENT)
        .reference(REF).manifest(MANIFEST).targetLoss(1).lossFinal(1).plateaued().build();
    points.clear();
    assertThat(r.curve()).isEqualTo(CURVE);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.curve().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Property(tries = 50, seed = "34")
  void equalValuesGiveEqualResultsAndAnyDifferenceAnUnequalOne(
      @ForAll @DoubleRange(min = 0, max = 5) double target,
      @ForAll @DoubleRange(min = 0, max = 5) double last,
      @ForAll @LongRange(min = 1, max = 1_000) long steps) {
    Spending at = new Spending(steps, steps * 16, steps * 256, 0, Duration.ZERO);
    RecoveryResult a = base().targetLoss(target).lossFinal(last).recovered(at).build();
    RecoveryResult b = base().targetLoss(target).lossFinal(last).recovered(at).build();
    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a).hasToString(a.toString());
    assertThat(a.toBuilder().lossFinal(Math.nextUp(last)).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().targetLoss(Double.NaN).build())
        .isEqualTo(b.toBuilder().targetLoss(Double.NaN).build());
    assertThat(a.toBuilder().plateaued().build()).isNotEqualTo(a);
  }
}
