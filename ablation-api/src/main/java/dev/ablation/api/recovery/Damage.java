package dev.ablation.api.recovery;

import java.util.OptionalDouble;

/**
 * The damage a wipe did at step 0, before any retraining.
 *
 * @param lossOriginal {@code L*}
 * @param lossAfterWipe {@code L₀}
 * @param lossDeleted the loss with the layer removed (identity), when the model can compute it
 * @param fidelity agreement with and KL to the original right after the wipe, when computed
 */
public record Damage(double lossOriginal, double lossAfterWipe, OptionalDouble lossDeleted,
    java.util.Optional<Fidelity> fidelity) {

  /** Validates the losses. */
  public Damage {
    if (lossDeleted == null || fidelity == null) {
      throw new IllegalArgumentException("use OptionalDouble.empty()/Optional.empty(), not null");
    }
  }

  /** The baseline the criterion judges against (fails if {@code L₀} is not finite). */
  public Baseline baseline() {
    return new Baseline(lossOriginal, lossAfterWipe);
  }
}
