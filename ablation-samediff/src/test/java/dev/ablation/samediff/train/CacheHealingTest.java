package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.TransformerConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged or partial cache entry of an original is logged with its path and trained again
 * from its spec, giving the same weights; it never fails the caller.
 */
class CacheHealingTest {
  private static final TransformerConfig CONFIG = TransformerConfig.decoderOnly(1, 8, 2, 6, 6,
      3);
  private static final TrainingPlan PLAN = TrainingPlan.of(1, 16, 1e-2, 5);
  private static final Split SPLIT = new MarkovChain(6, 1, 1.0, 2).split(32, 16, 7, 4);
  private static TrainedOriginal reference;

  @TempDir Path cache;
  private final List<String> warnings = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      Object[] ps = r.getParameters();
      String text = r.getMessage();
      if (ps != null) {
        text = java.text.MessageFormat.format(text, ps);
      }
      warnings.add(r.getLevel() + " " + text);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  static void trainOnce() {
    reference = new OriginalTrainer(PLAN).train(
        dev.ablation.samediff.model.ReferenceModel.build(CONFIG), SPLIT);
  }

  @BeforeEach
  void listen() {
    Logger.getLogger(OriginalTrainer.class.getName()).addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    Logger.getLogger(OriginalTrainer.class.getName()).removeHandler(capture);
  }

  private Path entry() throws IOException {
    OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN, SPLIT, p -> { });
    return cache.resolve(OriginalTrainer.cacheKey(CONFIG, PLAN, SPLIT));
  }

  /** Loads through the cache and checks that it trained again and got the same original. */
  private void assertRebuilt(Path damaged) throws IOException {
    List<ValidationPoint> trained = new ArrayList<>();
    TrainedOriginal t = OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN, SPLIT, trained::add);
    assertThat(trained).as("trained again").isNotEmpty();
    assertThat(t.model().weights()).isEqualTo(reference.model().weights());
    assertThat(warnings).as("a warning names " + damaged)
        .anyMatch(w -> w.startsWith("WARNING") && w.contains(damaged.toString()));
    // and the rebuilt entry now loads without training
    List<ValidationPoint> again = new ArrayList<>();
    OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN, SPLIT, again::add);
    assertThat(again).as("the healed entry loads").isEmpty();
  }

  @Test
  void aCompleteEntryLoadsWithoutWarnings() throws IOException {
    entry();
    List<ValidationPoint> trained = new ArrayList<>();
    OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN, SPLIT, trained::add);
    assertThat(trained).isEmpty();
    assertThat(warnings).isEmpty();
  }

  @Test
  void aTruncatedModelIsRebuilt() throws IOException {
    Path fb = entry().resolve("model.fb");
    try (FileChannel ch = FileChannel.open(fb, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    assertRebuilt(fb);
  }

  @Test
  void aModelChangedInPlaceIsRebuilt() throws IOException {
    Path fb = entry().resolve("model.fb");
    byte[] bytes = Files.readAllBytes(fb);
    bytes[bytes.length - 40] ^= 0x5a; // same size, different content: only a checksum sees it
    Files.write(fb, bytes);
    assertRebuilt(fb);
  }

  @Test
  void aBrokenRecordIsRebuilt() throws IOException {
    Path json = entry().resolve("original.json");
    Files.writeString(json, "{\"format\": \"ablation-trained-orig", StandardCharsets.UTF_8);
    assertRebuilt(json);
  }

  @Test
  void anEmptyRecordIsRebuilt() throws IOException {
    Path json = entry().resolve("original.json");
    Files.write(json, new byte[0]);
    assertRebuilt(json);
  }

  @Test
  void aPartialEntryWithoutItsRecordIsRebuilt() throws IOException {
    Path json = entry().resolve("original.json");
    Files.delete(json); // what a kill between the data files and the record leaves
    assertRebuilt(json);
  }

  @Test
  void aMissingThetaZeroIsRebuilt() throws IOException {
    Path theta = entry().resolve("theta0.bin");
    Files.delete(theta);
    assertRebuilt(theta);
  }

  @Test
  void theRecordIsWrittenAtomicallyAndLeavesNoTemporaryFile() throws IOException {
    Path dir = entry();
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("model.fb", "model.json", "theta0.bin", "original.json");
    }
    assertThat(Files.readString(dir.resolve("original.json"), StandardCharsets.UTF_8))
        .contains("sha256");
  }

  @Test
  void twoWorkersHealingOneEntryAtOnceBothGetTheSameValidOriginal() throws Exception {
    Path dir = entry();
    Path fb = dir.resolve("model.fb");
    try (FileChannel ch = FileChannel.open(fb, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    Object damagedDirectory = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
    // the check that the entry is published by a rename compares file keys: a file system
    // without them (Linux's have them) fails here rather than skipping that check
    assertThat(damagedDirectory).as("the file key of " + dir).isNotNull();
    // both pass the load check and train at the same time: each waits for the other at its
    // first validation point (a worker that loaded instead would break the barrier)
    CyclicBarrier bothTraining = new CyclicBarrier(2);
    Callable<TrainedOriginal> worker = () -> OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN,
        SPLIT, new java.util.function.Consumer<>() {
          private boolean waited;

          @Override
          public void accept(ValidationPoint p) {
            if (!waited) {
              waited = true;
              try {
                bothTraining.await(120, TimeUnit.SECONDS);
              } catch (Exception e) {
                throw new IllegalStateException("the other worker did not train alongside", e);
              }
            }
          }
        });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<TrainedOriginal> a = pool.submit(worker);
      Future<TrainedOriginal> b = pool.submit(worker);
      TrainedOriginal ta = a.get(300, TimeUnit.SECONDS);
      TrainedOriginal tb = b.get(300, TimeUnit.SECONDS);
      assertThat(ta.model().weights()).isEqualTo(reference.model().weights());
      assertThat(tb.model().weights()).isEqualTo(reference.model().weights());
    } finally {
      pool.shutdownNow();
    }
    // one valid entry, nothing left beside it (staging copies, the damaged entry)
    try (var names = Files.list(cache)) {
      assertThat(names.map(f -> f.getFileName().toString()))
          .containsExactly(OriginalTrainer.cacheKey(CONFIG, PLAN, SPLIT));
    }
    // published by a rename, never rewritten in place: the entry is another directory now
    Object healedDirectory = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
    assertThat(healedDirectory).isNotEqualTo(damagedDirectory);
    TrainedOriginal loaded = TrainedOriginal.load(dir);
    assertThat(loaded.model().weights()).isEqualTo(reference.model().weights());
    assertThat(loaded.initialWeights()).isEqualTo(reference.initialWeights());
  }
}
