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
 * @param horizonSteps 0: the run stops once its verdict is reached (the protocol); {@code > 0}:
 *     a run that recovers before this many steps keeps training to it, evaluated on the same
 *     schedule and at the horizon itself, so its curve shows where the loss settles past the
 *     target ("does the frozen context stop it getting back to {@code L*}?"). The verdict and
 *     {@code T_ε} are those at the target; only the curve, the spending and the final loss
 *     and fidelity reach further.
 */
public record RecoverySettings(RecoveryCriterion criterion, TrainingBudget budget,
    ReferenceCost reference, EvaluationSchedule schedule, RecoveryListener listener,
    long horizonSteps) {

  /** Validates the fields. */
  public RecoverySettings {
    Objects.requireNonNull(criterion, "criterion");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(listener, "listener");
    if (horizonSteps < 0) {
      throw new IllegalArgumentException("horizon must be 0 (stop at the target) or > 0 steps,"
          + " got " + horizonSteps);
    }
  }

  /** Settings that stop once the verdict is reached (horizon 0). */
  public RecoverySettings(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceCost reference, EvaluationSchedule schedule, RecoveryListener listener) {
    this(criterion, budget, reference, schedule, listener, 0);
  }

  /** Settings evaluating every {@code evaluateEvery} steps (≥ 1). */
  public RecoverySettings(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceCost reference, int evaluateEvery, RecoveryListener listener) {
    this(criterion, budget, reference, EvaluationSchedule.every(evaluateEvery), listener);
  }

  /** Settings without a listener, evaluating every {@code evaluateEvery} steps. */
  public static RecoverySettings of(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceCost reference, int evaluateEvery) {
    return new RecoverySettings(criterion, budget, reference, evaluateEvery,
        RecoveryListener.none());
  }

  /** Settings without a listener. */
  public static RecoverySettings of(RecoveryCriterion criterion, TrainingBudget budget,
      ReferenceCost reference, EvaluationSchedule schedule) {
    return new RecoverySettings(criterion, budget, reference, schedule,
        RecoveryListener.none());
  }

  /** The steady gap between evaluations, {@code k}. */
  public int evaluateEvery() {
    return schedule.every();
  }

  /** The same settings reporting to {@code l}. */
  public RecoverySettings withListener(RecoveryListener l) {
    return new RecoverySettings(criterion, budget, reference, schedule, l, horizonSteps);
  }

  /** The same settings evaluating on {@code s}. */
  public RecoverySettings withSchedule(EvaluationSchedule s) {
    return new RecoverySettings(criterion, budget, reference, s, listener, horizonSteps);
  }

  /**
   * The same settings training past the target to {@code steps} (0: stop at the target); see
   * {@link #horizonSteps()}.
   */
  public RecoverySettings withHorizon(long steps) {
    return new RecoverySettings(criterion, budget, reference, schedule, listener, steps);
  }

  /** Whether a recovered run keeps training to {@link #horizonSteps()}. */
  public boolean trainsPastTarget() {
    return horizonSteps > 0;
  }
}
