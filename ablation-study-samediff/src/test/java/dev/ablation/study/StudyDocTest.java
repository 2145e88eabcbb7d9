package dev.ablation.study;

import dev.ablation.study.plan.Presets;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.study.engine.SameDiffStudyEngine;
import dev.ablation.study.report.Report;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs docs/study.md's "From Java" sketch, and checks the page shows it verbatim. */
class StudyDocTest {

  @Test
  void theStudyFromJavaSketchCompilesRunsAndIsVerbatim(@TempDir Path tmp) throws Exception {
    // BEGIN SKETCH
    Path out = Path.of("study-out");
    // END SKETCH
    out = tmp.resolve("study-out"); // the test writes into a temporary directory
    // BEGIN SKETCH
    StudyPlan quick = Presets.QUICK.plan();
    StudyPlan plan = quick.toBuilder()                     // a preset, narrowed axis by axis
        .seeds(List.of(1L))
        .wipe(List.of(1))
        .training(quick.training().toBuilder().strings(512).scratch(false).build())
        .build();
    Study.Outcome outcome = Study.runInto(out, plan,
        SameDiffStudyEngine::new,                          // one engine per worker
        Study.Options.defaults()                           // every core, a fresh directory
            .withWorkers(2).withProgress(Progress.lines(System.out)));
    Path report = Report.write(outcome.dir(), outcome.records(), plan);             // report.md and plots/
    Report.headline(outcome.records()).forEach(System.out::println);
    // END SKETCH

    assertThat(outcome.ran()).isEqualTo(plan.totalRuns()).isEqualTo(2);
    assertThat(report).exists();
    assertThat(Files.readAllLines(out.resolve(ResultStore.CSV))).hasSize(1 + 2);

    String page = Files.readString(Path.of("../docs/study.md"), StandardCharsets.UTF_8);
    int from = page.indexOf("```java", page.indexOf("## From Java")) + "```java".length();
    String shown = page.substring(from, page.indexOf("```", from));
    String test = Files.readString(Path.of(
        "src/test/java/dev/ablation/study/StudyDocTest.java"), StandardCharsets.UTF_8);
    StringBuilder sketch = new StringBuilder();
    int at = 0;
    while ((at = test.indexOf("// BEGIN SKETCH\n", at)) >= 0) {
      int end = test.indexOf("// END SKETCH", at);
      sketch.append(test, at + "// BEGIN SKETCH\n".length(), end).append('\n');
      at = end;
    }
    assertThat(normalise(shown)).isEqualTo(normalise(sketch.toString()));
  }

  private static String normalise(String code) {
    return code.lines().map(String::strip).filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
