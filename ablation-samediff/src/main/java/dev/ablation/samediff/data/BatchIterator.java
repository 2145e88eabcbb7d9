package dev.ablation.samediff.data;

import com.google.common.collect.ImmutableList;
import dev.ablation.samediff.Batch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.Function;

/**
 * Batches over examples for a number of epochs, reshuffled each epoch by a seed (epoch e uses
 * the order drawn from {@code seed} and e, so the sequence of batches is reproducible). Every
 * example is seen exactly once per epoch; the last batch of an epoch may be smaller. Batches
 * are built lazily by {@code batcher} (typically {@code ReferenceBatches::batch}).
 */
public final class BatchIterator implements Iterator<Batch> {
  private final List<Example> examples;
  private final int batchSize;
  private final long seed;
  private final int epochs;
  private final Function<List<Example>, Batch> batcher;
  private List<Example> order;
  private int epoch;
  private int position;

  /**
   * @param examples non-empty
   * @param batchSize ≥ 1
   * @param seed the shuffling seed
   * @param epochs ≥ 1
   * @param batcher examples → placeholders
   */
  public BatchIterator(List<Example> examples, int batchSize, long seed, int epochs,
      Function<List<Example>, Batch> batcher) {
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("no examples to iterate over");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    this.examples = ImmutableList.copyOf(examples);
    this.batchSize = batchSize;
    this.seed = seed;
    this.epochs = epochs;
    this.batcher = batcher;
    this.order = shuffled(0);
  }

  /** The example order of epoch {@code e}. */
  public List<Example> shuffled(int e) {
    List<Example> o = new ArrayList<>(examples);
    Collections.shuffle(o, new Random(seed * 1_000_003L + e));
    return o;
  }

  @Override
  public boolean hasNext() {
    return epoch < epochs;
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + epochs + " epochs are done");
    }
    int end = Math.min(position + batchSize, order.size());
    Batch b = batcher.apply(order.subList(position, end));
    position = end;
    if (position == order.size()) {
      epoch++;
      position = 0;
      if (epoch < epochs) {
        order = shuffled(epoch);
      }
    }
    return b;
  }

  /**
   * Passes over the next {@code count} batches without building them: where a training run
   * resumed from a checkpoint after {@code count} steps takes up the order it left.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   * @throws NoSuchElementException if fewer batches than {@code count} are left
   */
  public void skip(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    for (long i = 0; i < count; i++) {
      if (!hasNext()) {
        throw new NoSuchElementException("only " + i + " of the " + count + " batches to skip"
            + " were left (" + epochs + " epochs)");
      }
      position = Math.min(position + batchSize, order.size());
      if (position == order.size()) {
        epoch++;
        position = 0;
        if (epoch < epochs) {
          order = shuffled(epoch);
        }
      }
    }
  }

  /** The epoch the next batch belongs to (0-based; equals the epoch count when done). */
  public int epoch() {
    return epoch;
  }

  /** Batches per epoch. */
  public int batchesPerEpoch() {
    return (examples.size() + batchSize - 1) / batchSize;
  }

  /** Starts again at epoch 0. */
  public void reset() {
    epoch = 0;
    position = 0;
    order = shuffled(0);
  }
}
