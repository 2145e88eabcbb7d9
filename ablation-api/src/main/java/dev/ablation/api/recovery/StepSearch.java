package dev.ablation.api.recovery;

/**
 * The validation loss of the weights as they were right after an earlier step: what a training
 * loop offers {@link RecoveryMonitor#evaluate(double, StepSearch)} when it keeps a copy of the
 * trainable parameters after every step since its last evaluation. The monitor then resolves
 * {@code T_ε} to the exact step by searching those copies ({@link StepRule#CONFIRMED_STEP}), so
 * the loop can evaluate rarely and still report the cost to the step.
 */
@FunctionalInterface
public interface StepSearch {
  /**
   * The validation loss after step {@code step}, a step after the previous evaluation and
   * before the current one. The loop must leave its weights as they are now when it returns.
   */
  double lossAt(long step);
}
