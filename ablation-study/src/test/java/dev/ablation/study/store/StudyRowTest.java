package dev.ablation.study.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.ablation.api.recovery.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link StudyRowBuilder}: each setting once, a copied value replaceable once, a bad value
 * refused at its call, and {@code build()} naming every missing value and every contradiction
 * with the verdict in one message; rows equal by value, and any valid row written to JSON and
 * read back is the same row and the same text.
 */
class StudyRowTest {
  private static final String ONCE = " was already set on this builder; set each setting once";

  /** A valid row, every value present. */
  private static StudyRow row() {
    return RecordFormatTest.recovered().row();
  }

  /** Every setter of the builder, by name, each giving a valid value. */
  private static Map<String, Consumer<StudyRowBuilder>> setters() {
    StudyRow r = row();
    Map<String, Consumer<StudyRowBuilder>> m = new LinkedHashMap<>();
    m.put("key", b -> b.key(r.key()));
    m.put("verdict", b -> b.verdict(r.verdict()));
    m.put("examplesToRecover", b -> b.examplesToRecover(r.examplesToRecover()));
    m.put("rho", b -> b.rho(r.rho()));
    m.put("refExamples", b -> b.refExamples(r.refExamples()));
    m.put("lossOriginal", b -> b.lossOriginal(r.lossOriginal()));
    m.put("lossAfterWipe", b -> b.lossAfterWipe(r.lossAfterWipe()));
    m.put("lossDeleted", b -> b.lossDeleted(r.lossDeleted()));
    m.put("lossFinal", b -> b.lossFinal(r.lossFinal()));
    m.put("examplesScratch", b -> b.examplesScratch(r.examplesScratch()));
    m.put("wallSeconds", b -> b.wallSeconds(r.wallSeconds()));
    m.put("examplesOrig", b -> b.examplesOrig(r.examplesOrig()));
    m.put("rhoOrig", b -> b.rhoOrig(r.rhoOrig()));
    m.put("lossOriginalSd", b -> b.lossOriginalSd(r.lossOriginalSd()));
    m.put("recoveryLr", b -> b.recoveryLr(r.recoveryLr()));
    m.put("targetLoss", b -> b.targetLoss(r.targetLoss()));
    return m;
  }

  @Test
  void theSettersSetEveryValue() {
    StudyRowBuilder b = StudyRow.builder();
    setters().values().forEach(s -> s.accept(b));
    assertThat(b.build()).isEqualTo(row());
  }

