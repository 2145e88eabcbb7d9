package dev.ablation.study;

import dev.ablation.study.store.FailedRun;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.run.Progress;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.ResultsCsv;
import dev.ablation.study.store.RunFiles;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that threw, written by a writer without a store ({@link RunFiles}, as a cluster
 * executor does), is read back by the store as a FAILED row: done for resume, in the CSV with
 * empty numbers, in {@code results.json} with its error.
 */
class FailedRunTest {

  @Test
  void aFailedRunIsStoredReadBackAndSkipped(@TempDir Path dir) throws IOException {
    StudyPlan plan = StudyTest.plan();
    OriginalSpec o = plan.originals().get(0);
    RecoveryRequest r = plan.runs(o).get(1);
    RunKey key = RunKey.of(o, r);
    ResultStore.open(dir, plan, false);
    RunFiles.write(dir, new FailedRun(key, "java.lang.IllegalStateException: boom, \"quoted\""));

    ResultStore store = ResultStore.open(dir, plan, true);
    assertThat(store.isDone(key)).isTrue();
    assertThat(store.records()).isEmpty();
    assertThat(store.failures()).containsExactly(
        new FailedRun(key, "java.lang.IllegalStateException: boom, \"quoted\""));
    store.writeResults();

    List<String> lines = Files.readAllLines(dir.resolve(ResultStore.CSV), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith(String.join(",", ResultsCsv.cells(
        new FailedRun(key, "x")).subList(0, 8)) + ",,,");
    assertThat(lines.get(1).split(",", -1)).hasSize(ResultsCsv.HEADER.size());
    assertThat(ResultsCsv.read(new StringReader(String.join("\n", lines) + "\n"))).isEmpty();
    assertThat(Files.readString(dir.resolve(ResultStore.JSON), StandardCharsets.UTF_8))
        .contains("\"failed\"").contains("boom, \\\"quoted\\\"");

    // the fake engine completes every other run of the plan and never reruns this one
    FakeStudyEngine engine = new FakeStudyEngine();
    int ran = new Study(plan, engine, store, Progress.none()).run();
    assertThat(ran).isEqualTo(plan.totalRuns() - 1);
    assertThat(store.failures()).hasSize(1);
    assertThat(store.records()).hasSize(plan.totalRuns() - 1);
  }

  @Test
  void aFailedRunNeedsAnError() {
    StudyPlan plan = StudyTest.plan();
    OriginalSpec o = plan.originals().get(0);
    RunKey key = RunKey.of(o, plan.runs(o).get(0));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FailedRun(key, " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("error text");
  }
}
