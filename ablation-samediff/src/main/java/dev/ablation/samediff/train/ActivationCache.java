package dev.ablation.samediff.train;

import dev.ablation.samediff.Batch;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The residual stream entering the cut, per batch, keyed by the batch's identity (a recovery
 * evaluates the same validation {@link Batch} objects every few steps, and a user's loop may
 * cycle over fixed training batches; comparing arrays by value would cost more than
 * recomputing). Holds at most {@code maxBytes} of activations and drops the least recently used
 * beyond that, closing the dropped arrays so their native memory goes back at once.
 *
 * <p>Only a batch seen before is cached: its first visit computes the activations and hands
 * them to the caller, who frees them after use ({@link #holds} says which to free). Why: a
 * study draws a new batch object for every training step, so caching on first sight filled
 * the cache with arrays that were never read again — up to its whole budget (256 MiB) per
 * run, for nothing. Batches seen once are remembered weakly, so a forgotten batch costs no
 * memory.
 */
final class ActivationCache {
  private final long maxBytes;
  private final Function<Batch, INDArray> compute;
  private final Map<Batch, INDArray> byBatch = new IdentityHashMap<>();
  /** Access order over the same batches (values unused): eldest first. */
  private final LinkedHashMap<Key, Boolean> order = new LinkedHashMap<>(16, 0.75f, true);
  /** Batches visited once and not cached, held weakly by identity. */
  private final WeakIdentitySet<Batch> seen = new WeakIdentitySet<>();
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
    if (!seen.remove(b)) {
      seen.add(b); // first visit: the caller uses and frees it
      return a;
    }
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

  /** Whether {@code a} is held by this cache (else the caller frees it after use). */
  boolean holds(Batch b, INDArray a) {
    return byBatch.get(b) == a;
  }

  /** Frees every cached array now (the run that filled the cache is over). */
  void close() {
    for (INDArray a : byBatch.values()) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    byBatch.clear();
    order.clear();
    seen.clear();
    bytes = 0;
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

  /** A set of objects by identity that does not keep its members alive. */
  static final class WeakIdentitySet<T> {
    private final java.lang.ref.ReferenceQueue<T> gone = new java.lang.ref.ReferenceQueue<>();
    private final Map<Integer, java.util.List<Ref<T>>> byHash = new java.util.HashMap<>();
    private int size;

    private static final class Ref<T> extends java.lang.ref.WeakReference<T> {
      final int hash;

      Ref(T t, int hash, java.lang.ref.ReferenceQueue<T> q) {
        super(t, q);
        this.hash = hash;
      }
    }

    void add(T t) {
      purge();
      int h = System.identityHashCode(t);
      byHash.computeIfAbsent(h, k -> new java.util.ArrayList<>(1)).add(new Ref<>(t, h, gone));
      size++;
    }

    /** Removes {@code t}; whether it was there. */
    boolean remove(T t) {
      purge();
      int h = System.identityHashCode(t);
      java.util.List<Ref<T>> refs = byHash.get(h);
      if (refs == null) {
        return false;
      }
      for (Iterator<Ref<T>> it = refs.iterator(); it.hasNext(); ) {
        if (it.next().get() == t) {
          it.remove();
          size--;
          if (refs.isEmpty()) {
            byHash.remove(h);
          }
          return true;
        }
      }
      return false;
    }

    int size() {
      purge();
      return size;
    }

    void clear() {
      byHash.clear();
      size = 0;
      while (gone.poll() != null) {
        // drained
      }
    }

    @SuppressWarnings("unchecked")
    private void purge() {
      for (java.lang.ref.Reference<? extends T> r; (r = gone.poll()) != null; ) {
        Ref<T> ref = (Ref<T>) r;
        java.util.List<Ref<T>> refs = byHash.get(ref.hash);
        if (refs != null && refs.remove(ref)) {
          size--;
          if (refs.isEmpty()) {
            byHash.remove(ref.hash);
          }
        }
      }
    }
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
