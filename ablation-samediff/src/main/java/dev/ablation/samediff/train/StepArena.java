package dev.ablation.samediff.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hands the op outputs of one graph call to the next call of the same shapes, instead of a fresh
 * native allocation per op output.
 *
 * <p>Why: SameDiff 1.0.0-M2.1 switches its array cache off for gradient calculations
 * ({@code calculateGradientsAndOutputs} calls {@code setEnableCache(false)} on the gradient
 * function), so every one of the ≈ 400 op outputs of a training step of the N=4 reference
 * decoder is a new off-heap buffer, freed later by the garbage collector. Allocating them (and
 * faulting their pages in) was about a fifth of the step on the bench; training steps repeat
 * the same shapes, so the arrays of step k can hold the outputs of step k+1.
 *
 * <p>How: {@link #run} installs the arena as the memory manager of the calling thread's
 * inference session of one {@link SameDiff} instance for the duration of one call, and puts
 * back whatever manager was there before, so other calls on the same graph (the user's own, or
 * an {@code sd.fit}) never see arena arrays. At the start of each {@code run} every array handed
 * out by the previous run becomes free again: <b>a caller must have finished with everything
 * the previous call returned</b> (gradients, losses, activations) before calling {@code run}
 * again, and must copy what it keeps. Arrays of shapes that the previous call did not use are
 * closed at once, so the arena holds one call's worth of arrays. {@link #close} frees every
 * array it holds: its native memory goes back when the stepper that owns it is done, not when
 * the garbage collector gets round to it (a recovery's arena is tens of megabytes; a study that
 * left them to the collector grew to gigabytes resident).
 *
 * <p>Not thread-safe: one arena per thread and stepper.
 */
public final class StepArena implements AutoCloseable {

  private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
  private final Map<Key, List<INDArray>> lent = new HashMap<>();
  private final Manager manager = new Manager();
  private long hits;
  private long misses;

  /** Runs {@code call} with this arena as {@code graph}'s memory manager on this thread. */
  public <T> T run(SameDiff graph, Supplier<T> call) {
    InferenceSession session = graph.getSessions().computeIfAbsent(
        Thread.currentThread().getId(), id -> SameDiff.getInferenceFactory().create(graph));
    recycle();
    SessionMemMgr before = session.getMmgr();
    session.setMmgr(manager);
    try {
      return call.get();
    } finally {
      session.setMmgr(before);
    }
  }

  /** Allocations served from arrays of an earlier call. */
  public long hits() {
    return hits;
  }

  /** Allocations that needed a new array. */
  public long misses() {
    return misses;
  }

  /** Bytes of the arrays this arena holds (lent out or free). */
  public long bytes() {
    long b = 0;
    for (Map.Entry<Key, ArrayDeque<INDArray>> e : free.entrySet()) {
      b += e.getKey().bytes() * e.getValue().size();
    }
    for (Map.Entry<Key, List<INDArray>> e : lent.entrySet()) {
      b += e.getKey().bytes() * e.getValue().size();
    }
    return b;
  }

  /**
   * Frees every array of this arena. A caller must have finished with everything the last
   * {@link #run} returned. The arena stays usable: a later {@code run} allocates afresh.
   */
  @Override
  public void close() {
    for (ArrayDeque<INDArray> q : free.values()) {
      q.forEach(StepArena::free);
    }
    for (List<INDArray> l : lent.values()) {
      l.forEach(StepArena::free);
    }
    free.clear();
    lent.clear();
  }

  private static void free(INDArray a) {
    if (!a.wasClosed() && a.closeable()) {
      a.close();
    }
  }

  private void recycle() {
    // shapes the last call did not ask for: free them now rather than at the next collection
    for (ArrayDeque<INDArray> q : free.values()) {
      q.forEach(StepArena::free);
    }
    free.clear();
    for (Map.Entry<Key, List<INDArray>> e : lent.entrySet()) {
      free.put(e.getKey(), new ArrayDeque<>(e.getValue()));
    }
    lent.clear();
  }

  private INDArray take(Key key) {
    ArrayDeque<INDArray> q = free.get(key);
    INDArray a = q == null ? null : q.poll();
    if (a == null || a.wasClosed()) {
      misses++;
      a = Nd4j.createUninitializedDetached(key.type(), key.order(), key.shape());
    } else {
      hits++;
      // the session tracks arrays by id; a reused array must look new to it
      ((BaseNDArray) a).assignNewId();
    }
    lent.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
    return a;
  }

  private record Key(DataType type, long[] shape, char order) {
    long bytes() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n * type.width();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.type == type && k.order == order
          && Arrays.equals(k.shape, shape);
    }

    @Override
    public int hashCode() {
      return (type.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + order;
    }
  }

  private final class Manager extends AbstractMemoryMgr {
    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
      return take(new Key(dataType, shape.clone(), 'c'));
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
      long[] shape = descriptor.getShape();
      if (descriptor.isEmpty() || Arrays.stream(shape).anyMatch(s -> s == 0)) {
        return Nd4j.create(descriptor); // empty arrays own no buffer worth keeping
      }
      return take(new Key(descriptor.dataType(), shape.clone(), descriptor.getOrder()));
    }

    @Override
    public void release(INDArray array) {
      // nothing: the arena takes its arrays back when the next call starts
    }

    @Override
    public void close() {
      // nothing: the arena outlives the session's use of it
    }
  }
}
