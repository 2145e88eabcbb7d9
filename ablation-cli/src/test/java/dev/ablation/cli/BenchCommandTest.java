package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Runs {@code bench} tiny: checks the output format and the names, not the figures. */
class BenchCommandTest {

  @Test
  void printsOneNameValuePerLineForEveryFigure() {
    CommandLine cl = Main.commandLine(Main.DEFAULT_ENGINE);
    StringWriter text = new StringWriter();
    cl.setOut(new PrintWriter(text));
    int status = cl.execute("bench", "--config", "2x8x4", "--warmup", "1", "--timed", "1",
        "--steps", "10", "--skip-study");
    assertThat(status).isZero();
    List<String> lines = text.toString().lines().toList();
    assertThat(lines).allMatch(l -> l.matches("[A-Za-z0-9_.]+=[^=\\s]+"), "name=value lines");
    assertThat(lines).anyMatch(l -> l.startsWith("load_avg_1m_start="));
    assertThat(lines).anyMatch(l -> l.startsWith("collectors="));
    assertThat(lines).contains("native_build=" + expectedNativeBuild(), "step_arena=true");
    for (String name : List.of("full_step_ms", "eval_ms_per_batch", "recovery_step_ms_L0",
        "recovery_step_ms_L1", "recovery_step_ms_L1_plain", "recovery_over_full_L1",
        "rss_mb_start", "rss_mb_after_1_steps", "rss_mb_after_10_steps",
        "rss_growth_mb_10_steps", "step_wall_over_cpu", "step_gc_ms", "long_run_wall_over_cpu",
        "long_run_gc_pause_fraction", "ops_per_step",
        "full_step_cpu_ms", "population_K8_over_single", "population_K8_L0_over_single",
        "population_K8_L1_over_single_wall", "population_K8_over_fastpath",
        "population_K8_half_retired_step_cpu_ms", "population_K8_rebuild_to_K4_ms",
        "population_K8_rebuilt_K4_step_cpu_ms", "population_K8_recovery_over_fastpath")) {
      assertThat(lines).as(name).anyMatch(l -> l.startsWith("n2_d8_t4." + name + "="));
    }
  }

  /**
   * The build Maven put on the class path (passed by surefire from the pom's properties, so the
   * test follows -Pcuda): the CPU backend's classifier, or {@code unknown} for another backend.
   */
  static String expectedNativeBuild() {
    String backend = System.getProperty("ablation.test.nd4jBackend");
    String classifier = System.getProperty("ablation.test.nativeClassifier");
    Assumptions.assumeTrue(backend != null && classifier != null,
        "run by Maven, which passes the backend and its classifier");
    return backend.equals("nd4j-native") ? classifier : "unknown";
  }

  @Test
  void fullStepOnlyTimesTheFullStepAndNothingElse() {
    CommandLine cl = Main.commandLine(Main.DEFAULT_ENGINE);
    StringWriter text = new StringWriter();
    cl.setOut(new PrintWriter(text));
    assertThat(cl.execute("bench", "--config", "2x8x4", "--warmup", "1", "--timed", "1",
        "--full-step-only")).isZero();
    assertThat(text.toString().lines().filter(l -> l.startsWith("study_")))
        .as("--full-step-only runs no study figures (bench/compare.sh relies on it)").isEmpty();
    List<String> figures = text.toString().lines().filter(l -> l.startsWith("n2_d8_t4."))
        .map(l -> l.substring("n2_d8_t4.".length(), l.indexOf('='))).toList();
    assertThat(figures).containsExactly("full_step_ms", "full_step_ms_mean",
        "step_wall_over_cpu", "step_gc_ms", "gflop_per_step",
        "full_step_gflops", "ops_per_step", "parameter_arrays", "full_step_cpu_ms");
  }

  @Test
  void memoryFiguresRunAlone() {
    CommandLine cl = Main.commandLine(Main.DEFAULT_ENGINE);
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("bench", "--memory", "--skip-study")).isEqualTo(2);
    assertThat(err.toString()).contains("--memory runs only the memory figures");
  }

  @Test
  void rejectsABadConfiguration() {
    CommandLine cl = Main.commandLine(Main.DEFAULT_ENGINE);
    cl.setErr(new PrintWriter(new StringWriter()));
    assertThat(cl.execute("bench", "--config", "4by64")).isEqualTo(2);
  }
}
