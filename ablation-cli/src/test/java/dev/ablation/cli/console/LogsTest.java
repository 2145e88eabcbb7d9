package dev.ablation.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where log records go: SLF4J (ND4J's) and System.Logger (the fast path's) alike. */
class LogsTest {

  @Test
  void recordsGoToTheFileAndTheTerminalOnlyWhenVerbose(@TempDir Path dir) throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
    try {
      try (AutoCloseable logs = Logs.toFile(dir.resolve("quiet.log"), false)) {
        org.slf4j.LoggerFactory.getLogger("nd4j.like").info("slf4j record");
        System.getLogger("fast.path").log(System.Logger.Level.INFO, "system logger record");
      }
      assertThat(terminal.toString(StandardCharsets.UTF_8)).isEmpty();
      try (AutoCloseable logs = Logs.toFile(dir.resolve("verbose.log"), true)) {
        org.slf4j.LoggerFactory.getLogger("nd4j.like").warn("Duplicate TF op mapping found");
        org.slf4j.LoggerFactory.getLogger("nd4j.like").info("shown too");
      }
    } finally {
      System.setErr(err);
    }
    String quiet = Files.readString(dir.resolve("quiet.log"), StandardCharsets.UTF_8);
    assertThat(quiet).contains("INFO", "nd4j.like - slf4j record",
        "fast.path - system logger record");
    String verbose = Files.readString(dir.resolve("verbose.log"), StandardCharsets.UTF_8);
    assertThat(verbose).contains("Duplicate TF op mapping found", "shown too");
    assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("shown too")
        .doesNotContain("Duplicate TF op mapping");
  }
}
