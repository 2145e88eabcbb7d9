package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.Test;

/**
 * An original's training killed part-way goes on from its last checkpoint and ends exactly where
 * a run never stopped ends: the same weights bit for bit, the same curve, the same budget. A
 * damaged checkpoint is refused and the original trained from step 0.
 */
class OriginalCheckpointTest {
  private static final TransformerConfig CONFIG = TransformerConfig.decoderOnly(1, 16, 2, 8, 8,
      3);
  private static final Split SPLIT = new MarkovChain(8, 2, 2.0, 1).split(64, 32, 9, 2);

  static Stream<TrainingPlan> plans() {
    return Stream.of(
        // a fixed length with the rate decayed to 0, 6 epochs of 4 steps
        TrainingPlan.builder().epochs(1).batchSize(16).adam(AdamSettings.of(3e-3)
            .withSchedule(LrSchedule.warmupLinearDecay(2, 24))).evaluateEvery(4)
            .evaluationBatchSize(32).shuffleSeed(5).maxSteps(24).build(),
        // the plateau rule: its window of losses must be carried across the checkpoint
        TrainingPlan.builder().epochs(6).batchSize(16).adam(AdamSettings.of(3e-3)
            .withSchedule(LrSchedule.warmupInverseSqrt(2))).evaluateEvery(4)
            .evaluationBatchSize(32).shuffleSeed(5).convergence(new Convergence(3, 1e-4))
            .build());
  }

  /**
   * Trains from step 0 with a checkpoint at every evaluation into {@code file}, killed (as by
   * {@link #killAt}) at the evaluation of {@code step}.
   */
  private static void killedAt(TrainingPlan plan, long step, Path file) {
    assertThrows(IllegalStateException.class, () -> new OriginalTrainer(plan, killAt(step))
        .train(ReferenceModel.build(CONFIG), SPLIT, null,
            new OriginalTrainer.Checkpoints(file, Duration.ZERO)));
  }

  /** Stops training (as a kill would) when an evaluation at {@code step} is reported. */
  private static Consumer<ValidationPoint> killAt(long step) {
    return p -> {
      if (p.step() == step) {
        throw new IllegalStateException("killed at step " + step);
      }
    };
  }

  @ParameterizedTest
  @MethodSource("plans")
  void aResumedRunEndsBitForBitWhereAnUnbrokenOneEnds(TrainingPlan plan, @TempDir Path dir)
      throws IOException {
    TrainedOriginal unbroken = new OriginalTrainer(plan).train(ReferenceModel.build(CONFIG),
        SPLIT);
    assertThat(unbroken.curve()).as("long enough to stop part-way").hasSizeGreaterThan(4);

    Path file = dir.resolve("ck");
    OriginalTrainer.Checkpoints every = new OriginalTrainer.Checkpoints(file, Duration.ZERO);
    killedAt(plan, 12, file);
    String key = OriginalTrainer.cacheKey(CONFIG, plan, SPLIT);
    TrainingCheckpoint at8 = TrainingCheckpoint.read(file, key);
    assertThat(at8.steps()).as("the last evaluation before the kill").isEqualTo(8);
    assertThat(at8.curve()).extracting(ValidationPoint::step).containsExactly(0L, 4L, 8L);

    TrainedOriginal resumed = new OriginalTrainer(plan).train(ReferenceModel.build(CONFIG),
        SPLIT, at8, every);
    assertSame(resumed, unbroken);
  }

  @Test
  void trainOrLoadGoesOnFromACheckpointAndDeletesItOncePublished(@TempDir Path cache)
      throws IOException {
    TrainingPlan plan = plans().findFirst().orElseThrow();
    TrainedOriginal unbroken = new OriginalTrainer(plan).train(ReferenceModel.build(CONFIG),
        SPLIT);
    String key = OriginalTrainer.cacheKey(CONFIG, plan, SPLIT);
    Path file = TrainingCheckpoint.fileOf(cache, key);
    Files.createDirectories(cache);
    killedAt(plan, 16, file);
    assertThat(TrainingCheckpoint.read(file, key).steps()).isEqualTo(12);

    List<Long> reported = new java.util.ArrayList<>();
    TrainedOriginal t = OriginalTrainer.trainOrLoad(cache, CONFIG, plan, SPLIT,
        p -> reported.add(p.step()));
    assertThat(reported).as("only the evaluations after the checkpoint run again")
        .containsExactly(16L, 20L, 24L);
    assertSame(t, unbroken);
    assertThat(file).doesNotExist();
    assertSame(TrainedOriginal.load(cache.resolve(key)), unbroken);
  }

  @Test
  void aDamagedCheckpointIsRefusedAndTheOriginalTrainedFromTheStart(@TempDir Path cache)
      throws IOException {
    TrainingPlan plan = plans().findFirst().orElseThrow();
    String key = OriginalTrainer.cacheKey(CONFIG, plan, SPLIT);
    Path file = TrainingCheckpoint.fileOf(cache, key);
    Files.createDirectories(cache);
    killedAt(plan, 16, file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    DamagedEntryException e = assertThrows(DamagedEntryException.class,
        () -> TrainingCheckpoint.read(file, key));
    assertThat(e).hasMessageContaining(file.toString()).hasMessageContaining("SHA-256");
    assertThat(assertThrows(DamagedEntryException.class,
        () -> TrainingCheckpoint.read(file, "0123456789abcdef")))
        .hasMessageContaining("SHA-256");

    List<Long> reported = new java.util.ArrayList<>();
    TrainedOriginal t = OriginalTrainer.trainOrLoad(cache, CONFIG, plan, SPLIT,
        p -> reported.add(p.step()));
    assertThat(reported).as("from step 0").startsWith(0L, 4L);
    assertSame(t, new OriginalTrainer(plan).train(ReferenceModel.build(CONFIG), SPLIT));
  }

  @Test
  void aCheckpointOfAnotherEntryIsRefused(@TempDir Path dir) throws IOException {
    TrainingPlan plan = plans().findFirst().orElseThrow();
    Path file = dir.resolve("ck");
    killedAt(plan, 8, file);
    assertThat(assertThrows(DamagedEntryException.class,
        () -> TrainingCheckpoint.read(file, "0123456789abcdef")))
        .hasMessageContaining("belongs to entry " + OriginalTrainer.cacheKey(CONFIG, plan,
            SPLIT));
  }

  private static void assertSame(TrainedOriginal actual, TrainedOriginal expected) {
    assertThat(actual.curve()).isEqualTo(expected.curve());
    assertThat(actual.budget()).isEqualTo(expected.budget());
    assertThat(actual.finalLoss()).isEqualTo(expected.finalLoss());
    Map<String, INDArray> a = actual.model().weights();
    Map<String, INDArray> e = expected.model().weights();
    assertThat(a.keySet()).containsExactlyElementsOf(e.keySet());
    // bit for bit: INDArray.equals would allow a difference of 1e-5
    e.forEach((name, w) -> assertThat(bits(a.get(name))).as(name).containsExactly(bits(w)));
    Map<String, INDArray> a0 = actual.initialWeights();
    expected.initialWeights().forEach((name, w) -> assertThat(bits(a0.get(name))).as(name)
        .containsExactly(bits(w)));
  }

  private static int[] bits(INDArray w) {
    float[] f = w.ravel().toFloatVector();
    int[] b = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      b[i] = Float.floatToRawIntBits(f[i]);
    }
    return b;
  }
}
