package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;

/**
 * One recovery run of an original: wipe {@code target} by {@code scheme}, train what
 * {@code policy} leaves trainable, judge by the original's
 * {@link TrainingSettings#criterion(double)} under its {@link TrainingSettings#recoveryBudget()}.
 *
 * @param target what to reset
 * @param scheme what it becomes
 * @param policy what trains
 * @param seed master seed; the wipe and the recovery's data order take their own streams of it
 *     ({@link dev.ablation.api.recovery.Seeds})
 * @param lrMultiple the recovery's peak learning rate as a multiple of the original's, &gt; 0
 */
public record RecoveryRequest(WipeTarget target, ReinitScheme scheme, FreezePolicy policy,
    long seed, double lrMultiple) implements java.io.Serializable {

  /** Validates that the parts are present. */
  public RecoveryRequest {
    if (target == null || scheme == null || policy == null) {
      throw new IllegalArgumentException("target, scheme and policy are required");
    }
    LearningRates.require("recovery learning-rate multiple", lrMultiple);
  }

  /** A request at the original's peak rate (multiple 1). */
  public RecoveryRequest(WipeTarget target, ReinitScheme scheme, FreezePolicy policy,
      long seed) {
    this(target, scheme, policy, seed, 1.0);
  }
}
