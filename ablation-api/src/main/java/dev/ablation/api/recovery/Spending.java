package dev.ablation.api.recovery;

import java.time.Duration;

/**
 * What a run has spent so far.
 *
 * @param steps optimiser steps
 * @param examples sequences
 * @param tokens tokens
 * @param flops estimated floating-point operations
 * @param wallTime elapsed time on the budget's clock
 */
public record Spending(long steps, long examples, long tokens, double flops, Duration wallTime) {

  /** Nothing spent. */
  public static final Spending NONE = new Spending(0, 0, 0, 0, Duration.ZERO);

  /** Validates that nothing is negative. */
  public Spending {
    Checks.nonNegative("steps", steps);
    Checks.nonNegative("examples", examples);
    Checks.nonNegative("tokens", tokens);
    Checks.nonNegativeFinite("flops", flops);
    if (wallTime == null || wallTime.isNegative()) {
      throw new IllegalArgumentException("wall time must be >= 0, got " + wallTime);
    }
  }

  /** Examples spent as a fraction of the reference {@code S × E}: {@code ρ} when recovered. */
  public double fractionOf(ReferenceCost reference) {
    return (double) examples / reference.examples();
  }
}
