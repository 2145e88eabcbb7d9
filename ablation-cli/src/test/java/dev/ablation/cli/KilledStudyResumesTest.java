package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.GradientChatter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Fault injection on the real engine: a study in a JVM of its own ({@link FaultChild}) is killed
 * ({@code destroyForcibly}, SIGKILL on Linux) at several moments — while its original trains,
 * during a recovery, while it writes a CSV line — and resumed; every time the rows equal those
 * of an uninterrupted study apart from {@code wall_s}. A damaged originals cache (a truncated
 * {@code model.fb}, a broken {@code original.json}) is rebuilt by {@code --resume} the same way.
 *
 * <p>The plan is tiny (N=2, D=8, 64 strings, one seed: two recoveries), so the whole class
 * costs a few JVM starts.
 */
class KilledStudyResumesTest {
  static final String[] PLAN = {"study", "--preset", "quick", "--layers", "2", "--widths", "8",
      "--heads", "2", "--strings", "64", "--epochs", "1", "--seeds", "1", "--schemes", "FRESH",
      "--eval-every", "2", "--no-scratch", "--workers", "1"};
  private static final long TIMEOUT_S = 120;
  /** The output's names this class finds files by; {@link #uninterrupted} checks each is there. */
  static final String ORIGINALS = "originals";
  static final String MODEL = "model.fb";
  static final String RECORD = "original.json";
  static final String RUNS = "runs";

  @TempDir static Path root;
  static Path reference;
  static List<String> referenceRows;

  @BeforeAll
  static void uninterrupted() throws IOException {
    reference = root.resolve("reference");
    StringWriter err = new StringWriter();
    assertThat(cli(reference, err, false)).as(err.toString()).isZero();
    referenceRows = rowsWithoutWall(reference);
    assertThat(referenceRows).hasSize(3); // header + blocks.0 + blocks.1
    // a renamed file or folder fails here: the kills below would otherwise find nothing stored
    // and pass, and the damage tests would damage nothing
    assertThat(cacheFiles(reference, MODEL)).as(MODEL + " under " + ORIGINALS).isNotEmpty();
    assertThat(cacheFiles(reference, RECORD)).as(RECORD + " under " + ORIGINALS).isNotEmpty();
    assertThat(runRecords(reference)).as("run records under " + RUNS)
        .isEqualTo(referenceRows.size() - 1);
  }

  static int cli(Path out, StringWriter err, boolean resume) {
    CommandLine cl = Main.commandLine(Main.DEFAULT_ENGINE);
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of(PLAN));
    args.addAll(List.of("--out", out.toString()));
    if (resume) {
      args.add("--resume");
    }
    return GradientChatter.quietly(() -> cl.execute(args.toArray(String[]::new)));
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

  /** A study in its own JVM, with its marker lines queued as they come. */
  static final class Child implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> markers = new LinkedBlockingQueue<>();
    final Path log;

