package dev.ablation.api;

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
}
