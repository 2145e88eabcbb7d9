package dev.ablation.spark;

import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.study.OriginalSpec;
import dev.ablation.study.RecordJson;
import dev.ablation.study.RecoveryRequest;
import dev.ablation.study.RunKey;
import dev.ablation.study.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;

/** INTERIM: the executor side's files, until the study's own run-file API lands. */
final class RunFiles {
  private RunFiles() {}

  static boolean isDone(Path out, RunKey key) {
    return Files.exists(out.resolve("runs").resolve(key.fileName()));
  }

  static void writeRecord(Path out, RunKey key, RecoveryRequest request, RecoveryResult result,
      OptionalLong scratch) {
    write(out.resolve("runs").resolve(key.fileName()),
        RecordJson.toJson(RunRecord.of(key, request, result, scratch)));
  }

  static void writeFailed(Path out, OriginalSpec spec, RecoveryRequest request, String error) {
    throw new UnsupportedOperationException("FAILED rows: " + error);
  }

  static Optional<OptionalLong> scratch(Path out, OriginalSpec spec) {
    Path f = out.resolve("scratch").resolve(spec.contentHash() + ".json");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          Files.readString(f, StandardCharsets.UTF_8)).get("examples_scratch");
      return Optional.of(n == null || n.isNull() ? OptionalLong.empty()
          : OptionalLong.of(n.asLong()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void putScratch(Path out, OriginalSpec spec, OptionalLong t) {
    var m = new com.fasterxml.jackson.databind.ObjectMapper();
    var n = m.createObjectNode();
    n.put("original", spec.configuration().toString());
    if (t.isPresent()) {
      n.put("examples_scratch", t.getAsLong());
    } else {
      n.putNull("examples_scratch");
    }
    write(out.resolve("scratch").resolve(spec.contentHash() + ".json"), n.toPrettyString());
  }

  private static void write(Path target, String text) {
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
