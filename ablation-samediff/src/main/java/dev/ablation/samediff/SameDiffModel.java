package dev.ablation.samediff;

import java.util.Objects;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A SameDiff graph the library can operate on: the graph, its layer map, the scalar loss
 * variable (mean cross-entropy in nats per predicted token) and, optionally, the logits
 * variable {@code [batch, pos, vocab]} used for agreement and KL to the original.
 *
 * @param graph the graph
 * @param layers its layer map
 * @param lossVariable the scalar loss
 * @param logitsVariable the logits, if fidelity to the original should be measured
 * @param splitter how to cut the graph at a block boundary, if known: lets a recovery skip
 *     the frozen layers below the lowest trainable one ({@link BlockSplitter}); empty for a
 *     graph whose block boundaries are unknown
 */
public record SameDiffModel(SameDiff graph, LayerMap layers, String lossVariable,
    Optional<String> logitsVariable, Optional<BlockSplitter> splitter) {
  /** Validates that the named variables exist. */
  public SameDiffModel {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(layers, "layers");
    Objects.requireNonNull(logitsVariable, "logitsVariable");
    Objects.requireNonNull(splitter, "splitter");
    if (lossVariable == null || !graph.hasVariable(lossVariable)) {
      throw new IllegalArgumentException("loss variable '" + lossVariable
          + "' is not in the graph");
    }
    logitsVariable.ifPresent(l -> {
      if (!graph.hasVariable(l)) {
        throw new IllegalArgumentException("logits variable '" + l + "' is not in the graph");
      }
    });
  }

  /** A model without known block boundaries (no {@link BlockSplitter}). */
  public SameDiffModel(SameDiff graph, LayerMap layers, String lossVariable,
      Optional<String> logitsVariable) {
    this(graph, layers, lossVariable, logitsVariable, Optional.empty());
  }
}
