package dev.ablation.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The study's output directory, safe against a kill at any moment and shared by concurrent
 * workers. Each finished run is first written as its own record ({@code runs/<hash>.json},
 * written to a temporary file of a unique name, synced and renamed), then appended as one
 * synced line to {@code results.csv}. The records are the truth: on opening and in
 * {@link #writeResults()} the CSV is rebuilt from them in key order, which drops a torn last
 * line, restores a line lost between the two writes and undoes the finishing order of
 * concurrent workers; every run with a record is skipped on resume. A run that threw is
 * stored the same way as a {@link FailedRun} (a {@code FAILED} row), so it is not run again
 * either. Writers that hold no store (cluster executors) write the same files through
 * {@link RunFiles}.
 *
 * <p>Thread-safe: workers call {@link #add} and {@link #putScratch} concurrently.
 */
public final class ResultStore {
  /** The CSV file. */
  public static final String CSV = "results.csv";
  /** The JSON file with curves and manifests. */
  public static final String JSON = "results.json";
  /** The settings the directory's runs were made with. */
  public static final String STUDY = "study.json";
  static final String RUNS = "runs";
  static final String SCRATCH = "scratch";

  private final Path dir;
  private final RunKey.Reader keys;
  private final Map<RunKey, RunRecord> records = new TreeMap<>();
  private final Map<RunKey, FailedRun> failures = new TreeMap<>();
  private final long tornBytes;

  private ResultStore(Path dir, RunKey.Reader keys, long tornBytes) {
    this.dir = dir;
    this.keys = keys;
    this.tornBytes = tornBytes;
  }

  /** Whether {@code dir} holds results of a study (so starting over would mix or lose them). */
  public static boolean holdsResults(Path dir) {
    return Files.exists(dir.resolve(CSV)) || Files.exists(dir.resolve(RUNS))
        || Files.exists(dir.resolve(STUDY));
  }

  /**
   * Opens {@code dir} for {@code plan}.
   *
   * @param resume whether to keep and skip the runs already there
   * @throws IllegalStateException if {@code dir} holds results and {@code resume} is false, or
   *     holds results of other training settings
   */
  public static ResultStore open(Path dir, StudyPlan plan, boolean resume) throws IOException {
    if (!resume && holdsResults(dir)) {
      throw new IllegalStateException(dir + " already holds study results; use --resume to "
          + "finish that study, or --out to choose another directory");
    }
    Files.createDirectories(dir.resolve(RUNS));
    Files.createDirectories(dir.resolve(SCRATCH));
    checkOrWriteSettings(dir, plan);
    ResultStore store = new ResultStore(dir, RunKey.Reader.of(plan),
        AtomicFiles.dropTornTail(dir.resolve(CSV)));
    store.loadRecords();
    store.rewriteCsv();
    return store;
  }

  private static void checkOrWriteSettings(Path dir, StudyPlan plan) throws IOException {
    ObjectNode wanted = RecordJson.MAPPER.createObjectNode();
    wanted.put("schema", RecordJson.SCHEMA);
    wanted.put("n_heads", plan.heads());
    ObjectNode t = wanted.putObject("training");
    plan.training().asMap().forEach(t::put);
    Path file = dir.resolve(STUDY);
    if (Files.exists(file)) {
      JsonNode had = RecordJson.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (!had.equals(wanted)) {
        throw new IllegalStateException(dir + " holds results made with other settings:\n  had  "
            + RecordJson.MAPPER.writeValueAsString(had).replaceAll("\\s+", " ") + "\n  now  "
            + RecordJson.MAPPER.writeValueAsString(wanted).replaceAll("\\s+", " ")
            + "\nuse the same settings to resume, or --out to choose another directory");
      }
    } else {
      AtomicFiles.write(file, RecordJson.write(wanted));
    }
  }

  private void loadRecords() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(RUNS))) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(AtomicFiles.TMP)) {
          Files.delete(f); // a write the crash interrupted: that run is not done
          continue;
        }
        if (!name.endsWith(".json")) {
          continue;
        }
        try {
          JsonNode n = RecordJson.MAPPER.readTree(Files.readString(f, StandardCharsets.UTF_8));
          if (RecordJson.isFailed(n)) {
            FailedRun failed = RecordJson.failedFromNode(n, keys);
            failures.put(failed.key(), failed);
          } else {
            RunRecord r = RecordJson.fromNode(n, keys);
            records.put(r.key(), r);
          }
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException("cannot read run record " + f + ": " + e.getMessage()
              + "; move it away to run that run again", e);
        }
      }
    }
  }

  private synchronized void rewriteCsv() throws IOException {
    Map<RunKey, String> lines = new TreeMap<>();
    records.values().forEach(r -> lines.put(r.key(), ResultsCsv.line(r.row())));
    failures.values().forEach(f -> lines.put(f.key(), ResultsCsv.line(f)));
    StringBuilder b = new StringBuilder(ResultsCsv.headerLine());
    lines.values().forEach(b::append);
    AtomicFiles.write(dir.resolve(CSV), b.toString());
  }

  /** Bytes of a torn last CSV line dropped on opening (0 if none). */
  public long tornBytesDropped() {
    return tornBytes;
  }

  /** Whether the run is done: it has a record, of a finished run or of one that failed. */
  public synchronized boolean isDone(RunKey key) {
    return records.containsKey(key) || failures.containsKey(key);
  }

  /** Stores a finished run durably: its record, then its CSV line. */
  public synchronized void add(RunRecord record) {
    if (isDone(record.key())) {
      throw new IllegalStateException("run " + record.key() + " is already stored");
    }
    try {
      RunFiles.write(dir, record);
      AtomicFiles.appendLine(dir.resolve(CSV), ResultsCsv.line(record.row()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store run " + record.key() + " in " + dir, e);
    }
    records.put(record.key(), record);
  }

  /** Stores a run that failed durably: its record, then its CSV line. */
  public synchronized void add(FailedRun failed) {
    if (isDone(failed.key())) {
      throw new IllegalStateException("run " + failed.key() + " is already stored");
    }
    try {
      RunFiles.write(dir, failed);
      AtomicFiles.appendLine(dir.resolve(CSV), ResultsCsv.line(failed));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store run " + failed.key() + " in " + dir, e);
    }
    failures.put(failed.key(), failed);
  }

  /** {@code T_scratch} of {@code spec} when measured before (the outer optional). */
  public synchronized Optional<OptionalLong> scratch(OriginalSpec spec) {
    return RunFiles.scratch(dir, spec);
  }

  /** Stores {@code T_scratch} of {@code spec}. */
  public synchronized void putScratch(OriginalSpec spec, OptionalLong examples) {
    try {
      RunFiles.putScratch(dir, spec, examples);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every stored run, in key order. */
  public synchronized List<RunRecord> records() {
    return Collections.unmodifiableList(new ArrayList<>(records.values()));
  }

  /** Every run that failed, in key order. */
  public synchronized List<FailedRun> failures() {
    return Collections.unmodifiableList(new ArrayList<>(failures.values()));
  }

  /** Rewrites {@code results.csv} in key order and writes {@code results.json}. */
  public synchronized void writeResults() throws IOException {
    rewriteCsv();
    AtomicFiles.write(dir.resolve(JSON), RecordJson.results(records(), failures()));
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }
}
