package dev.ablation.study;

import dev.ablation.study.run.Progress;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.ResultsCsv;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.store.StudyRow;
import dev.ablation.study.plan.TrainingSettings;

import dev.ablation.api.Architecture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.Verdict;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyTest {
  static final TrainingSettings TINY = TrainingSettings.builder().vocab(16).seqLen(8).batchSize(8)
      .strings(512).maxEpochs(2).peakRate(1e-3).evalEvery(2).epsilon(0.05).patience(5)
      .budgetFraction(1.0).scratch(true).build();

  static StudyPlan plan() {
    return StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2, 3))
        .widths(List.of(32)).heads(4).wipe(List.of())
        .schemes(List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput()))
        .policies(List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable()))
        .seeds(List.of(1L, 2L)).training(TINY).build();
  }

  static int run(StudyPlan plan, Path dir, boolean resume, FakeStudyEngine engine)
      throws IOException {
    ResultStore store = ResultStore.open(dir, plan, resume);
    int ran = new Study(plan, engine, store, Progress.none()).run();
    store.writeResults();
    return ran;
  }

  static List<CSVRecord> csv(Path dir) throws IOException {
    String text = Files.readString(dir.resolve("results.csv"), StandardCharsets.UTF_8);
    return CSVFormat.RFC4180.parse(new StringReader(text)).getRecords();
  }

  @Test
  void writesTheHeaderAndOneRowPerConfigLayerSchemePolicySeed(@TempDir Path dir)
      throws IOException {
    FakeStudyEngine engine = new FakeStudyEngine();
    int ran = run(plan(), dir, false, engine);
    List<CSVRecord> lines = csv(dir);
    assertEquals(String.join(",", ResultsCsv.HEADER), String.join(",", lines.get(0).toList()));
    assertEquals("arch,n_layers,d_model,layer,scheme,freeze,seed,verdict,examples_to_recover,"
        + "rho,ref_examples,loss_original,loss_after_wipe,loss_deleted,loss_final,"
        + "examples_scratch,wall_s,examples_orig,rho_orig,loss_original_sd,recovery_lr,"
        + "recovery_lr_multiple,target_loss\n",
        Files.readAllLines(dir.resolve("results.csv")).get(0) + "\n");
    Set<String> expected = new HashSet<>();
    for (int n : List.of(2, 3)) {
      for (int l = 0; l < n; l++) {
        for (String s : List.of("FRESH", "ZERO_OUTPUT")) {
          for (String p : List.of("onlyWiped", "allTrainable")) {
            for (int seed : List.of(1, 2)) {
              expected.add("decoder," + n + ",32,blocks." + l + "," + s + "," + p + "," + seed);
            }
          }
        }
      }
    }
    Set<String> seen = new HashSet<>();
    for (CSVRecord r : lines.subList(1, lines.size())) {
      assertEquals(ResultsCsv.HEADER.size(), r.size(), r.toString());
      assertTrue(seen.add(String.join(",", r.toList().subList(0, 7))), "duplicate " + r);
    }
    assertEquals(expected, seen);
    assertEquals(expected.size(), ran);
    assertEquals(4, engine.originalsTrained);
    assertEquals(4, engine.scratchRuns);
  }

  @Test
  void leavesCellsEmptyWhereAValueDoesNotExist(@TempDir Path dir) throws IOException {
    run(plan(), dir, false, new FakeStudyEngine());
    int recovered = 0;
    int not = 0;
    for (CSVRecord r : csv(dir).subList(1, csv(dir).size())) {
      boolean rec = r.get(7).equals("RECOVERED");
      assertEquals(rec, !r.get(8).isEmpty(), "examples_to_recover in " + r);
      assertEquals(rec, !r.get(9).isEmpty(), "rho in " + r);
      assertFalse(r.get(10).isEmpty());
      assertFalse(r.get(13).isEmpty(), "the fake computes loss_deleted: " + r);
      if (rec) {
        recovered++;
        assertEquals(Double.parseDouble(r.get(8)) / Double.parseDouble(r.get(10)),
            Double.parseDouble(r.get(9)), 1e-6);
      } else {
        not++;
      }
    }
    assertTrue(recovered > 0 && not > 0, "both kinds of rows: " + recovered + "/" + not);
  }

  @Test
  void writesRootLocaleNumbersUnderAGermanDefault(@TempDir Path dir) throws IOException {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      run(plan(), dir, false, new FakeStudyEngine());
    } finally {
      Locale.setDefault(before);
    }
    String text = Files.readString(dir.resolve("results.csv"), StandardCharsets.UTF_8);
    assertFalse(text.contains("\""), "nothing needed quoting, so no decimal comma: " + text);
    for (CSVRecord r : csv(dir).subList(1, csv(dir).size())) {
      for (int i : new int[] {8, 9, 10, 11, 12, 13, 14, 15, 16}) {
        assertTrue(r.get(i).matches("|-?\\d+(\\.\\d+)?|NaN|-?Infinity"),
            "cell " + ResultsCsv.HEADER.get(i) + " = '" + r.get(i) + "'");
      }
      assertTrue(r.get(11).contains("."), "L* has decimals: " + r.get(11));
    }
  }

  @Test
  void resumeAfterACrashWithATornLineNeitherLosesNorDuplicates(@TempDir Path root)
      throws IOException {
    Path clean = root.resolve("clean");
    run(plan(), clean, false, new FakeStudyEngine());

    Path crashed = root.resolve("crashed");
    assertThrows(FakeStudyEngine.SimulatedCrash.class,
        () -> run(plan(), crashed, false, new FakeStudyEngine(7)));
    Path csv = crashed.resolve("results.csv");
    assertEquals(1 + 7, Files.readAllLines(csv).size());
    // a kill in the middle of the next append, and of the next record's write
    Files.writeString(csv, "decoder,3,32,blocks.1,FRE", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(crashed.resolve("runs/0123456789abcdef.json.tmp"), "{\"arch\":");

    FakeStudyEngine again = new FakeStudyEngine();
    int ran = run(plan(), crashed, true, again);
    assertEquals(plan().totalRuns() - 7, ran);
    assertEquals(Files.readString(clean.resolve("results.csv")), Files.readString(csv));
    assertEquals(Files.readString(clean.resolve("results.json")),
        Files.readString(crashed.resolve("results.json")));
    assertFalse(Files.exists(crashed.resolve("runs/0123456789abcdef.json.tmp")));
  }

  @Test
  void aCrashInsideAPopulationKeepsTheMembersDecidedBeforeIt(@TempDir Path root)
      throws IOException {
    Path clean = root.resolve("clean");
    run(plan(), clean, false, new FakeStudyEngine());

    // populations of 4: the crash comes with the 8th recovery, inside the second population
    Path crashed = root.resolve("crashed");
    assertThrows(FakeStudyEngine.SimulatedCrash.class,
        () -> run(plan(), crashed, false, new FakeStudyEngine(7).withPopulations(4)));
    assertEquals(1 + 7, Files.readAllLines(crashed.resolve("results.csv")).size(),
        "every member decided before the crash is stored");
    String study = Files.readString(crashed.resolve("study.json"), StandardCharsets.UTF_8);
    assertTrue(study.contains("\"population\"") && study.contains("\"chosen\" : true"), study);

    int ran = run(plan(), crashed, true, new FakeStudyEngine().withPopulations(4));
    assertEquals(plan().totalRuns() - 7, ran);
    assertEquals(Files.readString(clean.resolve("results.csv")),
        Files.readString(crashed.resolve("results.csv")));
  }

  @Test
  void resumeRestoresALineLostBetweenRecordAndCsvAppend(@TempDir Path root) throws IOException {
    Path clean = root.resolve("clean");
    run(plan(), clean, false, new FakeStudyEngine());
    Path crashed = root.resolve("crashed");
    assertThrows(FakeStudyEngine.SimulatedCrash.class,
        () -> run(plan(), crashed, false, new FakeStudyEngine(5)));
    Path csv = crashed.resolve("results.csv");
    List<String> lines = Files.readAllLines(csv);
    Files.write(csv, lines.subList(0, lines.size() - 1)); // record written, line not yet
    FakeStudyEngine again = new FakeStudyEngine();
    assertEquals(plan().totalRuns() - 5, run(plan(), crashed, true, again));
    assertEquals(Files.readString(clean.resolve("results.csv")), Files.readString(csv));
    assertEquals(0, run(plan(), crashed, true, new FakeStudyEngine()), "nothing left to run");
    assertEquals(Files.readString(clean.resolve("results.csv")), Files.readString(csv));
  }

  @Test
  void resumeSkipsScratchAndOriginalsWhoseRunsAreAllDone(@TempDir Path dir) throws IOException {
    run(plan(), dir, false, new FakeStudyEngine());
    StudyPlan more = plan().toBuilder().seeds(List.of(1L, 2L, 3L)).build();
    FakeStudyEngine engine = new FakeStudyEngine();
    int ran = run(more, dir, true, engine);
    assertEquals(more.totalRuns() - plan().totalRuns(), ran);
    assertEquals(2, engine.originalsTrained, "only seed 3's originals");
    assertEquals(2, engine.scratchRuns);
  }

  @Test
  void refusesADirectoryWithResultsWithoutResume(@TempDir Path dir) throws IOException {
    run(plan(), dir, false, new FakeStudyEngine());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ResultStore.open(dir, plan(), false));
    assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains("--out"),
        e.getMessage());
  }

  @Test
  void refusesToResumeWithOtherTrainingSettings(@TempDir Path dir) throws IOException {
    run(plan(), dir, false, new FakeStudyEngine());
    StudyPlan other = plan().toBuilder()
        .training(TINY.toBuilder().evalEvery(3).build()).build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ResultStore.open(dir, other, true));
    assertTrue(e.getMessage().contains("eval_every"), e.getMessage());
  }

  @Test
  void refusesToResumeRunsJudgedByTheOlderRule(@TempDir Path dir) throws IOException {
    run(plan(), dir, false, new FakeStudyEngine());
    // a study.json as builds before the confirmed_step rule wrote it: no t_eps_rule
    Path file = dir.resolve("study.json");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode had =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
            Files.readString(file, StandardCharsets.UTF_8));
    assertTrue(had.remove("t_eps_rule") != null, "this build records the rule");
    Files.writeString(file, json.writeValueAsString(had), StandardCharsets.UTF_8);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ResultStore.open(dir, plan(), true));
    assertTrue(e.getMessage().contains("older rule") && e.getMessage().contains("confirmed_step"),
        e.getMessage());
  }

  @Test
  void everyVerdictRoundTripsThroughJson(@TempDir Path dir) throws IOException {
    StudyPlan p = plan().toBuilder().schemes(List.of(ReinitScheme.fresh(),
        ReinitScheme.shrinkPerturb(0.5, 2.0)))
        .training(TINY.toBuilder().budgetFraction(0.05).build()).build();
    run(p, dir, false, new FakeStudyEngine());
    List<RunRecord> read = RecordJson.readResults(
        Files.readString(dir.resolve("results.json"), StandardCharsets.UTF_8));
    ResultStore store = ResultStore.open(dir, p, true);
    assertEquals(store.records(), read);
    Set<Verdict> verdicts = new HashSet<>();
    read.forEach(r -> verdicts.add(r.row().verdict()));
    assertTrue(verdicts.containsAll(List.of(Verdict.DIVERGED, Verdict.BUDGET_EXHAUSTED)),
        verdicts.toString());
    for (RunRecord r : read) {
      assertEquals(r, RecordJson.fromJson(RecordJson.toJson(r)));
      StudyRow back = ResultsCsv.read(new StringReader(ResultsCsv.headerLine()
          + ResultsCsv.line(r.row()))).get(0);
      assertEquals(r.row().key(), back.key());
      assertEquals(r.row().verdict(), back.verdict());
      assertEquals(r.row().examplesToRecover(), back.examplesToRecover());
      assertEquals(r.row().lossAfterWipe(), back.lossAfterWipe(), 1e-6);
    }
  }

  /**
   * {@code --past-target}: the same plan with a horizon gives every run the verdict and
   * {@code T_ε} it had without one; recovered runs train on to the horizon, carry their
   * agreement at the target, and read back from results.json as written.
   */
  @Test
  void aHorizonKeepsEveryVerdictAndTEpsilonAndIsRecorded(@TempDir Path dir) throws IOException {
    StudyPlan stop = plan();
    long horizon = 100; // within the plan's budget (128 steps)
    StudyPlan past = stop.toBuilder().training(stop.training().toBuilder().horizonSteps(horizon)
        .build()).build();
    run(stop, dir.resolve("stop"), false, new FakeStudyEngine());
    run(past, dir.resolve("past"), false, new FakeStudyEngine());
    List<RunRecord> a = ResultStore.open(dir.resolve("stop"), stop, true).records();
    List<RunRecord> b = ResultStore.open(dir.resolve("past"), past, true).records();
    assertEquals(a.size(), b.size());
    int trainedOn = 0;
    for (int i = 0; i < a.size(); i++) {
      StudyRow x = a.get(i).row();
      StudyRow y = b.get(i).row();
      assertEquals(x.key(), y.key());
      assertEquals(x.verdict(), y.verdict(), x.key().toString());
      assertEquals(x.examplesToRecover(), y.examplesToRecover(), x.key().toString());
      assertTrue(a.get(i).targetFidelity().isEmpty());
      if (y.verdict() == Verdict.RECOVERED && a.get(i).stepsSpent() < horizon) {
        trainedOn++;
        assertEquals(horizon, b.get(i).stepsSpent(), y.key().toString());
        assertEquals(a.get(i).stepsSpent(), b.get(i).targetFidelity().orElseThrow().step());
        assertEquals(Long.toString(horizon),
            b.get(i).manifest().configuration().get("horizon_steps"));
      }
      assertEquals(b.get(i), RecordJson.fromJson(RecordJson.toJson(b.get(i))));
    }
    assertTrue(trainedOn > 0, "runs that recovered before the horizon (the check needs some)");
    // the report says where they settled; a study without a horizon has no such section
    Path md = dev.ablation.study.report.Report.write(dir.resolve("past"), b, past);
    String report = Files.readString(md, StandardCharsets.UTF_8);
    assertTrue(report.contains("## Past the target") && report.contains("| 100 | "), report);
    assertFalse(Files.readString(dev.ablation.study.report.Report.write(dir.resolve("stop"), a,
        stop), StandardCharsets.UTF_8).contains("Past the target"));
  }
}
