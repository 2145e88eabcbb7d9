package dev.ablation.study.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Architecture;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real engine on two workers gives the rows of one worker, apart from {@code wall_s}: the
 * originals one worker trained and the other loaded, the runs each did on its own graphs.
 */
class SameDiffWorkersTest {
  // trained enough that a wipe does damage (a barely trained original is UNDAMAGED by any wipe)
  static final TrainingSettings TINY = TrainingSettings.builder().vocab(8).seqLen(8).batchSize(8)
      .strings(512).maxEpochs(2).peakRate(3e-3).evalEvery(2).epsilon(0.05).patience(3)
      .budgetFraction(0.5).scratch(true).build();

  static StudyPlan plan() {
    return StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2)).widths(List.of(16))
        .heads(4).wipe(List.of()).schemes(List.of(ReinitScheme.fresh()))
        .policies(List.of(FreezePolicy.onlyWiped())).seeds(List.of(1L, 2L)).training(TINY).build();
  }

  /** Every CSV row without its {@code wall_s} cell. */
  static List<List<String>> withoutWallTime(Path dir) throws IOException {
    List<org.apache.commons.csv.CSVRecord> rows = org.apache.commons.csv.CSVFormat.RFC4180
        .parse(Files.newBufferedReader(dir.resolve("results.csv"))).getRecords();
    int wall = rows.get(0).toList().indexOf("wall_s");
    assertTrue(wall >= 0, "a wall_s column");
    return rows.stream().map(r -> {
      List<String> cells = new java.util.ArrayList<>(r.toList());
      cells.remove(wall);
      return cells;
    }).toList();
  }

  @Test
  void twoWorkersGiveTheRowsOfOne(@TempDir Path root) throws IOException {
    AtomicInteger oneThread = new AtomicInteger();
    Study.Outcome one = Study.runInto(root.resolve("one"), plan(), SameDiffStudyEngine::new,
        new Study.Options(1, false, Progress.none()));
    Study.Outcome two = Study.runInto(root.resolve("two"), plan(), cacheDir -> {
      SameDiffStudyEngine e = new SameDiffStudyEngine(cacheDir);
      if (NativeThreads.openMpMaxThreads() == 1) {
        oneThread.incrementAndGet();
      }
      return e;
    }, new Study.Options(2, false, Progress.none()));

    assertEquals(plan().totalRuns(), one.ran());
    assertEquals(plan().totalRuns(), two.ran());
    assertEquals(3, oneThread.get(), "the probe and both workers run one OpenMP thread");
    assertEquals(withoutWallTime(root.resolve("one")), withoutWallTime(root.resolve("two")));
    for (int i = 0; i < one.records().size(); i++) {
      RunRecord a = one.records().get(i);
      RunRecord b = two.records().get(i);
      assertEquals(a.curve(), b.curve(), a.key().toString());
      assertEquals(a.finalFidelity(), b.finalFidelity(), a.key().toString());
    }
    assertTrue(one.records().stream().allMatch(r -> r.curve().size() > 1
        && r.row().verdict() != dev.ablation.api.recovery.Verdict.UNDAMAGED),
        "every run retrained: " + one.records().stream().map(r -> r.row().verdict()).toList());
  }
}
