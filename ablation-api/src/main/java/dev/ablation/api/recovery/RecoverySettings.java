package dev.ablation.api.recovery;

import java.util.Objects;

/**
 * How one recovery run is judged and paid for.
 *
 * @param criterion when to stop and with which verdict
 * @param budget what the run may spend
 * @param reference the original's {@code S × E}, for {@code ρ}
 * @param schedule the steps after which the validation loss is evaluated
 * @param listener progress observer
 */
public record RecoverySettings(RecoveryCriterion criterion, TrainingBudget budget,
    ReferenceBudget reference, EvaluationSchedule schedule, RecoveryListener listener) {

  /** Validates the fields. */
  public RecoverySettings {
    Objects.requireNonNull(criterion, "criterion");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(listener, "listener");
  }

  /** Settings evaluating every {@code evaluateEvery} steps (≥ 1). */
  public RecoverySettings(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceBudget reference, int evaluateEvery, RecoveryListener listener) {
    this(criterion, budget, reference, EvaluationSchedule.every(evaluateEvery), listener);
  }

  /** Settings without a listener, evaluating every {@code evaluateEvery} steps. */
  public static RecoverySettings of(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceBudget reference, int evaluateEvery) {
    return new RecoverySettings(criterion, budget, reference, evaluateEvery,
        RecoveryListener.none());
  }

  /** Settings without a listener. */
  public static RecoverySettings of(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceBudget reference, EvaluationSchedule schedule) {
    return new RecoverySettings(criterion, budget, reference, schedule,
        RecoveryListener.none());
  }

  /** The steady gap between evaluations, {@code k}. */
  public int evaluateEvery() {
    return schedule.every();
  }

  /** The same settings reporting to {@code l}. */
  public RecoverySettings withListener(RecoveryListener l) {
    return new RecoverySettings(criterion, budget, reference, schedule, l);
  }

  /** The same settings evaluating on {@code s}. */
  public RecoverySettings withSchedule(EvaluationSchedule s) {
    return new RecoverySettings(criterion, budget, reference, s, listener);
  }
}
