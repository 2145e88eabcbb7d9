package dev.ablation.study.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RunKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The per-run files of a study directory, for writers that hold no {@link ResultStore}: a
 * cluster executor writes its runs' records and its originals' {@code T_scratch} here, and the
 * driver's store reads them back ({@link ResultStore#open}). Each write goes to a temporary file
 * of a unique name and is renamed into place, so concurrent writers (on one machine or on many
 * sharing a filesystem) and killed ones never leave half a file. Only a {@link ResultStore}
 * writes {@code results.csv} and {@code results.json}.
 */
public final class RunFiles {
  private RunFiles() {}

  /** The record file of {@code key} under the study directory {@code dir}. */
  public static Path record(Path dir, RunKey key) {
    return dir.resolve(ResultStore.RUNS).resolve(key.fileName());
  }

  /** Whether {@code key} has a record (of a finished run or of one that failed). */
  public static boolean isDone(Path dir, RunKey key) {
    return Files.isRegularFile(record(dir, key));
  }

  /**
   * The finished runs recorded under the study directory {@code dir}, in key order, without
   * opening (or locking) the study: a study still running contributes what it has stored.
   * Records of failed runs and half-written temporary files are skipped.
   *
   * @throws IllegalArgumentException naming a record that cannot be read
   */
  public static List<RunRecord> finished(Path dir) throws IOException {
    List<RunRecord> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(ResultStore.RUNS),
        "*.json")) {
      for (Path f : files) {
        JsonNode n;
        try {
          n = RecordJson.MAPPER.readTree(Files.readString(f, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException("cannot read run record " + f + ": "
              + e.getOriginalMessage(), e);
        }
        if (!RecordJson.isFailed(n)) {
          out.add(RecordJson.fromNode(n));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(RunRecord::key));
    return out;
  }

  /** Writes the record of a finished run. */
  public static void write(Path dir, RunRecord record) throws IOException {
    AtomicFiles.write(record(dir, record.key()), RecordJson.toJson(record));
  }

  /** Writes the record of a run that failed. */
  public static void write(Path dir, FailedRun failed) throws IOException {
    AtomicFiles.write(record(dir, failed.key()), RecordJson.toJson(failed));
  }

  private static Path scratchFile(Path dir, OriginalSpec spec) {
    return dir.resolve(ResultStore.SCRATCH).resolve(spec.contentHash() + ".json");
  }

  /**
   * {@code T_scratch} of {@code spec} when measured before (the outer optional); the inner one
   * is empty when the fresh model never reached the target.
   */
  public static Optional<OptionalLong> scratch(Path dir, OriginalSpec spec) {
    Path f = scratchFile(dir, spec);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      JsonNode n = RecordJson.MAPPER.readTree(Files.readString(f, StandardCharsets.UTF_8));
      JsonNode v = n.get("examples_scratch");
      return Optional.of(v == null || v.isNull() ? OptionalLong.empty()
          : OptionalLong.of(v.asLong()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + f + ": " + e.getMessage()
          + "; delete it to measure T_scratch again", e);
    }
  }

  /** Writes {@code T_scratch} of {@code spec}. */
  public static void putScratch(Path dir, OriginalSpec spec, OptionalLong examples)
      throws IOException {
    ObjectNode n = RecordJson.MAPPER.createObjectNode();
    n.put("original", spec.configuration().toString());
    if (examples.isPresent()) {
      n.put("examples_scratch", examples.getAsLong());
    } else {
      n.putNull("examples_scratch");
    }
    AtomicFiles.write(scratchFile(dir, spec), RecordJson.write(n));
  }
}
