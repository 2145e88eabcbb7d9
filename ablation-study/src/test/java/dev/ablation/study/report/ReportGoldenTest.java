package dev.ablation.study.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.api.Architecture;
import dev.ablation.study.store.FailedRun;
import dev.ablation.study.FakeStudyEngine;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.store.StudyRow;
import dev.ablation.study.plan.Task;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.plan.WipeKind;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a fixed results set, character for character. The input
 * ({@code golden/results.json}) is a small study of the {@link FakeStudyEngine} (two decoder
 * depths, one more width at 3× the rate, an encoder-decoder with its cross-attention targets,
 * every verdict but {@code BUDGET_EXHAUSTED}, and one failed run); the expected Markdown
 * ({@code golden/report.md}, {@code golden/headline.md}) was written by the report code of the
 * commit that added it. A refactoring of the report must leave both unchanged; a deliberate
 * change regenerates them and shows up as a diff in review.
 *
 * <p>Regenerate (from {@code ablation-study/}): {@code -Dablation.golden=report} rewrites the
 * Markdown from the committed input; {@code -Dablation.golden=results} first rewrites the input
 * from the fake engine.
 */
class ReportGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/dev/ablation/study/report/golden");
  private static final String MODE = System.getProperty("ablation.golden", "");

  @Test
  void theReportOfTheFixedResultsIsTheGoldenOne(@TempDir Path dir) throws IOException {
    if (MODE.equals("results")) {
      writeResults(dir.resolve("generate"));
    }
    String json = Files.readString(GOLDEN.resolve("results.json"), StandardCharsets.UTF_8);
    List<RunRecord> records = RecordJson.readResults(json);
    List<FailedRun> failures = failures(json);
    Report.write(dir, records, failures, "the fixed golden criterion");
    String md = Files.readString(dir.resolve(Report.FILE), StandardCharsets.UTF_8);
    String headline = String.join("\n", Report.headline(records)) + "\n";
    if (!MODE.isEmpty()) {
      Files.writeString(GOLDEN.resolve("report.md"), md, StandardCharsets.UTF_8);
      Files.writeString(GOLDEN.resolve("headline.md"), headline, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(GOLDEN.resolve("report.md"), StandardCharsets.UTF_8), md);
    assertEquals(Files.readString(GOLDEN.resolve("headline.md"), StandardCharsets.UTF_8),
        headline);
  }

  private static List<FailedRun> failures(String json) throws IOException {
    List<FailedRun> out = new ArrayList<>();
    JsonNode root = new ObjectMapper().readTree(json);
    root.path("failed").elements().forEachRemaining(
        n -> out.add(RecordJson.failedFromNode(n, RunKey.Reader.parsing())));
    return out;
  }

  /** The generator of {@code golden/results.json}: three fake studies and a few edits. */
  private static void writeResults(Path dir) throws IOException {
    TrainingSettings markov = TrainingSettings.builder().vocab(16).seqLen(8).batchSize(8)
        .strings(512).maxEpochs(2).peakRate(1e-3).evalEvery(8).epsilon(0.05).patience(5)
        .budgetFraction(1.0).scratch(true).build();
    TrainingSettings translate = markov.toBuilder().task(Task.TRANSLATE).build();
    List<RunRecord> records = new ArrayList<>();
    records.addAll(run(dir.resolve("a"), StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY))
        .depths(List.of(2, 3)).widths(List.of(32)).heads(4).wipe(List.of())
        .schemes(List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput()))
        .policies(List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable()))
        .seeds(List.of(1L, 2L, 3L)).training(markov).build()));
    records.addAll(run(dir.resolve("b"), StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY))
        .depths(List.of(2)).widths(List.of(64)).heads(4).wipe(List.of())
        .schemes(List.of(ReinitScheme.fresh(), ReinitScheme.shrinkPerturb(0.5, 2.0)))
        .policies(List.of(FreezePolicy.onlyWiped())).seeds(List.of(1L, 2L, 3L))
        .training(markov).recoveryLr(List.of(1.0, 3.0)).build()));
    records.addAll(run(dir.resolve("c"), StudyPlan.builder()
        .archs(List.of(Architecture.ENCODER_DECODER)).depths(List.of(2)).widths(List.of(32)).heads(4)
        .wipe(List.of()).schemes(List.of(ReinitScheme.fresh()))
        .policies(List.of(FreezePolicy.onlyWiped())).seeds(List.of(1L, 2L, 3L))
        .training(translate).recoveryLr(List.of(1.0))
        .kinds(List.of(WipeKind.BLOCK, WipeKind.CROSS_ATTENTION,
            WipeKind.ALL_CROSS_ATTENTION)).build()));
    // the fake always damages past the target: make the last block of N = 3 undamaged in two
    // seeds, as the middle and late blocks of deeper models are
    List<RunRecord> edited = new ArrayList<>();
    for (RunRecord r : records) {
      RunKey k = r.key();
      boolean undamaged = k.arch() == Architecture.DECODER_ONLY && k.nLayers() == 3
          && k.layer().equals("blocks.2") && k.seed() != 2;
      edited.add(undamaged ? undamaged(r) : r);
    }
    RunKey failedKey = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(3).dModel(32)
        .target(records.stream()
            .filter(r -> r.key().arch() == Architecture.DECODER_ONLY && r.key().nLayers() == 3)
            .findFirst().orElseThrow().key().target())
        .scheme(ReinitScheme.fresh()).freeze(FreezePolicy.onlyWiped()).seed(4L).build();
    List<FailedRun> failures = List.of(new FailedRun(failedKey,
        "java.lang.IllegalStateException: out of memory | while\nevaluating"));
    Files.createDirectories(GOLDEN);
    ObjectMapper mapper = new ObjectMapper();
    JsonNode root = mapper.readTree(RecordJson.results(edited, failures));
    // small enough to review: six significant digits, and the original's curve (which the
    // report reads once per original) kept on the first run of each original only
    Set<String> seen = new HashSet<>();
    root.path("runs").elements().forEachRemaining(run -> {
      String original = run.path("arch").asText() + "," + run.path("n_layers").asText() + ","
          + run.path("d_model").asText() + "," + run.path("seed").asText();
      if (!seen.add(original)) {
        ((ObjectNode) run).remove("original_curve");
      }
    });
    Files.writeString(GOLDEN.resolve("results.json"),
        mapper.writeValueAsString(rounded(root, mapper)) + "\n", StandardCharsets.UTF_8);
  }

  private static JsonNode rounded(JsonNode n, ObjectMapper mapper) {
    if (n.isDouble() || n.isFloat()) {
      return DoubleNode.valueOf(new BigDecimal(n.doubleValue()).round(new MathContext(6))
          .doubleValue());
    }
    if (n.isObject()) {
      ObjectNode out = mapper.createObjectNode();
      n.fields().forEachRemaining(e -> out.set(e.getKey(), rounded(e.getValue(), mapper)));
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = mapper.createArrayNode();
      n.elements().forEachRemaining(e -> out.add(rounded(e, mapper)));
      return out;
    }
    return n;
  }

  private static List<RunRecord> run(Path dir, StudyPlan plan) throws IOException {
    Files.createDirectories(dir);
    ResultStore store = ResultStore.open(dir, plan, false);
    new Study(plan, new FakeStudyEngine(), store, Progress.none()).run();
    return store.records();
  }

  /** {@code r} as if its wipe had left L₀ just under the target: no step taken. */
  private static RunRecord undamaged(RunRecord r) {
    StudyRow s = r.row();
    double l0 = s.targetLoss() - 0.001;
    StudyRow row = StudyRow.builder().key(s.key()).verdict(Verdict.UNDAMAGED)
        .refExamples(s.refExamples()).lossOriginal(s.lossOriginal()).lossAfterWipe(l0)
        .lossDeleted(s.lossDeleted()).lossFinal(l0).examplesScratch(s.examplesScratch())
        .wallSeconds(0.0).examplesOrig(s.examplesOrig()).lossOriginalSd(s.lossOriginalSd())
        .recoveryLr(s.recoveryLr()).targetLoss(s.targetLoss()).build();
    return RunRecord.builder().row(row).position(r.position()).targetLoss(r.targetLoss())
        .stepsSpent(0).examplesSpent(0).curve(List.of(new CurvePoint(0, 0, 0, l0, Double.NaN)))
        .manifest(r.manifest()).originalCurve(r.originalCurve()).build();
  }
}
