package dev.ablation.samediff.recovery;

import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.RecoveryMonitor;
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
 * {@link RecoveryMonitor#evaluateEvery()} steps the listener computes the validation loss by
 * the supplier you give it — never from M2.1's listener loss, which is wrong.
 *
 * <pre>{@code
 * RecoveryFitListener l = new RecoveryFitListener(monitor, () -> evaluator.meanLoss(validation));
 * sd.setListeners(l);
 * sd.fit(l.wrap(trainIterator, mds -> Cost.step(mds.getFeatures(0).size(0), T, flops)), 1000);
 * RecoveryResult r = monitor.result(Optional.empty());
 * }</pre>
 */
public final class RecoveryFitListener extends BaseListener {
  private final RecoveryMonitor monitor;
  private final DoubleSupplier validationLoss;

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
    return new Charging(train, cost, monitor);
  }

  @Override
  public boolean isActive(Operation operation) {
    return operation == Operation.TRAINING;
  }

  @Override
  public void iterationDone(SameDiff sd, At at, MultiDataSet data, Loss loss) {
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
    private transient MultiDataSet pending;

    Charging(MultiDataSetIterator inner, Function<MultiDataSet, Cost> cost, RecoveryMonitor m) {
      this.inner = Objects.requireNonNull(inner, "train iterator");
      this.cost = Objects.requireNonNull(cost, "cost");
      this.monitor = m;
    }

    @Override
    public boolean hasNext() {
      if (pending != null) {
        return true;
      }
      if (monitor.isFinished() || !inner.hasNext()) {
        return false;
      }
      MultiDataSet next = inner.next();
      if (!monitor.tryStep(cost.apply(next))) {
        return false;
      }
      pending = next;
      return true;
    }

    @Override
    public MultiDataSet next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException("recovery finished or data exhausted");
      }
      MultiDataSet out = pending;
      pending = null;
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
      inner.reset();
    }
  }
}
