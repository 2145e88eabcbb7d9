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
 */
public record SameDiffModel(SameDiff graph, LayerMap layers, String lossVariable,
    Optional<String> logitsVariable) {
  /** Validates that the named variables exist. */
  public SameDiffModel {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(layers, "layers");
    Objects.requireNonNull(logitsVariable, "logitsVariable");
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
}
