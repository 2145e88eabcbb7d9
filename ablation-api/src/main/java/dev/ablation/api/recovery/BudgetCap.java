package dev.ablation.api.recovery;

/** The cap of a {@link TrainingBudget} that stopped a run. */
public enum BudgetCap {
  /** {@link TrainingBudget#maxSteps()}. */
  STEPS,
  /** {@link TrainingBudget#maxExamples()} or the reference fraction. */
  EXAMPLES,
  /** {@link TrainingBudget#maxTokens()}. */
  TOKENS,
  /** {@link TrainingBudget#maxFlops()}. */
  FLOPS,
  /** {@link TrainingBudget#maxWallTime()}. */
  WALL_TIME
}
