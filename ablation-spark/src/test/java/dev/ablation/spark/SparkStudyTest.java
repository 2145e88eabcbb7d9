package dev.ablation.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.Architecture;
import dev.ablation.study.FakeStudyEngine;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.ResultsCsv;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.engine.SameDiffStudyEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
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
   * Two originals (seeds 1, 2: two tasks at once) of a 1-block decoder trained for 16 steps,
   * with T_scratch: 2 runs of at most 16 steps. Kept this small because the test trains it
   * twice (sequentially and on Spark) with the real engine.
   */
  static final StudyPlan TINY = StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(1))
      .widths(List.of(16)).heads(4).wipe(List.of()).schemes(List.of(ReinitScheme.zeroOutput()))
      .policies(List.of(FreezePolicy.onlyWiped())).seeds(List.of(1L, 2L))
      .training(TrainingSettings.builder().vocab(8).seqLen(8).batchSize(16).strings(128)
          .maxEpochs(2).peakRate(3e-3).evalEvery(4).epsilon(0.05).patience(4).budgetFraction(1.0)
          .scratch(true).build())
      .build();

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
      assertThat(new Study(TINY, engine, store, Progress.none()).run()).isEqualTo(2);
    }
    store.writeResults();

    Path out = tmp.resolve("spark");
    StringWriter log = new StringWriter();
    SparkStudy.Submission first = new SparkStudy(sc, TINY, out, false, EngineFactory.sameDiff(),
        new PrintWriter(log)).run();
    assertThat(first).isEqualTo(new SparkStudy.Submission(2, 0, 2, 0, 2));
    assertThat(withoutWallTime(out)).isEqualTo(withoutWallTime(seq));
    assertThat(out.resolve("report.md")).exists();
    assertThat(out.resolve(ResultStore.JSON)).exists();

    String csv = Files.readString(out.resolve(ResultStore.CSV), StandardCharsets.UTF_8);
    SparkStudy.Submission second = new SparkStudy(sc, TINY, out, true, EngineFactory.sameDiff(),
        new PrintWriter(log)).run();
    assertThat(second).isEqualTo(new SparkStudy.Submission(2, 2, 0, 0, 0));
    assertThat(Files.readString(out.resolve(ResultStore.CSV), StandardCharsets.UTF_8))
        .isEqualTo(csv);
  }

  /**
   * On the fake engine: a run that throws becomes a FAILED row with its error, an original
   * that cannot be trained makes all its runs FAILED, the job still finishes and writes every
   * other row; a resubmit runs nothing, the failures included.
   */
  @Test
  void aRunThatThrowsBecomesAFailedRowNotAFailedJob(@TempDir Path tmp) throws IOException {
    StudyPlan plan = TINY.toBuilder().depths(List.of(2))
        .seeds(List.of(1L, 2L, 3L)).build();
    EngineFactory flaky = dir -> new FlakyEngine(new FakeStudyEngine());
    Path out = tmp.resolve("flaky");
    SparkStudy.Submission first = new SparkStudy(sc, plan, out, false, flaky,
        new PrintWriter(new StringWriter())).run();
    // seed 3's original throws (2 runs); blocks.1 throws on seeds 1 and 2 (2 runs)
    assertThat(first).isEqualTo(new SparkStudy.Submission(6, 0, 6, 4, 3));
    ResultStore store = ResultStore.open(out, plan, true);
    assertThat(store.records()).extracting(r -> r.key().layer() + "/" + r.key().seed())
        .containsExactly("blocks.0/1", "blocks.0/2");
    assertThat(store.failures()).extracting(f -> f.key().layer() + "/" + f.key().seed())
        .containsExactly("blocks.0/3", "blocks.1/1", "blocks.1/2", "blocks.1/3");
    assertThat(store.failures().get(0).error()).contains("IllegalStateException")
        .contains("no original for seed 3");
    assertThat(store.failures().get(1).error()).contains("boom in blocks.1")
        .contains("Spark stage");
    String csv = Files.readString(out.resolve(ResultStore.CSV), StandardCharsets.UTF_8);
    assertThat(csv.lines().filter(l -> l.contains(",FAILED,"))).hasSize(4);
    assertThat(Files.readString(out.resolve(ResultStore.JSON), StandardCharsets.UTF_8))
        .contains("boom in blocks.1");
    assertThat(Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8))
        .contains("## Runs that failed").contains("boom in blocks.1");

    SparkStudy.Submission second = new SparkStudy(sc, plan, out, true, flaky,
        new PrintWriter(new StringWriter())).run();
    assertThat(second).isEqualTo(new SparkStudy.Submission(6, 6, 0, 0, 0));
  }

  /** Tasks of one run each give the rows of one task per original (fake engine). */
  @Test
  void splittingAnOriginalsRunsIntoTasksGivesTheSameRows(@TempDir Path tmp) throws IOException {
    StudyPlan plan = TINY.toBuilder().depths(List.of(3)).build();
    EngineFactory fake = dir -> new FakeStudyEngine();
    PrintWriter quiet = new PrintWriter(new StringWriter());
    SparkStudy.Submission whole = new SparkStudy(sc, plan, tmp.resolve("whole"), false, fake,
        quiet).run();
    SparkStudy.Submission split = new SparkStudy(sc, plan, tmp.resolve("split"), false, fake, 1,
        quiet).run();
    assertThat(split).isEqualTo(whole).isEqualTo(new SparkStudy.Submission(6, 0, 6, 0, 2));
    assertThat(withoutWallTime(tmp.resolve("split")))
        .isEqualTo(withoutWallTime(tmp.resolve("whole"))).hasSize(6);
  }

  /** The fake engine, except that seed 3's original and every run wiping blocks.1 throw. */
  static final class FlakyEngine implements StudyEngine {
    private final StudyEngine inner;

    FlakyEngine(StudyEngine inner) {
      this.inner = inner;
    }

    @Override
    public OriginalRecord original(OriginalSpec spec) {
      if (spec.seed() == 3) {
        throw new IllegalStateException("no original for seed 3");
      }
      return inner.original(spec);
    }

    @Override
    public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
        RecoveryListener listener) {
      if (request.target().label().equals("blocks.1")) {
        throw new IllegalStateException("boom in blocks.1");
      }
      return inner.recover(original, request, listener);
    }

    @Override
    public OptionalLong scratchExamples(OriginalRecord original) {
      return inner.scratchExamples(original);
    }
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
