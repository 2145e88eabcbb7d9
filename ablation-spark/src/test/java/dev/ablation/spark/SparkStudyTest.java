package dev.ablation.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.study.Arch;
import dev.ablation.study.Progress;
import dev.ablation.study.ResultStore;
import dev.ablation.study.ResultsCsv;
import dev.ablation.study.Study;
import dev.ablation.study.StudyPlan;
import dev.ablation.study.TrainingSettings;
import dev.ablation.study.engine.SameDiffStudyEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark study on {@code local[2]} against the sequential study, on a tiny plan with the
 * real SameDiff engine: the same rows (all but {@code wall_s}), and a second submit that runs
 * nothing.
 */
class SparkStudyTest {
  /**
   * Two originals (seeds 1, 2: two tasks in parallel) of a 2-block decoder, with T_scratch:
   * 4 runs of at most 16 steps.
   */
  static final StudyPlan TINY = new StudyPlan(List.of(Arch.DECODER), List.of(2), List.of(16), 4,
      List.of(), List.of(ReinitScheme.zeroOutput()),
      List.of(FreezePolicy.onlyWiped()), List.of(1L, 2L),
      new TrainingSettings(8, 8, 16, 128, 2, 3e-3, 4, 0.05, 4, 1.0, true));

  static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(localConf(2));
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.close();
    }
  }

  static SparkConf localConf(int threads) {
    return new SparkConf().setMaster("local[" + threads + "]").setAppName("SparkStudyTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
  }

  @Test
  void sameRowsAsTheSequentialStudyAndASecondSubmitRunsNothing(@TempDir Path tmp)
      throws IOException {
    Path seq = tmp.resolve("sequential");
    ResultStore store = ResultStore.open(seq, TINY, false);
    try (SameDiffStudyEngine engine = new SameDiffStudyEngine(seq.resolve("originals"))) {
      assertThat(new Study(TINY, engine, store, Progress.none()).run()).isEqualTo(4);
    }
    store.writeResults();

    Path out = tmp.resolve("spark");
    StringWriter log = new StringWriter();
    SparkStudy.Outcome first = new SparkStudy(sc, TINY, out, false, EngineFactory.sameDiff(),
        new PrintWriter(log)).run();
    assertThat(first).isEqualTo(new SparkStudy.Outcome(4, 0, 4, 0, 2));
    assertThat(withoutWallTime(out)).isEqualTo(withoutWallTime(seq));
    assertThat(out.resolve("report.md")).exists();
    assertThat(out.resolve(ResultStore.JSON)).exists();

    String csv = Files.readString(out.resolve(ResultStore.CSV), StandardCharsets.UTF_8);
    SparkStudy.Outcome second = new SparkStudy(sc, TINY, out, true, EngineFactory.sameDiff(),
        new PrintWriter(log)).run();
    assertThat(second).isEqualTo(new SparkStudy.Outcome(4, 4, 0, 0, 0));
    assertThat(Files.readString(out.resolve(ResultStore.CSV), StandardCharsets.UTF_8))
        .isEqualTo(csv);
  }

  /** The rows of {@code dir}'s results.csv as cell lists, {@code wall_s} blanked. */
  static List<List<String>> withoutWallTime(Path dir) throws IOException {
    int wall = ResultsCsv.HEADER.indexOf("wall_s");
    assertThat(wall).isNotNegative();
    try (var in = Files.newBufferedReader(dir.resolve(ResultStore.CSV), StandardCharsets.UTF_8)) {
      return ResultsCsv.read(in).stream().map(r -> {
        List<String> cells = new java.util.ArrayList<>(ResultsCsv.cells(r));
        cells.set(wall, "");
        return List.copyOf(cells);
      }).toList();
    }
  }
}
