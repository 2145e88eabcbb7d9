package dev.ablation.samediff.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where an original's training stood after an evaluation: its weights, θ₀, the Adam state, the
 * step, example and token counts and the curve so far. Why: the larger shapes' originals train
 * for hours on two cores, longer than a session may live; without it, a killed study trains each
 * of them again from step 0. {@link OriginalTrainer#trainOrLoad} writes one every few minutes
 * beside the cache entry and takes it up on the next call, and the resumed run ends with the
 * same weights as one never stopped (OriginalCheckpointTest).
 *
 * <p>One file, written atomically (a temporary file renamed over the old one) and ending with
 * the SHA-256 of everything before it: a kill while writing leaves the previous checkpoint, and
 * a damaged file is refused by {@link #read}, never half-used.
 *
 * <p>The three counts travel together as a {@link Progress}, the stepper's position (what
 * {@code AdamStepper.resume} takes back); the file holds them as three longs, as before.
 *
 * @param cacheKey the entry it belongs to ({@link OriginalTrainer#cacheKey})
 * @param progress steps, examples and tokens consumed
 * @param curve the evaluations so far, the last one at {@code progress.steps()}
 * @param weights every parameter by variable name, in model order
 * @param initialWeights θ₀ by variable name, in model order
 * @param adam the stepper's {@link AdamStepper#optimiserState()}
 */
record TrainingCheckpoint(String cacheKey, Progress progress, List<ValidationPoint> curve,
    Map<String, INDArray> weights, Map<String, INDArray> initialWeights,
    Map<String, INDArray> adam) {
  static final String FORMAT = "ablation-original-checkpoint/1";
  private static final int DIGEST_BYTES = 32;

  /**
   * How far training had gone: the stepper's three counters, which a resumed run must take up
   * together (a step count with another run's token count would misstate {@code B_ref}).
   *
   * @param steps optimiser steps taken, ≥ 0
   * @param examples training strings consumed, ≥ 0
   * @param tokens predicted training tokens consumed, ≥ 0
   */
  record Progress(long steps, long examples, long tokens) {
    /** Validates, naming the bad count. */
    Progress {
      if (steps < 0 || examples < 0 || tokens < 0) {
        throw new IllegalArgumentException("checkpoint counts must be >= 0, got steps=" + steps
            + ", examples=" + examples + ", tokens=" + tokens);
      }
    }
  }

  /** Optimiser steps taken. */
  long steps() {
    return progress.steps();
  }

  /** Training strings consumed. */
  long examples() {
    return progress.examples();
  }

  /** Predicted training tokens consumed. */
  long tokens() {
    return progress.tokens();
  }

  /** The checkpoint file of entry {@code key} under {@code cacheRoot}. */
  static Path fileOf(Path cacheRoot, String key) {
    return cacheRoot.resolve("." + key + ".checkpoint");
  }

  /** Writes this checkpoint to {@code file}, replacing the one there at once or not at all. */
  void write(Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(FORMAT);
      out.writeUTF(cacheKey);
      out.writeLong(progress.steps());
      out.writeLong(progress.examples());
      out.writeLong(progress.tokens());
      out.writeInt(curve.size());
      for (ValidationPoint p : curve) {
        out.writeLong(p.step());
        out.writeLong(p.examples());
        out.writeLong(p.tokens());
        out.writeDouble(p.trainLoss());
        out.writeDouble(p.validationLoss());
      }
      for (Map<String, INDArray> m : List.of(weights, initialWeights, adam)) {
        out.writeInt(m.size());
        for (Map.Entry<String, INDArray> e : m.entrySet()) {
          out.writeUTF(e.getKey());
          Nd4j.write(e.getValue(), out);
        }
      }
    }
    byte[] body = bytes.toByteArray();
    byte[] all = Arrays.copyOf(body, body.length + DIGEST_BYTES);
    System.arraycopy(sha256(body), 0, all, body.length, DIGEST_BYTES);
    EntryFiles.writeAtomically(file, all);
  }

  /**
   * The checkpoint in {@code file} for entry {@code cacheKey}.
   *
   * @throws DamagedEntryException naming the file and what is wrong: truncated, changed since
   *     written (its checksum), of another format or of another entry
   * @throws IOException if it cannot be read at all
   */
  static TrainingCheckpoint read(Path file, String cacheKey) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < DIGEST_BYTES) {
      throw new DamagedEntryException(file, all.length + " bytes: truncated");
    }
    byte[] body = Arrays.copyOf(all, all.length - DIGEST_BYTES);
    if (!Arrays.equals(sha256(body), Arrays.copyOfRange(all, body.length, all.length))) {
      throw new DamagedEntryException(file, "its SHA-256 does not match its bytes (truncated or"
          + " damaged)");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
      String format = in.readUTF();
      if (!FORMAT.equals(format)) {
        throw new DamagedEntryException(file, "format '" + format + "', expected '" + FORMAT
            + "'");
      }
      String key = in.readUTF();
      if (!key.equals(cacheKey)) {
        throw new DamagedEntryException(file, "belongs to entry " + key + ", not " + cacheKey);
      }
      Progress progress = new Progress(in.readLong(), in.readLong(), in.readLong());
      int n = in.readInt();
      List<ValidationPoint> curve = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        curve.add(new ValidationPoint(in.readLong(), in.readLong(), in.readLong(),
            in.readDouble(), in.readDouble()));
      }
      List<Map<String, INDArray>> maps = new ArrayList<>(3);
      for (int k = 0; k < 3; k++) {
        int size = in.readInt();
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
          String name = in.readUTF();
          m.put(name, Nd4j.read(in));
        }
        maps.add(m);
      }
      return new TrainingCheckpoint(key, progress, curve, maps.get(0), maps.get(1), maps.get(2));
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
