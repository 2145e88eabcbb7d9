package dev.ablation.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.cli.StudyOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The application's command line: the study's options, checked before Spark starts. */
class SparkStudyAppTest {

  private static final EngineFactory NO_ENGINE = dir -> {
    throw new AssertionError("nothing may train when the options are bad");
  };

  @Test
  void sharesTheStudyOptionsMixinAndAddsMaster() {
    CommandLine cl = SparkStudyApp.commandLine(NO_ENGINE);
    List<String> names = cl.getCommandSpec().options().stream()
        .flatMap(o -> List.of(o.names()).stream()).toList();
    assertThat(cl.getCommandSpec().mixins().values())
        .anyMatch(m -> m.userObject() instanceof StudyOptions);
    assertThat(names).doesNotHaveDuplicates().contains("--master", "--out", "--train-steps");
  }

  @Test
  void reportsEveryBadValueAtOnceAndStartsNoSpark(@TempDir Path tmp) {
    StringWriter err = new StringWriter();
    CommandLine cl = SparkStudyApp.commandLine(NO_ENGINE);
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute("--master", "local[1]", "--out", tmp.resolve("o").toString(),
        "--preset", "nope", "--layers", "2", "--wipe", "5", "--schemes", "WRONG");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("nothing was trained").contains("unknown preset 'nope'")
        .contains("layer 5 in --wipe").contains("WRONG");
  }

  @Test
  void needsAMasterFromSparkSubmitOrTheCommandLine(@TempDir Path tmp) {
    StringWriter err = new StringWriter();
    CommandLine cl = SparkStudyApp.commandLine(NO_ENGINE);
    cl.setErr(new PrintWriter(err));
    String before = System.clearProperty("spark.master");
    try {
      int rc = cl.execute("--out", tmp.resolve("o").toString(), "--preset", "quick");
      assertThat(rc).isEqualTo(2);
      assertThat(err.toString()).contains("no Spark master").contains("--master");
    } finally {
      if (before != null) {
        System.setProperty("spark.master", before);
      }
    }
  }
}
