package dev.ablation.samediff.recovery;

import dev.ablation.samediff.Batch;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The residual stream entering the cut, per batch, keyed by the batch's identity (a recovery
 * cycles over the same {@link Batch} objects; comparing arrays by value would cost more than
 * recomputing). Holds at most {@code maxBytes} of activations and drops the least recently used
 * beyond that, closing the dropped arrays so their native memory goes back at once.
 */
final class ActivationCache {
  private final long maxBytes;
  private final Function<Batch, INDArray> compute;
  private final Map<Batch, INDArray> byBatch = new IdentityHashMap<>();
  /** Access order over the same batches (values unused): eldest first. */
  private final LinkedHashMap<Key, Boolean> order = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long hits;
  private long misses;

  ActivationCache(long maxBytes, Function<Batch, INDArray> compute) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.compute = compute;
  }

  INDArray get(Batch b) {
    INDArray a = byBatch.get(b);
    if (a != null) {
      hits++;
      order.get(new Key(b));
      return a;
    }
    misses++;
    a = compute.apply(b);
    long size = a.length() * a.dataType().width();
    if (size <= maxBytes) {
      byBatch.put(b, a);
      order.put(new Key(b), Boolean.TRUE);
      bytes += size;
      evict();
    }
    return a;
  }

  private void evict() {
    Iterator<Key> it = order.keySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Batch eldest = it.next().batch;
      it.remove();
      INDArray a = byBatch.remove(eldest);
      bytes -= a.length() * a.dataType().width();
      if (a.closeable()) {
        a.close();
      }
    }
  }

  long bytes() {
    return bytes;
  }

  long hits() {
    return hits;
  }

  long misses() {
    return misses;
  }

  /** Identity of a batch as a hash key. */
  private record Key(Batch batch) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.batch == batch;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(batch);
    }
  }
}
