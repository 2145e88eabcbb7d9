package dev.ablation.samediff.train;

import dev.ablation.samediff.NativeMemory;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.CpuAccount;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.data.BatchIterator;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains an original: up to E epochs (until the plan's {@link Convergence} rule holds, when it
 * has one), or exactly the plan's fixed number of steps, over the S training strings of a {@link Split} with
 * {@link AdamStepper} on every parameter, evaluating the validation loss with
 * {@link LossEvaluator} (our own loss, never M2.1's listeners), and records θ₀, S × E, the
 * curve and {@code L*}.
 */
public final class OriginalTrainer {
  private final TrainingPlan plan;
  private final Consumer<ValidationPoint> progress;

  /** A trainer following {@code plan}. */
  public OriginalTrainer(TrainingPlan plan) {
    this(plan, p -> { });
  }

  /** A trainer following {@code plan} that reports each evaluation to {@code progress}. */
  public OriginalTrainer(TrainingPlan plan, Consumer<ValidationPoint> progress) {
    if (plan == null || progress == null) {
      throw new IllegalArgumentException("plan and progress are required");
    }
    this.plan = plan;
    this.progress = progress;
  }

  /**
   * Trains {@code model} in place on {@code split.train()}, validating on
   * {@code split.validation()}.
   *
   * @throws IllegalStateException if the training loss becomes non-finite
   */
  public TrainedOriginal train(ReferenceModel model, Split split) {
    return train(model, split, null, Checkpoints.NONE);
  }

  /**
   * Trains {@code model} as {@link #train(ReferenceModel, Split)} does, going on from
   * {@code from} (when not null: its weights are written into {@code model} first) and writing
   * a checkpoint as {@code checkpoints} says.
   */
  TrainedOriginal train(ReferenceModel model, Split split, TrainingCheckpoint from,
      Checkpoints checkpoints) {
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.ORIGINAL_TRAINING)) {
      return trainAccounted(model, split, from, checkpoints);
    }
  }

  private TrainedOriginal trainAccounted(ReferenceModel model, Split split,
      TrainingCheckpoint from, Checkpoints checkpoints) {
    String key = cacheKey(model.config(), plan, split);
    Map<String, INDArray> theta0 = from == null ? model.weights() : from.initialWeights();
    if (from != null) {
      model.setWeights(from.weights());
    }
    ReferenceBatches batcher = ReferenceBatches.of(model);
    List<Batch> validation = batcher.batches(split.validation(), plan.evaluationBatchSize());
    LossEvaluator evaluator = new LossEvaluator(model.model());
    AdamStepper stepper = new AdamStepper(model.model(), model.parameterVariables(),
        plan.adam());
    long fixed = plan.maxSteps();
    // a fixed length runs as many epochs as it takes
    BatchIterator batches = new BatchIterator(split.train(), plan.batchSize(),
        plan.shuffleSeed(), fixed > 0 ? Integer.MAX_VALUE : plan.epochs(), batcher::batch);
    List<ValidationPoint> curve = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    if (from == null) {
      record(curve, new ValidationPoint(0, 0, 0, Double.NaN, meanLoss(evaluator, validation)));
      losses.add(curve.get(0).validationLoss());
    } else {
      stepper.resume(from.steps(), from.examples(), from.tokens(), from.adam());
      batches.skip(from.steps());
      curve.addAll(from.curve());
      from.curve().forEach(p -> losses.add(p.validationLoss()));
    }
    double trainSum = 0;
    long trainTokens = 0;
    Convergence until = plan.convergence();
    long lastSaved = System.nanoTime();
    try {
      while (batches.hasNext() && (fixed == 0 || stepper.steps() < fixed)) {
        Batch b = batches.next();
        trainSum += stepper.step(b) * b.tokens();
        trainTokens += b.tokens();
        b.free(); // made for this step alone
        boolean last = !batches.hasNext() || stepper.steps() == fixed;
        if (stepper.steps() % plan.evaluateEvery() == 0 || last) {
          ValidationPoint p = new ValidationPoint(stepper.steps(), stepper.examples(),
              stepper.tokens(), trainSum / trainTokens, meanLoss(evaluator, validation));
          record(curve, p);
          losses.add(p.validationLoss());
          trainSum = 0;
          trainTokens = 0;
          if (until != null && fixed == 0
              && stepper.steps() >= plan.adam().schedule().warmupSteps()
              && until.holds(losses)) {
            break; // fully trained: S x E is what it took
          }
          if (!last && checkpoints.due(lastSaved)) {
            // right after an evaluation the running training loss is empty: nothing else to keep
            checkpoints.save(new TrainingCheckpoint(key, new TrainingCheckpoint.Progress(
                stepper.steps(), stepper.examples(), stepper.tokens()), List.copyOf(curve),
                model.weights(), theta0, stepper.optimiserState()));
            lastSaved = System.nanoTime();
          }
        }
      }
    } finally {
      stepper.close();
      NativeMemory.trim();
    }
    ReferenceCost budget = new ReferenceCost(stepper.examples(), stepper.tokens());
    return TrainedOriginal.builder().model(model).initialWeights(theta0).budget(budget)
        .curve(curve).finalLoss(curve.get(curve.size() - 1).validationLoss()).plan(plan)
        .trainStrings(split.train().size()).validationStrings(split.validation().size())
        .cacheKey(key).build();
  }

  /**
   * When and where a training run writes its {@link TrainingCheckpoint}: at the first
   * evaluation at least {@code every} after the last one written (or the start), into
   * {@code file}. A checkpoint that cannot be written is logged and training goes on: it
   * only saves time.
   */
  record Checkpoints(Path file, Duration every) {
    static final Checkpoints NONE = new Checkpoints(null, null);

    boolean due(long lastSavedNanos) {
      return file != null && System.nanoTime() - lastSavedNanos >= every.toNanos();
    }

    void save(TrainingCheckpoint c) {
      try {
        c.write(file);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "could not write the checkpoint {0} (training goes"
            + " on; a kill now loses the steps since the last one): {1}", file, describe(e));
      }
    }
  }

  private void record(List<ValidationPoint> curve, ValidationPoint p) {
    curve.add(p);
    progress.accept(p);
  }

  /**
   * The trained original for {@code config}, {@code plan} and {@code split} from
   * {@code cacheRoot/<cacheKey>} if it was saved there before, else trained from
   * {@code ReferenceModel.build(config)} and saved there.
   *
   * <p>The cache heals: an entry that is incomplete (a writer killed before its last step) or
   * damaged (a file truncated or changed since its checksum was written, an unreadable
   * {@code original.json}) is logged at WARNING with the file and the cause and trained again
   * from its spec, which gives the same weights.
   *
   * <p>Several workers (threads or JVMs) may find the same entry missing or damaged at once.
   * Each trains and saves into a temporary directory of its own beside the entry and publishes
   * it by one atomic rename onto the entry's name; an entry is never written in place. The
   * first rename wins; a worker whose rename finds a complete entry there discards its copy and
   * returns the winner's (the same weights: training is deterministic). A damaged entry is
   * first renamed aside (to a unique name) and deleted after the new one is published.
   */
  public static TrainedOriginal trainOrLoad(Path cacheRoot, TransformerConfig config,
      TrainingPlan plan, Split split, Consumer<ValidationPoint> progress) throws IOException {
    String key = cacheKey(config, plan, split);
    Path dir = cacheRoot.resolve(key);
    Optional<TrainedOriginal> cached = loadIfUsable(dir, true);
    if (cached.isPresent()) {
      return cached.get();
    }
    Files.createDirectories(cacheRoot);
    Path checkpoint = TrainingCheckpoint.fileOf(cacheRoot, key);
    TrainingCheckpoint from = checkpointIfUsable(checkpoint, key);
    TrainedOriginal t = new OriginalTrainer(plan, progress).train(ReferenceModel.build(config),
        split, from, new Checkpoints(checkpoint, CHECKPOINT_EVERY));
    Path staging = Files.createTempDirectory(cacheRoot, "." + key + ".building.");
    try {
      t.save(staging);
      TrainedOriginal published = publish(staging, dir, key).orElse(t);
      Files.deleteIfExists(checkpoint); // the entry holds everything it held
      return published;
    } finally {
      deleteTree(staging);
    }
  }

  /**
   * How often {@link #trainOrLoad} checkpoints a training run: a kill loses at most this much
   * training (plus one evaluation interval), and writing costs well under a second per
   * checkpoint for the study's shapes.
   */
  static final Duration CHECKPOINT_EVERY = Duration.ofMinutes(5);

  /** The checkpoint in {@code file} if there is one and it reads, logging what was found. */
  private static TrainingCheckpoint checkpointIfUsable(Path file, String key) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      TrainingCheckpoint c = TrainingCheckpoint.read(file, key);
      LOG.log(System.Logger.Level.INFO, "original {0}: going on from its checkpoint at step"
          + " {1} ({2})", key, c.steps(), file);
      return c;
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "checkpoint {0} is unusable, training the original"
          + " from step 0: {1}", file, describe(e));
      return null;
    }
  }

  /**
   * Moves the complete entry {@code staging} to {@code dir}. Returns the entry another worker
   * published first, if one did (then {@code staging} stays for the caller to delete), or empty
   * once ours is in place.
   */
  private static Optional<TrainedOriginal> publish(Path staging, Path dir, String key)
      throws IOException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<TrainedOriginal> winner = loadIfUsable(dir, false);
      if (winner.isPresent()) {
        return winner;
      }
      Path aside = null;
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        // damaged or incomplete: out of the way under a unique name, deleted below
        aside = uniqueSibling(dir, "." + key + ".damaged.");
        try {
          Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
          aside = null; // another worker moved it first
        }
      }
      try {
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        return Optional.empty();
      } catch (FileSystemException e) {
        // Linux says EEXIST or ENOTEMPTY when another worker's rename came first: look at what
        // it published; anything else (no entry there) is a real failure
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
          throw e;
        }
      } finally {
        if (aside != null) {
          deleteTree(aside);
        }
      }
    }
    throw new IOException("could not publish the trained original " + staging + " as " + dir
        + ": the entry kept changing under three attempts (other writers?)");
  }

  /** The entry in {@code dir} if it loads, logging why not if it does not (and {@code log}). */
  private static Optional<TrainedOriginal> loadIfUsable(Path dir, boolean log) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try {
      return Optional.of(TrainedOriginal.load(dir));
    } catch (IOException | RuntimeException e) {
      if (log) {
        LOG.log(System.Logger.Level.WARNING, "cached original {0} is unusable, training it "
            + "again from its spec: {1}", dir, describe(e));
      }
      return Optional.empty();
    }
  }

  private static Path uniqueSibling(Path dir, String prefix) {
    return dir.resolveSibling(prefix + UUID.randomUUID());
  }

  /** Deletes {@code root} and everything under it, if it exists. */
  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static final System.Logger LOG = System.getLogger(OriginalTrainer.class.getName());

  /** A message that always names the cause, also for exceptions without one. */
  private static String describe(Throwable e) {
    if (e instanceof DamagedEntryException) {
      return e.getMessage();
    }
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(b.length() == 0 ? "" : "; caused by ").append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        b.append(": ").append(t.getMessage());
      }
    }
    return b.toString();
  }

  /**
   * A content hash of everything that determines the trained weights: the config (its
   * {@link TransformerConfig#contentHash()}), the plan and every example of the split, in
   * order. 16 hex digits.
   */
  public static String cacheKey(TransformerConfig config, TrainingPlan plan, Split split) {
    Hasher h = Hashing.sha256().newHasher();
    h.putString("original/1|" + config.contentHash() + "|" + plan, StandardCharsets.UTF_8);
    for (List<Example> part : List.of(split.train(), split.validation())) {
      h.putInt(part.size());
      for (Example e : part) {
        putTokens(h, e.tokens());
        if (e.isPair()) {
          putTokens(h, e.target());
        }
        h.putInt(-1);
      }
    }
    return h.hash().toString().substring(0, 16);
  }

  private static void putTokens(Hasher h, int[] tokens) {
    h.putInt(tokens.length);
    for (int t : tokens) {
      h.putInt(t);
    }
  }

  /** A validation pass of the original, charged to its own line of the CPU account. */
  private static double meanLoss(LossEvaluator evaluator, List<Batch> validation) {
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.ORIGINAL_EVALUATION)) {
      return evaluator.meanLoss(validation);
    }
  }
}
