package dev.ablation.samediff.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.hash.Hashing;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the training records write, pinned as the records wrote it before they became classes
 * with builders (issue 34): the plan's JSON and text (the text is part of every cache key), a
 * cached original's {@code original.json} and a checkpoint's bytes. A change here orphans every
 * cached original or checkpoint on a user's disk, so these strings are never regenerated.
 */
class TrainingRecordsPinnedTest {
  @TempDir Path dir;

  /** The plan of the smaller tests: no rule, no fixed length, a constant rate. */
  static TrainingPlan plain() {
    return TrainingPlan.of(2, 16, 1e-2, 3).evaluatingEvery(3);
  }

  /** A study's plan: a schedule, the plateau rule and a fixed length. */
  static TrainingPlan full() {
    return TrainingPlan.builder().epochs(6).batchSize(16).adam(AdamSettings.of(3e-3)
        .withSchedule(LrSchedule.warmupLinearDecay(2, 24))).evaluateEvery(4)
        .evaluationBatchSize(32).shuffleSeed(5).convergence(new Convergence(3, 1e-4))
        .maxSteps(24).build();
  }

  /** The pinned files, written once by the code before issue 34 with {@code -Dgolden.write}. */
  private static final Path GOLDEN = Path.of("src/test/resources/golden/training-records");

  /**
   * Whether {@code actual} is the content of golden file {@code name}; with
   * {@code -Dgolden.write=true} it writes it instead (only ever with the code that defined the
   * format).
   */
  private static void assertGolden(String name, String actual) throws IOException {
    Path f = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.write")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(f, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(f, StandardCharsets.UTF_8), actual, name);
  }

  private static String golden(String name) throws IOException {
    return Files.readString(GOLDEN.resolve(name), StandardCharsets.UTF_8);
  }

  @Test
  void aPlanWritesTheJsonAndTextItAlwaysWrote() throws IOException {
    var json = TrainedOriginal.mapper();
    assertGolden("plan-plain.json", json.writeValueAsString(plain()));
    assertGolden("plan-full.json", json.writeValueAsString(full()));
    assertGolden("plan-plain.txt", plain().toString());
    assertGolden("plan-full.txt", full().toString());
  }

  @Test
  void aPlanReadsBackFromItsPinnedJson() throws IOException {
    var json = TrainedOriginal.mapper();
    String plainJson = golden("plan-plain.json");
    String fullJson = golden("plan-full.json");
    assertEquals(plain(), json.readValue(plainJson, TrainingPlan.class));
    assertEquals(full(), json.readValue(fullJson, TrainingPlan.class));
    assertEquals(plainJson, json.writeValueAsString(json.readValue(plainJson,
        TrainingPlan.class)));
    assertEquals(fullJson, json.writeValueAsString(json.readValue(fullJson,
        TrainingPlan.class)));
  }

  static TrainedOriginal original() {
    ReferenceModel model = ReferenceModel.build(TransformerConfig.decoderOnly(1, 8, 2, 5, 4, 7));
    return TrainedOriginal.builder().model(model).initialWeights(model.weights())
        .budget(new ReferenceCost(80, 640))
        .curve(List.of(new ValidationPoint(0, 0, 0, Double.NaN, 1.75),
            new ValidationPoint(3, 48, 384, 1.5, 1.25)))
        .finalLoss(1.25).plan(full()).trainStrings(40).validationStrings(20)
        .cacheKey("0123456789abcdef").build();
  }

  /** The record of a cached original, its checksums and sizes masked (the model's bytes). */
  @Test
  void aCachedOriginalWritesTheRecordItAlwaysWrote() throws IOException {
    original().save(dir);
    String text = Files.readString(dir.resolve(TrainedOriginal.RECORD), StandardCharsets.UTF_8)
        .replaceAll("\"sha256\" : \"[0-9a-f]{64}\"", "\"sha256\" : \"…\"")
        .replaceAll("\"bytes\" : [0-9]+", "\"bytes\" : 0");
    assertGolden("original.json", text);
    TrainedOriginal back = TrainedOriginal.load(dir);
    assertEquals(full(), back.plan());
    assertEquals(new ReferenceCost(80, 640), back.budget());
    assertEquals(original().curve().get(1), back.curve().get(1));
    assertEquals(1.25, back.finalLoss());
    assertEquals(40, back.trainStrings());
    assertEquals(20, back.validationStrings());
    assertEquals("0123456789abcdef", back.cacheKey());
  }

  static TrainingCheckpoint checkpoint() {
    Map<String, INDArray> w = new LinkedHashMap<>();
    w.put("a", Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'c'));
    w.put("b", Nd4j.create(new float[] {5, 6}, new long[] {2}, 'c'));
    Map<String, INDArray> t0 = Map.of("a", Nd4j.zeros(DataType.FLOAT, 2, 2));
    Map<String, INDArray> adam = Map.of("a/m", Nd4j.ones(DataType.FLOAT, 2, 2));
    return new TrainingCheckpoint("0123456789abcdef",
        new TrainingCheckpoint.Progress(12, 192, 1536),
        List.of(new ValidationPoint(0, 0, 0, Double.NaN, 2.5),
            new ValidationPoint(12, 192, 1536, 2.0, 1.875)), w, t0, adam);
  }

  @Test
  void aCheckpointWritesTheBytesItAlwaysWrote() throws IOException {
    Path f = dir.resolve("c.checkpoint");
    checkpoint().write(f);
    assertGolden("checkpoint.sha256", Hashing.sha256().hashBytes(Files.readAllBytes(f))
        .toString());
    TrainingCheckpoint back = TrainingCheckpoint.read(f, "0123456789abcdef");
    assertEquals(checkpoint().curve(), back.curve());
    assertEquals(checkpoint().weights(), back.weights());
    assertEquals(checkpoint().adam(), back.adam());
    assertEquals(new TrainingCheckpoint.Progress(12, 192, 1536), back.progress());
    assertEquals(192, back.examples());
  }
}
