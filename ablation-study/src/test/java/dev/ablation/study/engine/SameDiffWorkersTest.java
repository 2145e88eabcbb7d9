package dev.ablation.study.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.study.Arch;
import dev.ablation.study.Progress;
import dev.ablation.study.RunRecord;
import dev.ablation.study.Study;
import dev.ablation.study.StudyPlan;
import dev.ablation.study.TrainingSettings;
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
  static final TrainingSettings TINY = new TrainingSettings(8, 8, 8, 96, 1, 3e-3, 2, 0.05, 3,
      0.5, true);

  static StudyPlan plan() {
    return new StudyPlan(List.of(Arch.DECODER), List.of(2), List.of(16), 4, List.of(),
        List.of(ReinitScheme.fresh()), List.of(FreezePolicy.onlyWiped()), List.of(1L, 2L), TINY);
  }

  /** Every CSV line without its {@code wall_s} cell (new columns may follow it). */
  static List<String> withoutWallTime(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
    int wall = java.util.Arrays.asList(lines.get(0).split(",", -1)).indexOf("wall_s");
    return lines.stream().map(l -> {
      List<String> cells = new java.util.ArrayList<>(java.util.Arrays.asList(l.split(",", -1)));
      cells.remove(wall);
      return String.join(",", cells);
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
    assertTrue(one.records().stream().anyMatch(r -> r.row().examplesScratch().isPresent()
        || r.row().lossAfterWipe() > r.row().lossOriginal()), "the runs did something");
  }
}
