package dev.ablation.api.recovery;

import java.util.Locale;

/**
 * At which recovery steps the validation loss is evaluated. {@code T_ε} can only be resolved to
 * the gap between two evaluations, so a schedule that is dense where recoveries are fast keeps
 * small {@code ρ} from collapsing onto a few quanta.
 *
 * <p>{@link #dense(int)}: every step up to step 10, then steps growing by at most 10 %
 * ({@code next = max(t + 1, floor(1.1 t))}) until that gap reaches {@code k}, then every
 * {@code k} steps (on multiples of {@code k}, which are due throughout). The gap after an
 * evaluation at step {@code t} is at most {@code max(1, 0.1·t)} steps everywhere: {@code T_ε}
 * is resolved to one step early and to 10 % of itself later (one step is finer below step 10,
 * 10 % from there on, so the bound is the coarser of the two, as fine as a schedule with a
 * steady gap can be). About {@code 10 + 24·ln k} evaluations precede step {@code 10 k}. {@link #every(int)}: every {@code k}
 * steps, a fixed grid.
 *
 * @param every the steady gap {@code k}, ≥ 1
 * @param dense whether the start is log-spaced (see above)
 */
public record EvaluationSchedule(int every, boolean dense, double growth) {

  /** Relative resolution of the log-spaced part of {@link #dense(int)}. */
  public static final double RELATIVE_GAP = 0.1;

  /** Steps evaluated one by one at the start of a log-spaced schedule (forecasts read them). */
  public static final int FIRST_STEPS = 10;

  /** Validates k and the growth. */
  public EvaluationSchedule {
    if (every < 1) {
      throw new IllegalArgumentException("evaluation interval must be >= 1 step, got " + every);
    }
    if (!(growth > 1) || !Double.isFinite(growth)) {
      throw new IllegalArgumentException("a log-spaced schedule's growth must be a finite "
          + "number > 1, got " + growth);
    }
  }

  /** As {@link #EvaluationSchedule(int, boolean, double)} with the dense growth of 1.1. */
  public EvaluationSchedule(int every, boolean dense) {
    this(every, dense, 1 + RELATIVE_GAP);
  }

  /**
   * Every step up to step {@value #FIRST_STEPS}, then steps growing by the factor
   * {@code growth} ({@code next = max(t + 1, floor(growth · t))}) until the gap reaches
   * {@code maxGap}, then every {@code maxGap} steps: few evaluations, for a loop whose
   * {@code T_ε} is searched to the step between them ({@link StepRule#CONFIRMED_STEP}), where
   * the schedule sets the cost and not the resolution.
   */
  public static EvaluationSchedule geometric(double growth, int maxGap) {
    return new EvaluationSchedule(maxGap, true, growth);
  }

  /** Every {@code k} steps. */
  public static EvaluationSchedule every(int k) {
    return new EvaluationSchedule(k, false);
  }

  /** Dense at the start, then every {@code k} steps. */
  public static EvaluationSchedule dense(int k) {
    return new EvaluationSchedule(k, true);
  }

  /** Whether the validation loss is due after {@code step} steps (step ≥ 1). */
  public boolean isDue(long step) {
    if (step < 1) {
      return false;
    }
    if (step % every == 0) {
      return true;
    }
    if (!dense) {
      return false;
    }
    long t = 1;
    while (t < step) {
      long next = next(t);
      if (next - t >= every) {
        return false; // the log-spaced part has ended: only multiples of k from here
      }
      t = next;
    }
    return t == step;
  }

  /** The log-spaced successor of {@code t}: {@code max(t + 1, floor(growth · t))}. */
  long next(long t) {
    if (t < FIRST_STEPS) {
      return t + 1;
    }
    return Math.max(t + 1, (long) Math.floor(t * growth + 1e-9));
  }

  @Override
  public String toString() {
    if (!dense) {
      return String.format(Locale.ROOT, "every %d", every);
    }
    return growth == 1 + RELATIVE_GAP ? String.format(Locale.ROOT, "dense, then every %d", every)
        : String.format(Locale.ROOT, "every step to %d, then x%s up to every %d", FIRST_STEPS,
            growth, every);
  }
}
