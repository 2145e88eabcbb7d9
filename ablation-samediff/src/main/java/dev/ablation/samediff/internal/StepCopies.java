package dev.ablation.samediff.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies of a run's trainable parameters after each step since the last evaluation, so that
 * the validation loss of any of those steps can be measured afterwards ({@code T_ε} to the
 * step, see {@code StepRule.CONFIRMED_STEP}) without evaluating every step.
 *
 * <p>Cheap because only what trains is copied (one block under {@code onlyWiped}: about 200 KB
 * at D = 64), into buffers allocated once and reused, off the heap. Bounded in bytes: when the
 * buffers are full the loop evaluates ({@link #full()}), which empties them, so a run that
 * trains the whole model is evaluated more often instead of holding more.
 *
 * <p>Bit-exact: a searched step's weights are put in place by {@code assign} and the current
 * weights put back the same way, so training continues from exactly where it was (the
 * optimiser's state is never touched).
 */
final class StepCopies implements AutoCloseable {
  /** Bytes of copies a run may hold. */
  static final long DEFAULT_BYTES = 64L << 20;

  private final List<INDArray> live;
  private final int capacity;
  private final Deque<INDArray[]> free = new ArrayDeque<>();
  private final TreeMap<Long, INDArray[]> kept = new TreeMap<>();
  private INDArray[] current;
  private boolean displaced;

  /**
   * Copies of {@code live} (the arrays the optimiser updates), at most {@code bytes} of them
   * (and at least one copy).
   */
  StepCopies(List<INDArray> live, long bytes) {
    this.live = List.copyOf(live);
    long per = 0;
    for (INDArray a : live) {
      per += a.length() * a.dataType().width();
    }
    this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / Math.max(1, per)));
  }

  /** Copies the live weights as they are after {@code step}. */
  void keep(long step) {
    INDArray[] buf = free.isEmpty() ? allocate() : free.pop();
    for (int i = 0; i < buf.length; i++) {
      buf[i].assign(live.get(i));
    }
    kept.put(step, buf);
  }

  /** Whether no further step can be kept: the loop must evaluate now. */
  boolean full() {
    return kept.size() >= capacity;
  }

  /** How many steps' copies fit. */
  int capacity() {
    return capacity;
  }

  /**
   * The loss {@code evaluate} measures with the weights as they were after {@code step}. The
   * live weights stay displaced until {@link #putBack()}.
   *
   * @throws IllegalArgumentException if that step was not kept
   */
  double lossAt(long step, DoubleSupplier evaluate) {
    INDArray[] copy = kept.get(step);
    if (copy == null) {
      throw new IllegalArgumentException("no copy of step " + step + "; kept: " + kept.keySet());
    }
    if (!displaced) {
      if (current == null) {
        current = allocate();
      }
      for (int i = 0; i < current.length; i++) {
        current[i].assign(live.get(i));
      }
      displaced = true;
    }
    for (int i = 0; i < copy.length; i++) {
      live.get(i).assign(copy[i]);
    }
    return evaluate.getAsDouble();
  }

  /** Puts the weights of the last step back (after a search) and forgets every copy. */
  void putBack() {
    if (displaced) {
      for (int i = 0; i < current.length; i++) {
        live.get(i).assign(current[i]);
      }
      displaced = false;
    }
    free.addAll(kept.values());
    kept.clear();
  }

  private INDArray[] allocate() {
    INDArray[] buf = new INDArray[live.size()];
    for (int i = 0; i < buf.length; i++) {
      buf[i] = live.get(i).dup();
    }
    return buf;
  }

  @Override
  public void close() {
    putBack();
    List<INDArray[]> all = new ArrayList<>(free);
    if (current != null) {
      all.add(current);
    }
    for (INDArray[] buf : all) {
      for (INDArray a : buf) {
        if (!a.wasClosed() && a.closeable()) {
          a.close();
        }
      }
    }
    free.clear();
    current = null;
  }
}
