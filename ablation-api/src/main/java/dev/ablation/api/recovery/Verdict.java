package dev.ablation.api.recovery;

/** How a recovery run ended. */
public enum Verdict {
  /** The (smoothed) validation loss reached the target; {@code T_ε} is recorded. */
  RECOVERED,
  /** No improvement for {@code patience} evaluations while above the target. */
  PLATEAUED,
  /** A non-finite loss, or a loss above the divergence bound. */
  DIVERGED,
  /** A cap of the {@link TrainingBudget} was reached first. */
  BUDGET_EXHAUSTED,
  /**
   * The wipe did no damage that counts: {@code L₀} already meets the target, so there was
   * nothing to recover. Reported apart and never averaged into {@code ρ} (a run that needed
   * nothing is not a run that recovered at zero cost).
   */
  UNDAMAGED
}
