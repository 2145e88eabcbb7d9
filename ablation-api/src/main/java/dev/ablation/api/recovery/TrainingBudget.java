package dev.ablation.api.recovery;

import com.google.common.base.Ticker;
import java.time.Duration;

/**
 * Caps on what a recovery may spend: steps, examples, tokens, estimated FLOPs, wall time, and
 * a fraction of the original's {@link ReferenceCost}. Immutable; {@link #start} makes the
 * {@link BudgetMeter} that charges one run. Unset caps are {@code Long.MAX_VALUE} or infinity.
 *
 * <pre>{@code
 * TrainingBudget b = TrainingBudget.ofReferenceFraction(1.0)      // at most S x E examples
 *     .withMaxWallTime(Duration.ofMinutes(5));
 * }</pre>
 *
 * @param maxSteps optimiser steps
 * @param maxExamples sequences
 * @param maxTokens tokens
 * @param maxFlops estimated floating-point operations
 * @param maxWallTime elapsed time
 * @param maxReferenceFraction examples as a fraction of {@code S × E}
 */
public record TrainingBudget(long maxSteps, long maxExamples, long maxTokens, double maxFlops,
    Duration maxWallTime, double maxReferenceFraction) {

  private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

  /** Validates every cap. */
  public TrainingBudget {
    Checks.nonNegative("maxSteps", maxSteps);
    Checks.nonNegative("maxExamples", maxExamples);
    Checks.nonNegative("maxTokens", maxTokens);
    if (!(maxFlops >= 0)) {
      throw new IllegalArgumentException("maxFlops must be >= 0, got " + maxFlops);
    }
    if (maxWallTime == null || maxWallTime.isNegative()) {
      throw new IllegalArgumentException("maxWallTime must be >= 0, got " + maxWallTime);
    }
    if (!(maxReferenceFraction >= 0)) {
      throw new IllegalArgumentException("maxReferenceFraction must be >= 0, got "
          + maxReferenceFraction);
    }
  }

  /** No cap at all: stop only by the criterion. */
  public static TrainingBudget unlimited() {
    return new TrainingBudget(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
        Double.POSITIVE_INFINITY, FOREVER, Double.POSITIVE_INFINITY);
  }

  /** At most {@code n} steps. */
  public static TrainingBudget ofSteps(long n) {
    return unlimited().withMaxSteps(n);
  }

  /** At most {@code n} examples. */
  public static TrainingBudget ofExamples(long n) {
    return unlimited().withMaxExamples(n);
  }

  /** At most {@code f × S × E} examples. */
  public static TrainingBudget ofReferenceFraction(double f) {
    return unlimited().withMaxReferenceFraction(f);
  }

  /** Also cap steps. */
  public TrainingBudget withMaxSteps(long n) {
    return new TrainingBudget(n, maxExamples, maxTokens, maxFlops, maxWallTime,
        maxReferenceFraction);
  }

  /** Also cap examples. */
  public TrainingBudget withMaxExamples(long n) {
    return new TrainingBudget(maxSteps, n, maxTokens, maxFlops, maxWallTime, maxReferenceFraction);
  }

  /** Also cap tokens. */
  public TrainingBudget withMaxTokens(long n) {
    return new TrainingBudget(maxSteps, maxExamples, n, maxFlops, maxWallTime,
        maxReferenceFraction);
  }

  /** Also cap estimated FLOPs. */
  public TrainingBudget withMaxFlops(double f) {
    return new TrainingBudget(maxSteps, maxExamples, maxTokens, f, maxWallTime,
        maxReferenceFraction);
  }

  /** Also cap wall time. */
  public TrainingBudget withMaxWallTime(Duration d) {
    return new TrainingBudget(maxSteps, maxExamples, maxTokens, maxFlops, d,
        maxReferenceFraction);
  }

  /** Also cap examples at {@code f × S × E}. */
  public TrainingBudget withMaxReferenceFraction(double f) {
    return new TrainingBudget(maxSteps, maxExamples, maxTokens, maxFlops, maxWallTime, f);
  }

  /** The example cap for this reference: the smaller of the two example caps. */
  public long exampleCap(ReferenceCost reference) {
    double byFraction = Math.floor(maxReferenceFraction * reference.examples());
    long f = byFraction >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) byFraction;
    return Math.min(maxExamples, f);
  }

  /** A meter for one run, reading time from {@code ticker} (inject a fake one in tests). */
  public BudgetMeter start(ReferenceCost reference, Ticker ticker) {
    return new BudgetMeter(this, reference, ticker);
  }

  /** A meter for one run on the system clock. */
  public BudgetMeter start(ReferenceCost reference) {
    return start(reference, Ticker.systemTicker());
  }
}
