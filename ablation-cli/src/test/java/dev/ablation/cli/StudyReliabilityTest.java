package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.cli.Main;
import dev.ablation.study.FakeStudyEngine;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.store.StudyLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The study command's error paths: each one exits non-zero with a message that names the file
 * and the cause (never {@code error: null}), and what it left behind resumes to the same rows.
 */
class StudyReliabilityTest {
  private static final String[] PLAN = {"study", "--preset", "quick", "--layers", "2",
      "--seeds", "1,2", "--schemes", "FRESH", "--workers", "1"};

  /** The fake engine behind a class that tests may override (the fake itself is final). */
  static class Wrapped implements StudyEngine {
    final FakeStudyEngine fake = new FakeStudyEngine();

    @Override
    public OriginalRecord original(OriginalSpec spec) {
      return fake.original(spec);
    }

    @Override
    public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
        RecoveryListener listener) {
      return fake.recover(original, request, listener);
    }

    @Override
    public OptionalLong scratchExamples(OriginalRecord original) {
      return fake.scratchExamples(original);
    }

    @Override
    public Map<String, String> build() {
      return fake.build();
    }
  }

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(StudyEngine.Factory engines, Path o, String... extra) {
    CommandLine cl = Main.commandLine(engines);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] args = Stream.concat(Stream.of(PLAN), Stream.concat(
        Stream.of("--out", o.toString()), Stream.of(extra))).toArray(String[]::new);
    return cl.execute(args);
  }

  static int runFake(Path o, StringWriter errs, String... extra) {
    CommandLine cl = Main.commandLine(d -> new FakeStudyEngine());
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(errs, true));
    String[] args = Stream.concat(Stream.of(PLAN), Stream.concat(
        Stream.of("--out", o.toString()), Stream.of(extra))).toArray(String[]::new);
    return cl.execute(args);
  }

  /** The CSV without its wall_s column (wherever it is): wall time differs between runs by nature. */
  static List<String> rowsWithoutWall(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8);
    int wall = java.util.Arrays.asList(lines.get(0).split(",", -1)).indexOf("wall_s");
    return lines.stream().map(l -> {
      List<String> cells = new java.util.ArrayList<>(java.util.Arrays.asList(l.split(",", -1)));
      cells.remove(wall);
      return String.join(",", cells);
    }).toList();
  }

  private void assertNamesFileAndCause(int code, Path file, String cause) {
    String e = err.toString();
    assertThat(code).as(e).isNotZero();
    assertThat(e).contains(file.toString()).contains(cause).doesNotContain("null");
  }

  @Test
  void aBrokenStudyJsonIsNamed(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("o");
    assertThat(run(d -> new FakeStudyEngine(), o)).as(err.toString()).isZero();
    Files.writeString(o.resolve("study.json"), "{\"schema\": ", StandardCharsets.UTF_8);
    assertNamesFileAndCause(run(d -> new FakeStudyEngine(), o, "--resume"),
        o.resolve("study.json"), "not valid JSON");
  }

  @Test
  void aBrokenRunRecordIsNamedWithWhatToDo(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("o");
    assertThat(run(d -> new FakeStudyEngine(), o)).as(err.toString()).isZero();
    Path record;
    try (Stream<Path> s = Files.list(o.resolve("runs"))) {
      record = s.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.writeString(record, "{\"arch\": \"decoder\"}", StandardCharsets.UTF_8);
    assertNamesFileAndCause(run(d -> new FakeStudyEngine(), o, "--resume"), record,
        "move it away");
  }

  @Test
  void aSecondStudyOnTheSameOutIsRefusedNamingTheHolder(@TempDir Path dir) throws IOException {
    Path o = Files.createDirectories(dir.resolve("o"));
    try (StudyLock held = StudyLock.acquire(o)) {
      int code = run(d -> new FakeStudyEngine(), o);
      assertThat(code).isNotZero();
      assertThat(err.toString()).contains("in use by another study")
          .contains("process " + ProcessHandle.current().pid()).doesNotContain("null");
      assertThat(o.resolve("results.csv")).doesNotExist();
    }
    assertThat(run(d -> new FakeStudyEngine(), o)).as(err.toString()).isZero();
    assertThat(o.resolve(StudyLock.FILE)).as("released at the end").doesNotExist();
  }

  @Test
  void resumingOnAnotherBuildIsRefusedWithoutForce(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("o");
    assertThat(run(d -> new FakeStudyEngine(), o)).as(err.toString()).isZero();
    List<String> rows = rowsWithoutWall(o);
    StudyEngine.Factory otherBuild = d -> new Wrapped() {
      @Override
      public Map<String, String> build() {
        return Map.of("native_build", "linux-x86_64-avx512");
      }
    };
    int code = run(otherBuild, o, "--resume");
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("another build").contains("linux-x86_64-avx512")
        .contains("--force").contains(o.toString());
    out.getBuffer().setLength(0);
    assertThat(run(otherBuild, o, "--resume", "--force")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("warning").contains("linux-x86_64-avx512");
    assertThat(rowsWithoutWall(o)).isEqualTo(rows);
  }

  @Test
  void aFullDiskIsAClearErrorAndLeavesNoPartialRow(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("o");
    Path full = Path.of("/dev/full");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full");
    Path reference = dir.resolve("reference");
    assertThat(runFake(reference, new StringWriter())).isZero();

    // the disk fills up while the third run is being trained: its CSV line cannot be written
    StudyEngine.Factory fillsUp = d -> new Wrapped() {
      int n;

      @Override
      public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
          RecoveryListener listener) {
        if (++n == 3) {
          try {
            Files.delete(o.resolve("results.csv"));
            Files.createSymbolicLink(o.resolve("results.csv"), full);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
        return super.recover(original, request, listener);
      }
    };
    int code = run(fillsUp, o);
    assertNamesFileAndCause(code, o.resolve("results.csv"), "No space left on device");
    assertThat(err.toString()).contains("--resume");

    Files.delete(o.resolve("results.csv")); // space freed
    assertThat(runFake(o, err, "--resume")).as(err.toString()).isZero();
    assertThat(rowsWithoutWall(o)).isEqualTo(rowsWithoutWall(reference));
  }

  @Test
  void exceptionsWithoutMessagesStillSayWhatHappened(@TempDir Path dir) {
    StudyEngine.Factory broken = d -> new Wrapped() {
      @Override
      public OriginalRecord original(OriginalSpec spec) {
        throw new NullPointerException();
      }

      @Override
      public OptionalLong scratchExamples(OriginalRecord original) {
        return OptionalLong.empty();
      }
    };
    int code = run(broken, dir.resolve("o"));
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("NullPointerException").doesNotContain("error: null");
  }

  @Test
  void anOutThatCannotBeADirectoryIsRefusedNamingItAndTheCause(@TempDir Path dir)
      throws IOException {
    // as root, permissions stop nothing: a regular file where a parent directory should be does
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path o = file.resolve("o");
    int code = run(d -> new FakeStudyEngine(), o);
    assertThat(code).as(err.toString()).isNotZero();
    assertThat(err.toString()).contains("--out " + o).contains("not a writable directory")
        .contains("Not a directory").doesNotContain("null");
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("x");
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("results.csv");
    }
  }

  @Test
  void aRunRecordThatCannotBeWrittenIsNamedAndTheStudyResumes(@TempDir Path dir)
      throws IOException {
    Path o = dir.resolve("o");
    Path reference = dir.resolve("reference");
    assertThat(runFake(reference, new StringWriter())).isZero();
    Path runs = o.resolve("runs");
    Path moved = dir.resolve("runs-moved");
    // while the third run trains, runs/ stops being a directory: its record write fails
    StudyEngine.Factory breaks = d -> new Wrapped() {
      int n;

      @Override
      public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
          RecoveryListener listener) {
        if (++n == 3) {
          try {
            Files.move(runs, moved);
            Files.writeString(runs, "not a directory");
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
        return super.recover(original, request, listener);
      }
    };
    int code = run(breaks, o);
    assertThat(code).as(err.toString()).isNotZero();
    assertThat(err.toString()).containsPattern(java.util.regex.Pattern.quote(runs.toString())
        + "/[0-9a-f]+\\.json").contains(runs + " is not a directory").contains("--resume")
        .doesNotContain("error: null");
    // every line in results.csv is whole, and only stored runs have one
    List<String> lines = Files.readAllLines(o.resolve("results.csv"), StandardCharsets.UTF_8);
    String csv = Files.readString(o.resolve("results.csv"), StandardCharsets.UTF_8);
    assertThat(csv).endsWith("\n");
    int columns = lines.get(0).split(",", -1).length;
    assertThat(lines).allSatisfy(l -> assertThat(l.split(",", -1)).hasSize(columns));
    try (Stream<Path> stored = Files.list(moved)) {
      assertThat(lines).hasSize(1 + (int) stored.filter(f -> f.toString().endsWith(".json"))
          .count());
    }

    Files.delete(runs); // the disk is fixed
    Files.move(moved, runs);
    err.getBuffer().setLength(0);
    assertThat(runFake(o, err, "--resume")).as(err.toString()).isZero();
    assertThat(rowsWithoutWall(o)).isEqualTo(rowsWithoutWall(reference));
  }
}
