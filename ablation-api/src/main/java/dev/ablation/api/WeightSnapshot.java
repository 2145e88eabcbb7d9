package dev.ablation.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An exact, immutable copy of a model's parameters and trainable set, taken by
 * {@link LayerSurgeon#snapshot()}. Opaque: only the surgeon that made it can restore it.
 */
public interface WeightSnapshot {

  /** The parameters it holds. */
  Set<ParameterPath> parameters();

  /** The parameters that were trainable when it was taken. */
  Set<ParameterPath> trainable();

  /**
   * The stored values of one parameter, flattened in row-major order, as doubles (exact for
   * float and double models).
   */
  double[] values(ParameterPath parameter);

  /**
   * The shape of one stored parameter, outermost dimension first, where the snapshot records it
   * (a {@code SameDiffSurgeon}'s does): what a loader into a separately built model checks
   * besides the element count. Empty for a snapshot that keeps values only.
   */
  default Optional<List<Long>> shape(ParameterPath parameter) {
    return Optional.empty();
  }
}
