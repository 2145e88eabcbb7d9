package dev.ablation.study.store;

import java.util.Objects;

/**
 * Whether an original's recovery runs go to the engine in populations (K runs trained in one
 * graph) or one at a time, and why: recorded per original in {@code study.json} and logged, so
 * that how a study ran is never a guess.
 *
 * @param size K, the runs handed to the engine at once when chosen (≥ 1)
 * @param ratio the measured time of K single steps over one population step, per member-step
 *     (&gt; 1: the population is faster); NaN when nothing was measured (a forced choice)
 * @param chosen whether the runs go in populations
 * @param reason how the choice was made (measured, forced, not applicable), for the record
 */
public record PopulationChoice(int size, double ratio, boolean chosen, String reason) {
  /** Validates. */
  public PopulationChoice {
    if (size < 1) {
      throw new IllegalArgumentException("population size must be >= 1, got " + size);
    }
    Objects.requireNonNull(reason, "reason");
  }

  /** One run at a time, for {@code reason}. */
  public static PopulationChoice single(String reason) {
    return new PopulationChoice(1, Double.NaN, false, reason);
  }

  /** How many runs go to the engine at once: K when chosen, else 1. */
  public int groupSize() {
    return chosen ? size : 1;
  }
}
