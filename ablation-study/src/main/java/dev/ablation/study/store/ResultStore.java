package dev.ablation.study.store;

import dev.ablation.study.plan.Numbers;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.plan.StudyPlan;

import com.fasterxml.jackson.core.JsonProcessingException;
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
  private final List<String> notices = new ArrayList<>();

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
   * Opens {@code dir} for {@code plan}, recording this library's version as the build.
   *
   * @see #open(Path, StudyPlan, boolean, StudyBuild, boolean)
   */
  public static ResultStore open(Path dir, StudyPlan plan, boolean resume) throws IOException {
    return open(dir, plan, resume,
        new StudyBuild(Map.of(StudyBuild.ABLATION, StudyBuild.ablationVersion())), false);
  }

  /**
   * Opens {@code dir} for {@code plan}.
   *
   * @param resume whether to keep and skip the runs already there
   * @param build what produces the numbers now; recorded in {@code study.json} by a new study,
   *     compared with the recorded one by a resumed study
   * @param force resume even when the directory's runs were made by another build (a notice
   *     says so); without it that is refused
   * @throws IllegalStateException if {@code dir} holds results and {@code resume} is false, or
   *     holds results of other training settings, or of another build without {@code force}
   */
  public static ResultStore open(Path dir, StudyPlan plan, boolean resume, StudyBuild build,
      boolean force) throws IOException {
    if (!resume && holdsResults(dir)) {
      throw new IllegalStateException(dir + " already holds study results; use --resume to "
          + "finish that study, or --out to choose another directory");
    }
    Files.createDirectories(dir.resolve(RUNS));
    Files.createDirectories(dir.resolve(SCRATCH));
    List<String> notices = new ArrayList<>();
    checkOrWriteSettings(dir, plan, build, force, notices);
    ResultStore store = new ResultStore(dir, RunKey.Reader.of(plan),
        AtomicFiles.dropTornTail(dir.resolve(CSV)));
    store.notices.addAll(notices);
    store.loadRecords();
    store.rewriteCsv();
    return store;
  }

  private static void checkOrWriteSettings(Path dir, StudyPlan plan, StudyBuild build,
      boolean force, List<String> notices) throws IOException {
    ObjectNode wanted = RecordJson.MAPPER.createObjectNode();
    wanted.put("schema", RecordJson.SCHEMA);
    wanted.put("n_heads", plan.heads());
    ObjectNode t = wanted.putObject("training");
    plan.training().asMap().forEach(t::put);
    // how T_ε is read off a run's losses: runs judged by another rule are not mixed with these
    wanted.put(dev.ablation.api.recovery.StepRule.MANIFEST_KEY,
        dev.ablation.api.recovery.StepRule.CONFIRMED_STEP.key());
    ObjectNode builtBy = RecordJson.MAPPER.createObjectNode();
    build.values().forEach(builtBy::put);
    Path file = dir.resolve(STUDY);
    if (Files.exists(file)) {
      JsonNode read = readJson(file);
      if (!(read instanceof ObjectNode had)) {
        throw new IllegalStateException("cannot read " + file + ": not a JSON object; restore"
            + " it, or start the study again in another --out");
      }
      JsonNode hadBuild = had.remove("build");
      // how each original's runs were batched is a record of this study, not a setting
      had.remove(POPULATION);
      JsonNode rule = had.get(dev.ablation.api.recovery.StepRule.MANIFEST_KEY);
      if (!wanted.get(dev.ablation.api.recovery.StepRule.MANIFEST_KEY).equals(rule)) {
        throw new IllegalStateException(dir + " holds runs whose T_ε was judged by "
            + (rule == null ? "the older rule (a smoothed loss over evaluations, as fine as the "
                + "schedule)" : "the rule " + rule) + ", not by the "
            + dev.ablation.api.recovery.StepRule.CONFIRMED_STEP.key() + " rule this build uses"
            + " (docs/protocol.md): their rows and new ones would not mean the same; start the"
            + " study again in another --out");
      }
      if (!had.equals(wanted)) {
        throw new IllegalStateException(dir + " holds results made with other settings:\n  had  "
            + RecordJson.MAPPER.writeValueAsString(had).replaceAll("\\s+", " ") + "\n  now  "
            + RecordJson.MAPPER.writeValueAsString(wanted).replaceAll("\\s+", " ")
            + "\nuse the same settings to resume, or --out to choose another directory");
      }
      if (!builtBy.equals(hadBuild)) {
        String was = hadBuild == null ? "an unrecorded build (before study.json recorded one)"
            : RecordJson.MAPPER.writeValueAsString(hadBuild).replaceAll("\\s+", " ");
        String now = RecordJson.MAPPER.writeValueAsString(builtBy).replaceAll("\\s+", " ");
        if (!force) {
          throw new IllegalStateException(dir + " holds results made by another build:\n  had  "
              + was + "\n  now  " + now + "\nits runs and new ones could differ for that reason"
              + " alone; resume with the same build, add --force to mix them anyway, or choose "
              + "another --out");
        }
        notices.add("warning: " + dir + " holds results made by " + was + "; resuming with "
            + now + " (--force): rows of the two builds may differ for that reason alone");
      }
    } else {
      wanted.set("build", builtBy);
      AtomicFiles.write(file, RecordJson.write(wanted));
    }
  }

  /** Reads a JSON file, naming it and the cause when it cannot. */
  private static JsonNode readJson(Path file) throws IOException {
    try {
      return RecordJson.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot read " + file + ": not valid JSON ("
          + e.getOriginalMessage() + ")", e);
    }
  }

  /** The key of {@code study.json} recording each original's {@link PopulationChoice}. */
  public static final String POPULATION = "population";

  /**
   * Records in {@code study.json} how {@code spec}'s runs go to the engine (in populations or
   * one at a time) and the measured ratio behind it, under {@value #POPULATION} by the
   * original's content hash; a resumed study records its own choice over the earlier one.
   */
  public synchronized void putPopulation(OriginalSpec spec, PopulationChoice choice) {
    Path file = dir.resolve(STUDY);
    try {
      JsonNode read = readJson(file);
      if (!(read instanceof ObjectNode study)) {
        throw new IllegalStateException("cannot read " + file + ": not a JSON object");
      }
      ObjectNode all = study.has(POPULATION) && study.get(POPULATION) instanceof ObjectNode o
          ? o : study.putObject(POPULATION);
      ObjectNode c = all.putObject(spec.contentHash());
      c.put("model", spec.model().toString());
      c.put("seed", spec.seed());
      c.put("chosen", choice.chosen());
      c.put("size", choice.size());
      if (Double.isNaN(choice.ratio())) {
        c.putNull("ratio");
      } else {
        c.put("ratio", Double.parseDouble(Numbers.format(choice.ratio())));
      }
      c.put("reason", choice.reason());
      AtomicFiles.write(file, RecordJson.write(study));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot record the population choice in " + file,
          e);
    }
  }

  /** What opening the directory found worth telling the user (e.g. a build change). */
  public List<String> notices() {
    return Collections.unmodifiableList(notices);
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
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException("cannot read run record " + f + ": "
              + (e.getMessage() == null ? e.getClass().getName() : e.getMessage())
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
    Path file = dir.resolve(RUNS).resolve(record.key().fileName());
    try {
      RunFiles.write(dir, record);
      file = dir.resolve(CSV);
      AtomicFiles.appendLine(file, ResultsCsv.line(record.row()));
    } catch (IOException e) {
      // the record is complete or absent and a CSV line whole or torn: --resume repairs both
      throw new UncheckedIOException("cannot store run " + record.key() + ": writing " + file
          + " failed (" + e + "); once that is fixed, --resume keeps every stored run", e);
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
      throw new UncheckedIOException("cannot store run " + failed.key() + " in " + dir + " ("
          + e + "); once that is fixed, --resume keeps every stored run", e);
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
      throw new UncheckedIOException("cannot write T_scratch into " + dir.resolve(SCRATCH)
          + " (" + e + ")", e);
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

  /**
   * Sets the {@code cpu_account} of {@code dir}'s {@code results.json} (written by
   * {@link #writeResults()}) to {@code account}: where this call's CPU went, by phase.
   */
  public static void writeAccount(Path dir, dev.ablation.api.recovery.CpuAccount.Snapshot account)
      throws IOException {
    Path file = dir.resolve(JSON);
    String json = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    AtomicFiles.write(file, RecordJson.withAccount(json, account));
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }
}
