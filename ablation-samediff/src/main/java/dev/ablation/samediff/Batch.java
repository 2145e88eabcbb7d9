package dev.ablation.samediff;

import com.google.common.collect.ImmutableMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch as a graph's placeholders, with what it costs: the unit every training step,
 * evaluation and budget charge works on.
 *
 * <p>The label mask says which positions the batch predicts: a masked LM predicts only its
 * masked positions, a padded batch none of its padding. Every measurement that compares
 * positions ({@link LossEvaluator#fidelity}) counts only those; a batch without a mask predicts
 * every position.
 *
 * @param placeholders placeholder name → array
 * @param examples sequences in the batch
 * @param tokens predicted tokens in the batch (the loss is averaged over these)
 * @param labelMask {@code [batch·pos]} (any shape with that many elements, row-major like the
 *     logits {@code [batch, pos, vocab]}): non-zero where a position is predicted; exactly
 *     {@code tokens} entries are non-zero. Empty: every position is predicted.
 */
public record Batch(Map<String, INDArray> placeholders, long examples, long tokens,
    Optional<INDArray> labelMask) {
  /** Validates and copies; the mask is stored flat, in double precision. */
  public Batch {
    if (placeholders == null || placeholders.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one placeholder");
    }
    if (examples <= 0 || tokens <= 0) {
      throw new IllegalArgumentException("a batch needs examples > 0 and tokens > 0, got "
          + examples + ", " + tokens);
    }
    Objects.requireNonNull(labelMask, "labelMask");
    placeholders = ImmutableMap.copyOf(placeholders);
    if (labelMask.isPresent()) {
      INDArray m = labelMask.get();
      INDArray flat = m.castTo(DataType.DOUBLE).dup('c').reshape(new long[] {m.length()});
      long set = flat.neq(0).castTo(DataType.LONG).sumNumber().longValue();
      if (set != tokens) {
        throw new IllegalArgumentException("the label mask marks " + set + " of "
            + flat.length() + " positions but the batch says it predicts " + tokens
            + " tokens; they must agree");
      }
      labelMask = Optional.of(flat);
    }
  }

  /** A batch that predicts every position (no label mask). */
  public Batch(Map<String, INDArray> placeholders, long examples, long tokens) {
    this(placeholders, examples, tokens, Optional.empty());
  }

  /**
   * Frees this batch's arrays now, for a batch made for one step and used by nothing after it
   * (a training loop's freshly drawn batch). Why: they are off-heap, and left to the garbage
   * collector such per-step arrays accumulate between collections. Never call it on batches
   * that are used again (validation batches, a cycled list).
   */
  public void free() {
    for (INDArray a : placeholders.values()) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    labelMask.ifPresent(m -> {
      if (!m.wasClosed() && m.closeable()) {
        m.close();
      }
    });
  }

  /** The same batch with other placeholders (e.g. cached activations), same mask and counts. */
  public Batch withPlaceholders(Map<String, INDArray> other) {
    return new Batch(other, examples, tokens, labelMask);
  }
}
