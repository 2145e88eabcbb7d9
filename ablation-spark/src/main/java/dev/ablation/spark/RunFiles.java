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
    return Optional.empty();
  }

  static void putScratch(Path out, OriginalSpec spec, OptionalLong t) {
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
