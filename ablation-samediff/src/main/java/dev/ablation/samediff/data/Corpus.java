package dev.ablation.samediff.data;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * A synthetic source of examples, deterministic from a seed, that may know the best loss any
 * model can reach on it ({@link #lossFloor}), so that "recovered" can be judged against it.
 */
public interface Corpus {

  /** The vocabulary size every sample respects: tokens lie in {@code [0, vocab)}. */
  int vocab();

  /** One example of {@code length} tokens (the source length, for sequence-to-sequence). */
  Example sample(int length, SplittableRandom random);

  /**
   * The expected loss, in nats per predicted token, of the Bayes-optimal model on examples of
   * {@code length} tokens as {@link dev.ablation.samediff.model.ReferenceModel} predicts them
   * (a causal LM predicts tokens 1..length−1; a sequence-to-sequence model every target
   * token), or empty when unknown.
   */
  OptionalDouble lossFloor(int length);

  /** {@code count} examples from a generator seeded with {@code seed}. */
  default List<Example> sample(int count, int length, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    SplittableRandom r = new SplittableRandom(seed);
    List<Example> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(sample(length, r));
    }
    return out;
  }

  /**
   * A train/validation split drawn from two independent streams of {@code seed}; validation
   * examples that also occur in the training set are dropped (and counted), so the split
   * never leaks.
   */
  default Split split(int trainCount, int validationCount, int length, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    long trainSeed = root.nextLong();
    long validationSeed = root.nextLong();
    return Split.disjoint(sample(trainCount, length, trainSeed),
        sample(validationCount, length, validationSeed));
  }
}
