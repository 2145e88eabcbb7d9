package dev.ablation.samediff.model;

import static dev.ablation.samediff.model.ReferenceModel.LABELS;
import static dev.ablation.samediff.model.ReferenceModel.SOURCE;
import static dev.ablation.samediff.model.ReferenceModel.TOKENS;

import com.google.common.hash.Hashing;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token data as {@link Batch}es of a reference model's placeholders: the input ids, the one-hot
 * labels and the label mask (which positions the batch predicts). Kept apart from
 * {@link ReferenceModel} so that building a graph, feeding it and saving it are three things a
 * reader finds in three places.
 *
 * <h2>Tokens</h2>
 * Decoder-only: an example of n ≤ context + 1 tokens predicts tokens 1..n−1 from their
 * prefixes; shorter examples are padded with token 0 after their end (causal attention keeps
 * padding invisible; padding is not predicted). Encoder-only (masked LM): token
 * {@code vocab − 1} is reserved as {@code [MASK]}; about {@value #MASK_RATE} of positions (at
 * least one) are masked, chosen by a hash of the config seed and the example, so a given example
 * is always masked the same way; only masked positions are predicted. Encoder-decoder: token 0
 * is reserved as start-of-target and padding; the decoder reads {@code [0, y_0, …, y_{m−2}]}
 * and predicts {@code y_0 … y_{m−1}}.
 */
public final class ReferenceBatches {
  /** Fraction of positions masked by the masked LM. */
  public static final double MASK_RATE = 0.15;

  private final TransformerConfig config;
  private final DataType type;

  private ReferenceBatches(TransformerConfig config, DataType type) {
    this.config = config;
    this.type = type;
  }