  @Test
  void aSettingGivenTwiceIsRefusedNamingIt() {
    assertThat(setters()).hasSize(16);
    setters().forEach((name, set) -> {
      StudyRowBuilder b = StudyRow.builder();
      set.accept(b);
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.accept(b))
          .withMessage(name + ONCE);
    });
  }

  @Test
  void aCopiedValueMayBeReplacedOnce() {
    assertThat(row().toBuilder().build()).isEqualTo(row());
    setters().forEach((name, set) -> {
      StudyRowBuilder b = row().toBuilder();
      set.accept(b);
      assertThat(b.build()).as(name).isEqualTo(row());
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.accept(b))
          .withMessage(name + ONCE);
    });
    StudyRow longer = row().toBuilder().lossFinal(1.5).wallSeconds(20).build();
    assertThat(longer.lossFinal()).isEqualTo(1.5);
    assertThat(longer.wallSeconds()).isEqualTo(20);
    assertThat(longer.toBuilder().lossFinal(row().lossFinal()).wallSeconds(row().wallSeconds())
        .build()).isEqualTo(row());
    // a recovered row made a plateaued one: the recovered-only values go with the verdict
    StudyRow plateaued = row().toBuilder().verdict(Verdict.PLATEAUED)
        .examplesToRecover(OptionalLong.empty()).rho(OptionalDouble.empty())
        .rhoOrig(OptionalDouble.empty()).build();
    assertThat(plateaued.verdict()).isEqualTo(Verdict.PLATEAUED);
    assertThat(plateaued.examplesOrig()).isEqualTo(row().examplesOrig());
  }

  @Test
  void aBadValueIsRefusedAtItsCallAndLeavesTheSettingFree() {
    StudyRowBuilder b = StudyRow.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> b.refExamples(0))
        .withMessage("ref_examples must be >= 1, got 0");
    assertThatIllegalArgumentException().isThrownBy(() -> b.key(null))
        .withMessage("key must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.verdict(null))
        .withMessage("verdict must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.rho(null))
        .withMessage("rho is null; use empty optionals, not null");
    assertThatIllegalArgumentException().isThrownBy(() -> b.examplesOrig(null))
        .withMessage("examplesOrig is null; use empty optionals, not null");
    b.refExamples(1);
    assertThatIllegalStateException().isThrownBy(() -> b.refExamples(2))
        .withMessage("refExamples" + ONCE);
  }

  @Test
  void buildNamesEveryRequiredValueNotSetInOneMessage() {
    assertThatIllegalArgumentException().isThrownBy(() -> StudyRow.builder().build())
        .withMessage("key is required; verdict is required; refExamples is required; "
            + "lossOriginal is required; lossAfterWipe is required; lossFinal is required; "
            + "wallSeconds is required; lossOriginalSd is required; recoveryLr is required; "
            + "targetLoss is required");
    StudyRow r = row();
    assertThatIllegalArgumentException().isThrownBy(() -> StudyRow.builder().key(r.key())
        .verdict(Verdict.PLATEAUED).refExamples(1).lossOriginal(1).lossAfterWipe(2)
        .lossFinal(1.5).lossOriginalSd(0).recoveryLr(1e-3).build())
        .withMessage("wallSeconds is required; targetLoss is required");
  }

  @Test
  void buildRefusesRecoveredOnlyValuesThatContradictTheVerdictAllAtOnce() {
    StudyRow r = row();
    assertThatIllegalArgumentException().isThrownBy(() -> r.toBuilder()
        .examplesToRecover(OptionalLong.empty()).build())
        .withMessage("examples_to_recover and rho exist exactly when RECOVERED; got RECOVERED "
            + "with OptionalLong.empty, OptionalDouble[0.0625]");
    assertThatIllegalArgumentException().isThrownBy(() -> r.toBuilder()
        .verdict(Verdict.BUDGET_EXHAUSTED).build())
        .withMessage("examples_to_recover and rho exist exactly when RECOVERED; got "
            + "BUDGET_EXHAUSTED with OptionalLong[4096], OptionalDouble[0.0625]; rho_orig "
            + "exists only for a recovered run with examples_orig; got BUDGET_EXHAUSTED with "
            + "OptionalLong[8192]");
    assertThatIllegalArgumentException().isThrownBy(() -> r.toBuilder()
        .examplesOrig(OptionalLong.empty()).build())
        .withMessage("rho_orig exists only for a recovered run with examples_orig; got "
            + "RECOVERED with OptionalLong.empty");
    assertThatIllegalArgumentException().isThrownBy(() -> StudyRow.builder()
        .verdict(Verdict.UNDAMAGED).rho(OptionalDouble.of(1)).build())
        .withMessageStartingWith("key is required; refExamples is required;")
        .withMessageEndingWith("targetLoss is required; examples_to_recover and rho exist "
            + "exactly when RECOVERED; got UNDAMAGED with OptionalLong.empty, "
            + "OptionalDouble[1.0]");
  }

  @Test
  void rowsAreEqualByValueNaNIncluded() {
    StudyRow a = RecordFormatTest.exhausted().row();
    StudyRow b = RecordFormatTest.exhausted().row();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotSameAs(b);
    assertThat(a.lossFinal()).isNaN();
    assertThat(a.toBuilder().lossFinal(1.0).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().recoveryLr(1e-3).build()).isNotEqualTo(a);
    assertThat(a).isNotEqualTo(row()).isNotEqualTo(null).isNotEqualTo("a row");
    assertThat(a.toString()).startsWith("StudyRow{key=").contains("verdict=BUDGET_EXHAUSTED");
  }

  @Property(tries = 60)
  void anyRowReadsBackFromItsJsonAsItselfAndTheSameText(@ForAll("rows") StudyRow row) {
    RunRecord record = RecordFormatTest.exhausted().toBuilder().row(row)
        .targetLoss(row.targetLoss()).build();
    String json = RecordJson.toJson(record);
    RunRecord back = RecordJson.fromJson(json);
    assertThat(back).isEqualTo(record).hasSameHashCodeAs(record);
    assertThat(RecordJson.toJson(back)).isEqualTo(json);
    assertThat(back.row().toBuilder().build()).isEqualTo(row);
  }

  @Provide
  Arbitrary<StudyRow> rows() {
    return Arbitraries.randomValue(StudyRowTest::randomRow);
  }

  private static double value(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> Double.NaN;
      case 1 -> Double.POSITIVE_INFINITY;
      case 2 -> 0.0;
      default -> r.nextDouble() * Math.pow(10, r.nextInt(9) - 4);
    };
  }

  private static StudyRow randomRow(Random r) {
    Verdict v = Verdict.values()[r.nextInt(Verdict.values().length)];
    boolean recovered = v == Verdict.RECOVERED;
    OptionalLong orig = r.nextBoolean() ? OptionalLong.of(r.nextInt(1 << 20))
        : OptionalLong.empty();
    return StudyRow.builder()
        .key(r.nextBoolean() ? RecordFormatTest.blockKey() : RecordFormatTest.compositeKey())
        .verdict(v)
        .examplesToRecover(recovered ? OptionalLong.of(r.nextInt(1 << 20)) : OptionalLong.empty())
        .rho(recovered ? OptionalDouble.of(value(r)) : OptionalDouble.empty())
        .refExamples(1 + r.nextInt(1 << 24)).lossOriginal(value(r)).lossAfterWipe(value(r))
        .lossDeleted(r.nextBoolean() ? OptionalDouble.of(value(r)) : OptionalDouble.empty())
        .lossFinal(value(r))
        .examplesScratch(r.nextBoolean() ? OptionalLong.of(r.nextInt(1 << 20))
            : OptionalLong.empty())
        .wallSeconds(value(r)).examplesOrig(orig)
        .rhoOrig(recovered && orig.isPresent() && r.nextBoolean()
            ? OptionalDouble.of(value(r)) : OptionalDouble.empty())
        .lossOriginalSd(value(r)).recoveryLr(value(r)).targetLoss(value(r)).build();
  }
}
