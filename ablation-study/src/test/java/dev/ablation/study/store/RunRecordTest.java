package dev.ablation.study.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.CurvePoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link RunRecordBuilder}: each setting once, a copied value replaceable once, a null refused
 * at its call, {@code build()} naming every missing value in one message, the curves copied;
 * records equal by value. The JSON they write is {@link RecordFormatTest}'s.
 */
class RunRecordTest {
  private static final String ONCE = " was already set on this builder; set each setting once";

  /** A valid record, every value present. */
  private static RunRecord record() {
    return RecordFormatTest.recovered();
  }

  /** Every setter of the builder, by name, each giving a valid value. */
  private static Map<String, Consumer<RunRecordBuilder>> setters() {
    RunRecord r = record();
    Map<String, Consumer<RunRecordBuilder>> m = new LinkedHashMap<>();
    m.put("row", b -> b.row(r.row()));
    m.put("position", b -> b.position(r.position()));
    m.put("targetLoss", b -> b.targetLoss(r.targetLoss()));
    m.put("budgetCap", b -> b.budgetCap(r.budgetCap()));
    m.put("stepsSpent", b -> b.stepsSpent(r.stepsSpent()));
    m.put("examplesSpent", b -> b.examplesSpent(r.examplesSpent()));
    m.put("finalFidelity", b -> b.finalFidelity(r.finalFidelity()));
    m.put("curve", b -> b.curve(r.curve()));
    m.put("manifest", b -> b.manifest(r.manifest()));
    m.put("originalCurve", b -> b.originalCurve(r.originalCurve()));
    m.put("targetFidelity", b -> b.targetFidelity(r.targetFidelity()));
    return m;
  }

  @Test
  void theSettersSetEveryValue() {
    RunRecordBuilder b = RunRecord.builder();
    setters().values().forEach(s -> s.accept(b));
    assertThat(b.build()).isEqualTo(record());
  }

  @Test
  void aSettingGivenTwiceIsRefusedNamingIt() {
    assertThat(setters()).hasSize(11);
    setters().forEach((name, set) -> {
      RunRecordBuilder b = RunRecord.builder();
      set.accept(b);
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.accept(b))
          .withMessage(name + ONCE);
    });
  }

  @Test
  void aCopiedValueMayBeReplacedOnce() {
    assertThat(record().toBuilder().build()).isEqualTo(record());
    setters().forEach((name, set) -> {
      RunRecordBuilder b = record().toBuilder();
      set.accept(b);
      assertThat(b.build()).as(name).isEqualTo(record());
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.accept(b))
          .withMessage(name + ONCE);
    });
    RunRecord capped = record().toBuilder().budgetCap(Optional.of(BudgetCap.STEPS))
        .targetFidelity(Optional.empty()).build();
    assertThat(capped.budgetCap()).contains(BudgetCap.STEPS);
    assertThat(capped.targetFidelity()).isEmpty();
    assertThat(capped.curve()).isEqualTo(record().curve());
  }

  @Test
  void aNullIsRefusedAtItsCall() {
    RunRecordBuilder b = RunRecord.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> b.row(null))
        .withMessage("row must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.manifest(null))
        .withMessage("manifest must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.curve(null))
        .withMessage("curve must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.position(null))
        .withMessage("position is null; use empty optionals, not null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.budgetCap(null))
        .withMessage("budgetCap is null; use empty optionals, not null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.targetFidelity(null))
        .withMessage("targetFidelity is null; use empty optionals, not null");
    b.position(OptionalInt.empty()); // the failed call left it free
  }

  @Test
  void buildNamesEveryRequiredValueNotSetInOneMessage() {
    assertThatIllegalArgumentException().isThrownBy(() -> RunRecord.builder().build())
        .withMessage("row is required; position is required; targetLoss is required; "
            + "stepsSpent is required; examplesSpent is required; curve is required; "
            + "manifest is required");
    RunRecord r = record();
    assertThatIllegalArgumentException().isThrownBy(() -> RunRecord.builder().row(r.row())
        .targetLoss(1).stepsSpent(1).examplesSpent(1).curve(List.of()).manifest(r.manifest())
        .build())
        .withMessage("position is required");
  }

  @Test
  void theOptionalValuesAreEmptyUntilSet() {
    RunRecord r = record();
    RunRecord bare = RunRecord.builder().row(r.row()).position(OptionalInt.empty())
        .targetLoss(1).stepsSpent(1).examplesSpent(1).curve(List.of()).manifest(r.manifest())
        .build();
    assertThat(bare.budgetCap()).isEmpty();
    assertThat(bare.finalFidelity()).isEmpty();
    assertThat(bare.targetFidelity()).isEmpty();
    assertThat(bare.originalCurve()).isEmpty();
  }

  @Test
  void theCurvesAreCopiesThatCannotChange() {
    RunRecord r = record();
    List<CurvePoint> curve = new ArrayList<>(r.curve());
    RunRecord copy = r.toBuilder().curve(curve).originalCurve(curve).build();
    curve.clear();
    assertThat(copy.curve()).isEqualTo(r.curve());
    assertThat(copy.originalCurve()).isEqualTo(r.curve());
    assertThatThrownBy(() -> copy.curve().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void recordsAreEqualByValue() {
    RunRecord a = RecordFormatTest.exhausted();
    RunRecord b = RecordFormatTest.exhausted();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotSameAs(b);
    assertThat(a.toBuilder().stepsSpent(11).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().position(OptionalInt.of(0)).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().targetLoss(Double.NaN).build()).isNotEqualTo(a);
    assertThat(a).isNotEqualTo(record()).isNotEqualTo(null).isNotEqualTo("a record");
    assertThat(a.key()).isEqualTo(a.row().key());
    assertThat(a.toString()).startsWith("RunRecord{row=StudyRow{").contains("stepsSpent=10");
  }
}
