package dev.ablation.samediff.recovery;

import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffModel;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Puts a {@link RecoveryMonitor} into a user's own {@code sd.fit(...)} loop.
 *
 * <p>SameDiff's {@code fit} cannot be stopped mid-epoch by a listener, and stopping must not
 * be an exception; so the training iterator is wrapped ({@link #wrap}): it charges each batch
 * to the budget before handing it out and reports no more data once the monitor has decided.
 * {@link #epochEnd} then answers {@link ListenerResponse#STOP}. Every
 * {@link RecoveryMonitor#evaluateEvery()} steps the listener computes the validation loss with
 * {@link LossEvaluator} (or a supplier you give it) — never from M2.1's listener loss, which is
 * wrong.
 *
 * <p>An epoch is never empty: M2.1's {@code fit} fails with a {@code NullPointerException}
 * ("lastLoss is null") at the end of an epoch without a step. When the monitor has decided
 * before an epoch's first step (a budget of 0, a wipe that did no damage, a budget spent exactly
 * at the end of the previous epoch), the iterator hands out one batch that is not charged, and
 * this listener zeroes its updates before they are applied ({@link #preUpdate}): every weight
 * stays bit-identical, and {@code fit} ends normally. That step's Adam state and iteration count
 * are discarded with the run.
 *
 * <pre>{@code
 * RecoveryFitListener l = new RecoveryFitListener(monitor, model, validation);
 * sd.setListeners(l);
 * sd.fit(l.wrap(trainIterator, mds -> Cost.step(mds.getFeatures(0).size(0), T, flops)), 1000);
 * RecoveryResult r = monitor.result(Optional.empty());
 * }</pre>
 */
public final class RecoveryFitListener extends BaseListener {
  private final RecoveryMonitor monitor;
  private final DoubleSupplier validationLoss;
  /** True while the step in flight is the uncharged filler of an otherwise empty epoch. */
  private boolean fillerInFlight;

  /**
   * Evaluates {@code model} on {@code validation} with {@link LossEvaluator#meanLoss}, the loss
   * every other route of the library reports.
   *
   * @param monitor the run's monitor, already started
   * @param model the model {@code fit} trains
   * @param validation held-out batches
   */
  public RecoveryFitListener(RecoveryMonitor monitor, SameDiffModel model,
      List<Batch> validation) {
    this(monitor, evaluating(model, validation));
  }

  private static DoubleSupplier evaluating(SameDiffModel model, List<Batch> validation) {
    LossEvaluator evaluator = new LossEvaluator(model);
    List<Batch> batches = List.copyOf(Objects.requireNonNull(validation, "validation"));
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("need at least one validation batch, got none");
    }
    return () -> evaluator.meanLoss(batches);
  }

  /**
   * @param monitor the run's monitor, already started
   * @param validationLoss computes the validation loss of the graph as it is now (no gradients)
   */
  public RecoveryFitListener(RecoveryMonitor monitor, DoubleSupplier validationLoss) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.validationLoss = Objects.requireNonNull(validationLoss, "validationLoss");
  }

  /**
   * The training iterator to give {@code fit}: charges {@code cost} of each batch before it is
   * used and ends the epoch once the monitor has decided or the budget cannot pay.
   */
  public MultiDataSetIterator wrap(MultiDataSetIterator train, Function<MultiDataSet, Cost> cost) {
    return new Charging(train, cost, monitor, this);
  }

  @Override
  public boolean isActive(Operation operation) {
    return operation == Operation.TRAINING;
  }

  /** Zeroes the updates of the uncharged filler step, so it writes nothing. */
  @Override
  public void preUpdate(SameDiff sd, At at, Variable v, INDArray update) {
    if (fillerInFlight) {
      update.assign(0);
    }
  }

  @Override
  public void iterationDone(SameDiff sd, At at, MultiDataSet data, Loss loss) {
    if (fillerInFlight) {
      fillerInFlight = false;
      return;
    }
    monitor.stepDone();
    if (monitor.evaluationDue()) {
      monitor.evaluate(validationLoss.getAsDouble());
    }
  }

  @Override
  public ListenerResponse epochEnd(SameDiff sd, At at, LossCurve lossCurve, long epochTimeMillis) {
    return monitor.isFinished() ? ListenerResponse.STOP : ListenerResponse.CONTINUE;
  }

  /** Hands out a batch only after the monitor agreed to pay for it. */
  private static final class Charging implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient MultiDataSetIterator inner;
    private final transient Function<MultiDataSet, Cost> cost;
    private final transient RecoveryMonitor monitor;
    private final transient RecoveryFitListener listener;
    private transient MultiDataSet pending;
    private transient boolean pendingIsFiller;
    private transient MultiDataSet last;
    private transient int handedThisEpoch;

    Charging(MultiDataSetIterator inner, Function<MultiDataSet, Cost> cost, RecoveryMonitor m,
        RecoveryFitListener listener) {
      this.inner = Objects.requireNonNull(inner, "train iterator");
      this.cost = Objects.requireNonNull(cost, "cost");
      this.monitor = m;
      this.listener = listener;
    }

    @Override
    public boolean hasNext() {
      if (pending != null) {
        return true;
      }
      MultiDataSet next = null;
      if (!monitor.isFinished() && inner.hasNext()) {
        next = inner.next();
        last = next;
        if (monitor.tryStep(cost.apply(next))) {
          pending = next;
          return true;
        }
      }
      if (handedThisEpoch > 0) {
        return false;
      }
      // fit cannot end an epoch without a step: hand out one uncharged batch whose updates the
      // listener zeroes
      MultiDataSet filler = next != null ? next : last;
      if (filler == null && inner.hasNext()) {
        filler = inner.next();
        last = filler;
      }
      if (filler == null) {
        throw new IllegalStateException("the training iterator gave no batch at all: sd.fit"
            + " needs at least one");
      }
      pending = filler;
      pendingIsFiller = true;
      return true;
    }

    @Override
    public MultiDataSet next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException("recovery finished or data exhausted");
      }
      MultiDataSet out = pending;
      listener.fillerInFlight = pendingIsFiller;
      pending = null;
      pendingIsFiller = false;
      handedThisEpoch++;
      return out;
    }

    @Override
    public MultiDataSet next(int num) {
      return next();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
      inner.setPreProcessor(preProcessor);
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
      return inner.getPreProcessor();
    }

    @Override
    public boolean resetSupported() {
      return inner.resetSupported();
    }

    @Override
    public boolean asyncSupported() {
      return false;
    }

    @Override
    public void reset() {
      pending = null;
      pendingIsFiller = false;
      handedThisEpoch = 0;
      inner.reset();
    }
  }
}