    Child(Path out, String... jvmOptions) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
          "-cp", System.getProperty("java.class.path")));
      cmd.addAll(List.of(jvmOptions));
      cmd.add(FaultChild.class.getName());
      cmd.addAll(List.of(PLAN));
      cmd.addAll(List.of("--out", out.toString()));
      log = Files.createTempFile(root, "child", ".err");
      process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            int at = line.indexOf("@fault ");
            if (at >= 0) {
              markers.add(line.substring(at + "@fault ".length()).strip());
            }
          }
        } catch (IOException e) {
          // the child was killed
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits for {@code marker}, failing with the child's stderr if it never comes. */
    void await(String marker) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
      while (System.nanoTime() < deadline) {
        String m = markers.poll(200, TimeUnit.MILLISECONDS);
        if (marker.equals(m)) {
          return;
        }
        if (m == null && !process.isAlive()) {
          break;
        }
      }
      throw new AssertionError("the child never reached '" + marker + "' (alive: "
          + process.isAlive() + "); its stderr:\n" + Files.readString(log));
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private static void resumeAndCompare(Path out) throws IOException {
    StringWriter err = new StringWriter();
    assertThat(cli(out, err, true)).as(err.toString()).isZero();
    assertThat(err.toString()).doesNotContain("null");
    assertThat(rowsWithoutWall(out)).isEqualTo(referenceRows);
  }

  private static long runRecords(Path out) throws IOException {
    if (!Files.isDirectory(out.resolve(RUNS))) {
      return 0;
    }
    try (Stream<Path> s = Files.list(out.resolve(RUNS))) {
      return s.filter(f -> f.toString().endsWith(".json")).count();
    }
  }

  private static boolean anyOriginalComplete(Path out) throws IOException {
    return !cacheFiles(out, RECORD).isEmpty();
  }

  /** The files called {@code name} in {@code out}'s originals cache (none without a cache). */
  private static List<Path> cacheFiles(Path out, String name) throws IOException {
    if (!Files.isDirectory(out.resolve(ORIGINALS))) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(out.resolve(ORIGINALS))) {
      return s.filter(f -> f.getFileName().toString().equals(name)).toList();
    }
  }

  @Test
  void killedWhileItsOriginalTrains() throws Exception {
    Path out = root.resolve("during-original");
    try (Child c = new Child(out)) {
      c.await("original");
      Thread.sleep(50);
      c.kill();
    }
    assertThat(anyOriginalComplete(out)).as("killed before the original was stored").isFalse();
    assertThat(runRecords(out)).isZero();
    resumeAndCompare(out);
  }

  @Test
  void killedDuringARecovery() throws Exception {
    Path out = root.resolve("during-recovery");
    try (Child c = new Child(out)) {
      c.await("recover 2");
      Thread.sleep(50);
      c.kill();
    }
    assertThat(runRecords(out)).as("the first run was stored, the second not").isEqualTo(1);
    resumeAndCompare(out);
  }

  @Test
  void killedWhileWritingACsvLine() throws Exception {
    Path out = root.resolve("while-writing");
    Path csv = out.resolve("results.csv");
    try (Child c = new Child(out, "-Dfault.pauseAfterRun=1")) {
      c.await("recovered 1");
      // the CSV becomes a pipe nobody reads: the study blocks inside its append of run 1's line
      String before = Files.readString(csv, StandardCharsets.UTF_8);
      Files.delete(csv);
      Process mkfifo = new ProcessBuilder("mkfifo", csv.toString()).start();
      assertThat(mkfifo.waitFor()).isZero();
      try (OutputStream go = c.process.getOutputStream()) {
        go.write("go\n".getBytes(StandardCharsets.UTF_8));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
      while (runRecords(out) < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20); // the run record is written first, then the CSV line
      }
      Thread.sleep(300);
      assertThat(c.process.isAlive()).isTrue();
      c.kill();
      // what such a kill leaves: the CSV as it was and part of the new line, torn
      Files.delete(csv);
      String torn = referenceRows.get(1).substring(0, 17);
      Files.writeString(csv, before + torn, StandardCharsets.UTF_8);
    }
    assertThat(runRecords(out)).isEqualTo(1);
    resumeAndCompare(out);
  }

  @Test
  void aTruncatedModelInTheCacheIsRebuiltOnResume() throws Exception {
    Path out = copyOfReference("truncated-model");
    List<Path> models = cacheFiles(out, MODEL);
    // the cache's file names are the test's assumption: without a damaged file it checks nothing
    assertThat(models).as(MODEL + " files to truncate").isNotEmpty();
    for (Path fb : models) {
      try (FileChannel ch = FileChannel.open(fb, StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() / 3);
      }
    }
    forgetOneRun(out);
    resumeAndCompare(out);
  }

  @Test
  void aBrokenOriginalJsonInTheCacheIsRebuiltOnResume() throws Exception {
    Path out = copyOfReference("broken-record");
    List<Path> records = cacheFiles(out, RECORD);
    assertThat(records).as(RECORD + " files to break").isNotEmpty();
    for (Path j : records) {
      Files.writeString(j, "{\"format\":", StandardCharsets.UTF_8);
    }
    forgetOneRun(out);
    resumeAndCompare(out);
  }

  /** Deletes one run record, so that a resume needs the original again. */
  private static void forgetOneRun(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.resolve(RUNS))) {
      Files.delete(s.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow());
    }
  }

  private static Path copyOfReference(String name) throws IOException {
    Path to = root.resolve(name);
    try (Stream<Path> s = Files.walk(reference)) {
      for (Path f : s.toList()) {
        Path t = to.resolve(reference.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
    return to;
  }
}
