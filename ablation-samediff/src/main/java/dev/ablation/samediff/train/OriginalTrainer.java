package dev.ablation.samediff.train;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.ablation.api.recovery.ReferenceBudget;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.BatchIterator;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains an original: up to E epochs (until the plan's {@link Convergence} rule holds, when it
 * has one) over the S training strings of a {@link Split} with
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
    Map<String, INDArray> theta0 = model.weights();
    ReferenceBatches batcher = ReferenceBatches.of(model);
    List<Batch> validation = batcher.batches(split.validation(), plan.evaluationBatchSize());
    LossEvaluator evaluator = new LossEvaluator(model.model());
    AdamStepper stepper = new AdamStepper(model.model(), model.parameterVariables(),
        plan.adam());
    BatchIterator batches = new BatchIterator(split.train(), plan.batchSize(),
        plan.shuffleSeed(), plan.epochs(), batcher::batch);
    List<ValidationPoint> curve = new ArrayList<>();
    record(curve, new ValidationPoint(0, 0, 0, Double.NaN, evaluator.meanLoss(validation)));
    double trainSum = 0;
    long trainTokens = 0;
    List<Double> losses = new ArrayList<>();
    losses.add(curve.get(0).validationLoss());
    Convergence until = plan.convergence();
    while (batches.hasNext()) {
      Batch b = batches.next();
      trainSum += stepper.step(b) * b.tokens();
      trainTokens += b.tokens();
      if (stepper.steps() % plan.evaluateEvery() == 0 || !batches.hasNext()) {
        ValidationPoint p = new ValidationPoint(stepper.steps(), stepper.examples(),
            stepper.tokens(), trainSum / trainTokens, evaluator.meanLoss(validation));
        record(curve, p);
        losses.add(p.validationLoss());
        trainSum = 0;
        trainTokens = 0;
        if (until != null && stepper.steps() >= plan.adam().schedule().warmupSteps()
            && until.holds(losses)) {
          break; // fully trained: S x E is what it took
        }
      }
    }
    ReferenceBudget budget = new ReferenceBudget(stepper.examples(), stepper.tokens());
    return new TrainedOriginal(model, theta0, budget, curve,
        curve.get(curve.size() - 1).validationLoss(), plan, split.train().size(),
        split.validation().size(), cacheKey(model.config(), plan, split));
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
   * {@code original.json}) is logged at WARNING with the file and the cause, deleted and
   * trained again from its spec, which gives the same weights.
   */
  public static TrainedOriginal trainOrLoad(Path cacheRoot, TransformerConfig config,
      TrainingPlan plan, Split split, Consumer<ValidationPoint> progress) throws IOException {
    String key = cacheKey(config, plan, split);
    Path dir = cacheRoot.resolve(key);
    if (Files.isDirectory(dir)) {
      try {
        return TrainedOriginal.load(dir);
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cached original {0} is unusable, training it "
            + "again from its spec: {1}", dir, describe(e));
        clear(dir);
      }
    }
    TrainedOriginal t = new OriginalTrainer(plan, progress).train(ReferenceModel.build(config),
        split);
    t.save(dir);
    return t;
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

  /** Deletes the files of an entry (not the directory: a fresh save refills it). */
  private static void clear(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.delete(f);
        }
      }
    }
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
}
