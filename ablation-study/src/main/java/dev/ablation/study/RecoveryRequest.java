package dev.ablation.study;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;

/**
 * One recovery run of an original: wipe {@code target} by {@code scheme}, train what
 * {@code policy} leaves trainable, judge by the original's {@link TrainingSettings#criterion()}
 * under its {@link TrainingSettings#recoveryBudget()}.
 *
 * @param target what to reset
 * @param scheme what it becomes
 * @param policy what trains
 * @param seed master seed of the wipe and the recovery's data order
 */
public record RecoveryRequest(WipeTarget target, ReinitScheme scheme, FreezePolicy policy,
    long seed) implements java.io.Serializable {

  /** Validates that the parts are present. */
  public RecoveryRequest {
    if (target == null || scheme == null || policy == null) {
      throw new IllegalArgumentException("target, scheme and policy are required");
    }
  }
}
