package dev.ablation.samediff.recovery;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.GradientChatter;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.FitOptimiser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * One recovery inside {@code sd.fit}: the iterator to train on, the listener that watches
 * it, and the result. The iterator charges each batch to the budget before {@code fit} uses
 * it and ends the epoch once the run is decided; {@code fit} then stops. A run decided before
 * its first step (a budget of 0, a wipe that did no damage) ends {@code fit} without changing
 * a weight.
 *
 * <p>It holds the model as it was at {@link Recovery#startFit}: {@link #restore()}, or closing
 * it in a {@code try}-with-resources, puts those weights and that trainable set back, after which
 * the model may start another recovery. The graph keeps the recovery's optimiser: set your
 * own training configuration again to go on training it.
 */
public final class RecoveryFit implements AutoCloseable {
  private final SameDiffSurgeon surgeon;
  private final RecoveryMonitor monitor;
  private final List<Batch> validation;
  private final LossEvaluator.Evaluation original;
  private final List<String> features;
  private final List<String> labels;
  private final Set<ParameterPath> trainableBefore;
  private final RecoveryFitListener listener;
  private final long parameterCount;
  private final WeightSnapshot start;
  private final WipeRegistry.Holder held;
  private RecoveryResult result;
  private boolean restored;

  private RecoveryFit(SameDiffSurgeon surgeon, RecoveryMonitor monitor,
      List<Batch> validation, LossEvaluator.Evaluation original, List<String> features,
      List<String> labels, Set<ParameterPath> trainableBefore, WeightSnapshot start,
      WipeRegistry.Holder held) {
    this.surgeon = surgeon;
    this.start = start;
    this.held = held;
    this.monitor = monitor;
    this.validation = ImmutableList.copyOf(validation);
    this.original = original;
    this.features = features;
    this.labels = labels;
    this.trainableBefore = trainableBefore;
    this.listener = new RecoveryFitListener(monitor, surgeon.model(), this.validation);
    long n = 0;
    for (ParameterInfo p : surgeon.layout().parameters()) {
      n += p.shape().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }
    this.parameterCount = n;
  }

  /**
   * {@code sd.fit}'s iterator over {@code train}: an endless cycle in order (one epoch is
   * enough: it ends when the run is decided), each batch fed to the placeholders of the
   * graph's feature and label mapping and charged its {@link Batch#examples()} and
   * {@link Batch#tokens()}.
   *
   * @throws IllegalArgumentException if a batch lacks a mapped placeholder or does not run
   *     through the graph (each placeholder not of its declared shape named, both shapes)
   */
  public MultiDataSetIterator iterator(List<Batch> train) {
    BatchShapes.requireBatches("training", train);
    requireOpen();
    BatchShapes shapes = new BatchShapes(surgeon.model().graph(),
        surgeon.model().lossVariable(), "training");
    for (int i = 0; i < train.size(); i++) {
      shapes.check(i, fed(arrays(train.get(i), features),
          labels.isEmpty() ? null : arrays(train.get(i), labels)));
    }
    List<MultiDataSet> data = new ArrayList<>();
    Map<MultiDataSet, Batch> source = new java.util.IdentityHashMap<>();
    for (Batch b : train) {
      MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(arrays(b, features),
          labels.isEmpty() ? null : arrays(b, labels));
      data.add(m);
      source.put(m, b);
    }
    return listener.wrap(new CyclingMultiDataSetIterator(data), m -> cost(source.get(m)));
  }

  /**
   * Wraps your own {@code sd.fit} iterator: each batch is charged one step, its examples
   * (the first feature array's first dimension) and tokens ({@code tokensPerExample} each).
   * Give it as many epochs as you like: {@code fit} stops once the run is decided. Each batch
   * of shapes not seen before is tried on the graph before {@code fit} uses it.
   */
  public MultiDataSetIterator wrap(MultiDataSetIterator train, long tokensPerExample) {
    Objects.requireNonNull(train, "train");
    if (tokensPerExample < 1) {
      throw new IllegalArgumentException("tokensPerExample must be >= 1, got "
          + tokensPerExample);
    }
    requireOpen();
    BatchShapes shapes = new BatchShapes(surgeon.model().graph(),
        surgeon.model().lossVariable(), "training");
    long[] index = {0};
    return listener.wrap(train, m -> {
      shapes.check(Math.toIntExact(index[0]++), fed(m.getFeatures(), m.getLabels()));
      long examples = m.getFeatures(0).size(0);
      long tokens = Math.multiplyExact(examples, tokensPerExample);
      return new Cost(1, examples, tokens, 6.0 * parameterCount * tokens);
    });
  }

  /** The listener to give {@code sd.fit} (or {@code sd.setListeners}) with the iterator. */
  public Listener listener() {
    return listener;
  }

  /**
   * Whether the run is decided: the criterion gave its verdict or the budget is spent. Once
   * it is, the iterator ends its epoch and {@code sd.fit} returns; {@link #result()} is then
   * final. True already at start when there was nothing to train (a budget of 0, a wipe that
   * did no damage). A loop of your own can poll it to stop early.
   */
  public boolean isFinished() {
    return monitor.isFinished();
  }

  /**
   * The result, once {@code fit} has trained (or the run was decided at start); puts back
   * the trainable set the model had before {@link #startFit}. A run that trained but stopped
   * before a verdict (your iterator ran out) counts as {@link Verdict#BUDGET_EXHAUSTED}.
   * Repeated calls return the same result.
   *
   * @throws IllegalStateException before any step: nothing was measured yet (call
   *     {@code sd.fit(fit.iterator(train), 1, fit.listener())} first), or after
   *     {@link #restore()} without a result taken before it
   */
  public RecoveryResult result() {
    if (result != null) {
      return result;
    }
    requireOpen();
    if (!monitor.isFinished() && monitor.spent().steps() == 0) {
      throw new IllegalStateException("no step was trained yet, so there is no result: run"
          + " sd.fit(fit.iterator(train), 1, fit.listener()) (or your own iterator through"
          + " fit.wrap(...)) first");
    }
    Optional<Fidelity> fidelity = Optional.empty();
    if (!original.logits().isEmpty()
        && monitor.verdict().orElse(Verdict.BUDGET_EXHAUSTED) != Verdict.DIVERGED) {
      fidelity = Optional.of(LossEvaluator.fidelity(original,
          new LossEvaluator(surgeon.model()).evaluate(validation)));
    }
    result = monitor.result(fidelity);
    if (!trainableBefore.isEmpty() && !trainableBefore.equals(surgeon.trainable())) {
      surgeon.setTrainable(trainableBefore);
    }
    return result;
  }

  /**
   * Puts back the weights and the trainable set the model had at {@link #startFit}, so that
   * it may start another recovery. Take {@link #result()} first: it is measured on the
   * recovered model. Idempotent.
   */
  public void restore() {
    if (!restored) {
      surgeon.restore(start);
      restored = true;
      WipeRegistry.release(surgeon.model().graph(), held);
    }
  }

  /** {@link #restore()}: a {@code try}-with-resources block leaves the model as it was. */
  @Override
  public void close() {
    restore();
  }

  private void requireOpen() {
    if (restored) {
      throw new IllegalStateException("this RecoveryFit was restored: the model is back to its"
          + " trained weights; start a new one with recovery.startFit(validation)");
    }
  }

  /** What one {@code sd.fit} batch feeds: features and labels by placeholder. */
  private Map<String, INDArray> fed(INDArray[] f, INDArray[] l) {
    Map<String, INDArray> out = new LinkedHashMap<>(BatchShapes.byName(features, f));
    out.putAll(BatchShapes.byName(labels, l));
    return out;
  }

  private Cost cost(Batch b) {
    return new Cost(1, b.examples(), b.tokens(), 6.0 * parameterCount * b.tokens());
  }

  /**
   * What {@link Recovery#startFit} does (its Javadoc says what and in which order): the
   * batches tried, the original measured, the wipe, the damage, the freeze and a fresh Adam;
   * on a failure the model is put back before the exception leaves.
   */
  static RecoveryFit start(Recovery r, List<Batch> validation) {
    SameDiffSurgeon surgeon = r.surgeon();
    BatchShapes.requireBatches("validation", validation);
    WipeRegistry.requireUnwiped(surgeon);
    SameDiff sd = surgeon.model().graph();
    new BatchShapes(sd, surgeon.model().lossVariable(), "validation")
        .check(BatchShapes.placeholders(validation));
    List<String> features;
    List<String> labels;
    if (r.fitMapping().isPresent()) {
      features = r.fitMapping().get().get(0);
      labels = r.fitMapping().get().get(1);
    } else {
      TrainingConfig tc = FitOptimiser.requireConfig(sd);
      features = List.copyOf(tc.getDataSetFeatureMapping());
      labels = tc.getDataSetLabelMapping() == null ? List.of()
          : List.copyOf(tc.getDataSetLabelMapping());
    }
    LossEvaluator.Evaluation original = new LossEvaluator(surgeon.model()).evaluate(validation);
    WeightSnapshot start = surgeon.snapshot();
    Set<ParameterPath> before = surgeon.trainable();
    WipeRegistry.Holder held = WipeRegistry.hold(surgeon, "an unrestored RecoveryFit wiping "
        + r.wiped());
    try {
      surgeon.wipe(r.wiped(), r.scheme(), r.seed());
      Damage damage = StepZeroDamage.measure(surgeon, r.wiped(), original,
          validation);
      surgeon.freeze(r.freeze(), r.wiped(), 0);
      surgeon.materializeForFit(); // the sd.fit route: frozen parameters become constants
      FitOptimiser.replace(sd, r.adam(), features, labels);
      sd.setLossVariables(surgeon.model().lossVariable());
      // the gradient function sd.fit would build (printing ~1 line per op) on its first step
      GradientChatter.buildGradientFunction(sd);
      RecoveryMonitor monitor = RecoveryMonitor.start(r.settings(), damage,
          r.manifest("sd.fit"));
      return new RecoveryFit(surgeon, monitor, validation, original, features, labels, before,
          start, held);
    } catch (RuntimeException e) {
      surgeon.restore(start); // no RecoveryFit to restore it later: leave the model as it was
      WipeRegistry.release(sd, held);
      throw e;
    }
  }

  private static INDArray[] arrays(Batch b, List<String> names) {
    INDArray[] out = new INDArray[names.size()];
    for (int i = 0; i < out.length; i++) {
      INDArray a = b.placeholders().get(names.get(i));
      if (a == null) {
        throw new IllegalArgumentException("a batch has no array for placeholder '"
            + names.get(i) + "' of sd.fit's mapping; the batch has " + b.placeholders().keySet());
      }
      out[i] = a;
    }
    return out;
  }
}
