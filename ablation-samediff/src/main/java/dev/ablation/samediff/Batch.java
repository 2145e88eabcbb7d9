package dev.ablation.samediff;

import com.google.common.collect.ImmutableMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch as a graph's placeholders, with what it costs: the unit every training step,
 * evaluation and budget charge works on.
 *
 * @param placeholders placeholder name → array
 * @param examples sequences in the batch
 * @param tokens predicted tokens in the batch (the loss is averaged over these)
 */
public record Batch(Map<String, INDArray> placeholders, long examples, long tokens) {
  /** Validates and copies. */
  public Batch {
    if (placeholders == null || placeholders.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one placeholder");
    }
    if (examples <= 0 || tokens <= 0) {
      throw new IllegalArgumentException("a batch needs examples > 0 and tokens > 0, got "
          + examples + ", " + tokens);
    }
    placeholders = ImmutableMap.copyOf(placeholders);
  }
}
