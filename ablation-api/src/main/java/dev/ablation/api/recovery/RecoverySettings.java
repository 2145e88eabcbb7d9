package dev.ablation.api.recovery;

import java.util.Objects;

/**
 * How one recovery run is judged and paid for.
 *
 * @param criterion when to stop and with which verdict
 * @param budget what the run may spend
 * @param reference the original's {@code S × E}, for {@code ρ}
 * @param evaluateEvery steps between validation evaluations, ≥ 1
 * @param listener progress observer
 */
public record RecoverySettings(RecoveryCriterion criterion, TrainingBudget budget,
    ReferenceBudget reference, int evaluateEvery, RecoveryListener listener) {

  /** Validates the fields. */
  public RecoverySettings {
    Objects.requireNonNull(criterion, "criterion");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(listener, "listener");
    if (evaluateEvery < 1) {
      throw new IllegalArgumentException("evaluateEvery must be >= 1, got " + evaluateEvery);
    }
  }

  /** Settings without a listener. */
  public static RecoverySettings of(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceBudget reference, int evaluateEvery) {
    return new RecoverySettings(criterion, budget, reference, evaluateEvery,
        RecoveryListener.none());
  }

  /** The same settings reporting to {@code l}. */
  public RecoverySettings withListener(RecoveryListener l) {
    return new RecoverySettings(criterion, budget, reference, evaluateEvery, l);
  }
}
