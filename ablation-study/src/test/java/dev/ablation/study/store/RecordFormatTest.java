package dev.ablation.study.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ablation.api.Architecture;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.plan.RunKey;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@code results.json} and {@code results.csv} of two fixed records, byte for byte. Between
 * them the records fill every field once and leave every optional one empty once (a recovered
 * block run with fidelity at its target, T_orig and T_scratch; a composite run stopped by its
 * budget with non-finite losses), so a change to how a record is built, stored or read that
 * moves one character of either file fails here. The golden files were written by the code of
 * the commit that added this test, before {@link StudyRow} and {@link RunRecord} became
 * classes with builders; they are the files' format, not this code's output.
 *
 * <p>Regenerate (from {@code ablation-study/}, only for a deliberate format change):
 * {@code -Dablation.golden.records=write}.
 */
class RecordFormatTest {
  private static final Path GOLDEN = Path.of("src/test/resources/dev/ablation/study/store/golden");
  private static final boolean WRITE = "write".equals(System.getProperty("ablation.golden.records"));

  private static final String MANIFEST = "{\"schema\":2,\"library\":\"0.0-test\","
      + "\"configuration\":{\"lr\":\"0.003\",\"arch\":\"decoder\"},"
      + "\"seeds\":{\"wipe\":7,\"master\":1},"
      + "\"environment\":{\"javaVersion\":\"17\",\"javaVendor\":\"test\",\"os\":\"Linux\","
      + "\"arch\":\"amd64\",\"cpu\":\"cpu\",\"cores\":2,\"engine\":\"fake\","
      + "\"engineVersion\":\"0\",\"backend\":\"cpu\",\"nativeBuild\":\"unknown\"},"
      + "\"gitCommit\":\"abc123\"}";

  static RunManifest manifest() {
    return RunManifest.fromJson(MANIFEST);
  }

  static RunKey blockKey() {
    return RunKey.Reader.parsing().read(Architecture.DECODER_ONLY.key(), 3, 32, "blocks.1",
        ReinitScheme.fresh().toString(), FreezePolicy.onlyWiped().key(), 2, 3.0);
  }

  static RunKey compositeKey() {
    return RunKey.Reader.parsing().read(Architecture.ENCODER_DECODER.key(), 2, 16,
        "decoder.cross_attn.all", ReinitScheme.zeroOutput().toString(),
        FreezePolicy.allTrainable().key(), 5, 1.0);
  }

  /** A recovered block run: every optional value present. */
  static RunRecord recovered() {
    StudyRow row = StudyRow.builder().key(blockKey()).verdict(Verdict.RECOVERED)
        .examplesToRecover(OptionalLong.of(4096)).rho(OptionalDouble.of(0.0625)).refExamples(65536)
        .lossOriginal(1.4012345678901).lossAfterWipe(3.25).lossDeleted(OptionalDouble.of(2.5))
        .lossFinal(1.445).examplesScratch(OptionalLong.of(32768)).wallSeconds(12.3456789)
        .examplesOrig(OptionalLong.of(8192)).rhoOrig(OptionalDouble.of(0.5)).lossOriginalSd(0.0123)
        .recoveryLr(9e-3).targetLoss(1.45).build();
    List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, 3.25, Double.NaN),
        new CurvePoint(64, 4096, 65536, 1.445, 1.45));
    List<CurvePoint> original = List.of(new CurvePoint(0, 0, 0, 5.5, 5.5),
        new CurvePoint(256, 8192, 131072, 1.4, 1.41));
    return RunRecord.builder().row(row).position(OptionalInt.of(1)).targetLoss(1.45).stepsSpent(64)
        .examplesSpent(4096).finalFidelity(Optional.of(new Fidelity(0.875, 0.03125))).curve(curve)
        .manifest(manifest()).originalCurve(original)
        .targetFidelity(Optional.of(new FidelityAt(48, new Fidelity(0.75, 0.0625)))).build();
  }

  /** A composite run stopped by its budget: every optional value empty, losses non-finite. */
  static RunRecord exhausted() {
    StudyRow row = StudyRow.builder().key(compositeKey()).verdict(Verdict.BUDGET_EXHAUSTED)
        .refExamples(1000).lossOriginal(2.0).lossAfterWipe(Double.POSITIVE_INFINITY)
        .lossFinal(Double.NaN).wallSeconds(0.5).lossOriginalSd(0).recoveryLr(Double.NaN)
        .targetLoss(2.05).build();
    List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, Double.POSITIVE_INFINITY,
        Double.NaN), new CurvePoint(10, 1000, 8000, Double.NaN, Double.NaN));
    return RunRecord.builder().row(row).position(OptionalInt.empty()).targetLoss(2.05)
        .budgetCap(Optional.of(BudgetCap.EXAMPLES)).stepsSpent(10).examplesSpent(1000).curve(curve)
        .manifest(manifest()).build();
  }

  static List<RunRecord> records() {
    return List.of(recovered(), exhausted());
  }

  static List<FailedRun> failures() {
    return List.of(new FailedRun(blockKey(), "java.lang.IllegalStateException: boom, \"x\""));
  }

  private static String csv(List<StudyRow> rows) {
    StringBuilder out = new StringBuilder(ResultsCsv.headerLine());
    rows.forEach(r -> out.append(ResultsCsv.line(r)));
    failures().forEach(f -> out.append(ResultsCsv.line(f)));
    return out.toString();
  }

  private static String golden(String name, String written) throws IOException {
    if (WRITE) {
      Files.createDirectories(GOLDEN);
      Files.writeString(GOLDEN.resolve(name), written, StandardCharsets.UTF_8);
    }
    return Files.readString(GOLDEN.resolve(name), StandardCharsets.UTF_8);
  }

  @Test
  void resultsJsonIsThePinnedOne() throws IOException {
    String json = RecordJson.results(records(), failures());
    assertThat(json).isEqualTo(golden("results.json", json));
  }

  @Test
  void resultsCsvIsThePinnedOne() throws IOException {
    String csv = csv(records().stream().map(RunRecord::row).toList());
    assertThat(csv).isEqualTo(golden("results.csv", csv));
  }

  @Test
  void aRunRecordFileIsThePinnedOne() throws IOException {
    String json = RecordJson.toJson(recovered());
    assertThat(json).isEqualTo(golden("record.json", json));
  }

  @Test
  void thePinnedJsonReadsBackToTheSameRecordsAndBytes() throws IOException {
    String json = Files.readString(GOLDEN.resolve("results.json"), StandardCharsets.UTF_8);
    List<RunRecord> read = RecordJson.readResults(json);
    assertThat(read).isEqualTo(records());
    List<FailedRun> failed = new ArrayList<>();
    RecordJson.MAPPER.readTree(json).path("failed").elements().forEachRemaining(
        (JsonNode n) -> failed.add(RecordJson.failedFromNode(n, RunKey.Reader.parsing())));
    assertThat(RecordJson.results(read, failed)).isEqualTo(json);
    String one = Files.readString(GOLDEN.resolve("record.json"), StandardCharsets.UTF_8);
    assertThat(RecordJson.toJson(RecordJson.fromJson(one))).isEqualTo(one);
  }

  @Test
  void thePinnedCsvReadsBackToTheSameBytes() throws IOException {
    String csv = Files.readString(GOLDEN.resolve("results.csv"), StandardCharsets.UTF_8);
    List<StudyRow> read = ResultsCsv.read(new StringReader(csv));
    // wall_s is written to the millisecond: all else reads back exactly
    assertThat(read.get(1)).isEqualTo(exhausted().row());
    assertThat(csv(read)).isEqualTo(csv);
  }
}
