package dev.ablation.study.engine;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.BatchIterator;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.Convergence;
import dev.ablation.samediff.train.LrSchedule;
import dev.ablation.samediff.train.TrainingPlan;
import dev.ablation.samediff.train.TrainingPlanBuilder;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.TrainingSettings;
import java.util.Iterator;

/**
 * How the study trains and feeds its models: an original's plan and optimiser, a recovery's
 * optimiser, the validation batch size, and each run's training order.
 */
final class Recipes {
  private Recipes() {}

  /**
   * Strings per validation batch: the training batch size. A validation pass then has the
   * shapes of a training step, so a graph session's array cache serves both from one set of
   * arrays; at 256 strings per batch each evaluation would hold a second set eight times a
   * step's size (0.5 GB more resident on two workers at N = 8, D = 128, measured). The loss is
   * the same token-weighted mean over the same 256 strings; only its float rounding differs
   * (sixth significant digit).
   */
  static int evaluationBatch(TrainingSettings t) {
    return t.batchSize();
  }

  /** How an original of settings {@code t} is trained; its shuffle seed is {@code dataSeed}. */
  static TrainingPlan originalPlan(TrainingSettings t, long dataSeed) {
    TrainingSettings.Stopping c = t.stopping();
    TrainingPlanBuilder plan = TrainingPlan.builder().epochs(c.maxEpochs())
        .batchSize(t.batchSize()).adam(originalAdam(t)).evaluateEvery(c.evalEvery())
        .evaluationBatchSize(evaluationBatch(t)).shuffleSeed(dataSeed)
        .convergence(new Convergence(c.window(), c.delta()));
    return (c.isFixedLength() ? plan.maxSteps(c.fixedSteps()) : plan).build();
  }

  /**
   * The original's optimiser (also {@code T_scratch}'s: a fresh model trained as one): warm-up,
   * then inverse-sqrt decay, or, for a fixed length, linear decay to 0 over that length.
   */
  static AdamSettings originalAdam(TrainingSettings t) {
    TrainingSettings.Optimiser o = t.optimiser();
    TrainingSettings.Stopping c = t.stopping();
    return AdamSettings.of(o.peakRate()).withSchedule(c.isFixedLength()
        ? LrSchedule.warmupLinearDecay(o.warmupSteps(), c.fixedSteps())
        : LrSchedule.warmupInverseSqrt(o.warmupSteps()));
  }

  /** A recovery's fresh optimiser at {@code multiple} of the original's peak rate. */
  static AdamSettings recoveryAdam(TrainingSettings t, double multiple) {
    return AdamSettings.of(t.recoveryRate(multiple))
        .withSchedule(LrSchedule.warmup(t.optimiser().recoveryWarmup()));
  }

  static Iterator<Batch> trainingOrder(Loaded l, TrainingSettings t, long seed) {
    return new FreeingIterator(keptOrder(l, t, seed));
  }

  /** The same order as {@link #trainingOrder}, each batch left to its user. */
  static Iterator<Batch> keptOrder(Loaded l, TrainingSettings t, long seed) {
    ReferenceBatches batcher = ReferenceBatches.of(l.trained().model());
    return new BatchIterator(l.split().train(), t.batchSize(), seed, Integer.MAX_VALUE,
        batcher::batch);
  }

  /**
   * Frees each batch when the next one is asked for: a recovery step is over by then, and the
   * batch was drawn for that step alone (its off-heap arrays go back when its step ends, not
   * at some later garbage collection).
   */
  private static final class FreeingIterator implements Iterator<Batch> {
    private final Iterator<Batch> batches;
    private Batch last;

    FreeingIterator(Iterator<Batch> batches) {
      this.batches = batches;
    }

    @Override
    public boolean hasNext() {
      return batches.hasNext();
    }

    @Override
    public Batch next() {
      if (last != null) {
        last.free();
      }
      last = batches.next();
      return last;
    }
  }

  private static final System.Logger LOG = System.getLogger(SameDiffStudyEngine.class.getName());
  /** At most one progress line per original per this many nanoseconds. */
  private static final long PROGRESS_EVERY_NANOS = 60_000_000_000L;

  /**
   * A line in the log at most once a minute while an original trains (its step, of how many
   * when the length is fixed, and its validation loss): an original of the larger shapes trains
   * for tens of minutes, and nothing else shows it is alive.
   */
  static java.util.function.Consumer<dev.ablation.samediff.train.ValidationPoint>
      trainingProgress(OriginalSpec spec) {
    long[] last = {System.nanoTime()};
    long fixed = spec.training().stopping().fixedSteps();
    String of = fixed > 0 ? " of " + fixed : "";
    return p -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY_NANOS) {
        last[0] = now;
        LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
            "original %s seed %d: step %d%s, validation loss %.4f", spec.model(), spec.seed(),
            p.step(), of, p.validationLoss()));
      }
    };
  }
}