  /** Batches for models built from {@code config} in {@code type} (labels in that type). */
  public static ReferenceBatches of(TransformerConfig config, DataType type) {
    Objects.requireNonNull(config, "config");
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      throw new IllegalArgumentException("data type must be FLOAT or DOUBLE, got " + type);
    }
    return new ReferenceBatches(config, type);
  }

  /** Batches for {@code model}: its config and data type. */
  public static ReferenceBatches of(ReferenceModel model) {
    Objects.requireNonNull(model, "model");
    return of(model.config(), model.dataType());
  }

  /**
   * The placeholders for {@code examples}, with the examples and predicted tokens they hold.
   *
   * @throws IllegalArgumentException for an empty list, an example of the wrong kind (pair vs
   *     sequence), one too long for the context, or a token outside the vocabulary (or a
   *     reserved one), naming the example and position
   */
  public Batch batch(List<Example> examples) {
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("cannot make a batch of no examples");
    }
    return switch (config.architecture()) {
      case DECODER_ONLY -> causalBatch(examples);
      case ENCODER_ONLY -> maskedBatch(examples);
      case ENCODER_DECODER -> seq2seqBatch(examples);
    };
  }

  /** The batches of {@code examples} in order, {@code batchSize} at a time (last may be fewer). */
  public List<Batch> batches(List<Example> examples, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i += batchSize) {
      out.add(batch(examples.subList(i, Math.min(examples.size(), i + batchSize))));
    }
    return out;
  }

  private Batch causalBatch(List<Example> examples) {
    int t = config.context();
    int b = examples.size();
    int[][] in = new int[b][t];
    double[][] labels = new double[b * t][config.vocab()];
    double[] predictedAt = new double[b * t];
    long predicted = 0;
    for (int i = 0; i < b; i++) {
      int[] s = sequence(examples, i);
      if (s.length < 2 || s.length > t + 1) {
        throw new IllegalArgumentException("example " + i + " has " + s.length + " tokens; a "
            + "causal LM with context " + t + " needs 2.." + (t + 1));
      }
      check(s, i, "", config.vocab());
      for (int p = 0; p + 1 < s.length; p++) {
        in[i][p] = s[p];
        labels[i * t + p][s[p + 1]] = 1;
        predictedAt[i * t + p] = 1;
        predicted++;
      }
    }
    return new Batch(Map.of(TOKENS, Nd4j.createFromArray(in), LABELS, labels(labels)), b,
        predicted, Optional.of(Nd4j.createFromArray(predictedAt)));
  }

  private Batch maskedBatch(List<Example> examples) {
    int t = config.context();
    int b = examples.size();
    int mask = config.vocab() - 1;
    int[][] in = new int[b][t];
    double[][] labels = new double[b * t][config.vocab()];
    double[] predictedAt = new double[b * t];
    long predicted = 0;
    for (int i = 0; i < b; i++) {
      int[] s = sequence(examples, i);
      if (s.length > t) {
        throw new IllegalArgumentException("example " + i + " has " + s.length
            + " tokens, more than the context " + t);
      }
      check(s, i, " (the last id, " + mask + ", is reserved as [MASK])", mask);
      long h = Hashing.murmur3_128().newHasher()
          .putLong(config.seed()).putInt(examples.get(i).hashCode()).hash().asLong();
      SplittableRandom r = new SplittableRandom(h);
      int forced = r.nextInt(s.length);
      for (int p = 0; p < s.length; p++) {
        boolean masked = r.nextDouble() < MASK_RATE || p == forced;
        in[i][p] = masked ? mask : s[p];
        if (masked) {
          labels[i * t + p][s[p]] = 1;
          predictedAt[i * t + p] = 1;
          predicted++;
        }
      }
    }
    return new Batch(Map.of(TOKENS, Nd4j.createFromArray(in), LABELS, labels(labels)), b,
        predicted, Optional.of(Nd4j.createFromArray(predictedAt)));
  }

  private Batch seq2seqBatch(List<Example> examples) {
    int t = config.context();
    int b = examples.size();
    int[][] src = new int[b][t];
    int[][] in = new int[b][t];
    double[][] labels = new double[b * t][config.vocab()];
    double[] predictedAt = new double[b * t];
    long predicted = 0;
    for (int i = 0; i < b; i++) {
      Example e = examples.get(i);
      if (!e.isPair()) {
        throw new IllegalArgumentException("example " + i + " is a single sequence; an "
            + "encoder-decoder needs source/target pairs (Example.pair)");
      }
      int[] s = e.tokens();
      int[] y = e.target();
      if (s.length > t || y.length > t) {
        throw new IllegalArgumentException("example " + i + " has source length " + s.length
            + " and target length " + y.length + "; both must be <= context " + t);
      }
      check(s, i, " in the source", config.vocab());
      check(y, i, " in the target", config.vocab());
      for (int p = 0; p < y.length; p++) {
        if (y[p] == 0) {
          throw new IllegalArgumentException("example " + i + ": target token 0 at position "
              + p + " is reserved as start-of-target/padding");
        }
      }
      System.arraycopy(s, 0, src[i], 0, s.length);
      for (int p = 0; p < y.length; p++) {
        in[i][p] = p == 0 ? 0 : y[p - 1];
        labels[i * t + p][y[p]] = 1;
        predictedAt[i * t + p] = 1;
        predicted++;
      }
    }
    return new Batch(Map.of(SOURCE, Nd4j.createFromArray(src), TOKENS, Nd4j.createFromArray(in),
        LABELS, labels(labels)), b, predicted, Optional.of(Nd4j.createFromArray(predictedAt)));
  }

  private static int[] sequence(List<Example> examples, int i) {
    Example e = examples.get(i);
    if (e.isPair()) {
      throw new IllegalArgumentException("example " + i + " is a source/target pair; this "
          + "model takes single sequences (Example.of)");
    }
    return e.tokens();
  }

  private void check(int[] s, int example, String where, int limit) {
    for (int p = 0; p < s.length; p++) {
      if (s[p] < 0 || s[p] >= limit) {
        throw new IllegalArgumentException("example " + example + ": token " + s[p]
            + " at position " + p + where + " is outside the vocabulary [0, " + limit + ")");
      }
    }
  }

  private INDArray labels(double[][] rows) {
    return Nd4j.create(rows).castTo(type);
  }
}
