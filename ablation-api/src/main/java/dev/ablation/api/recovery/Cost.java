package dev.ablation.api.recovery;

/**
 * What one training step (or several) consumes.
 *
 * @param steps optimiser steps
 * @param examples sequences seen
 * @param tokens tokens seen
 * @param flops estimated floating-point operations (forward + backward)
 */
public record Cost(long steps, long examples, long tokens, double flops) {

  /** Validates that nothing is negative. */
  public Cost {
    Checks.nonNegative("steps", steps);
    Checks.nonNegative("examples", examples);
    Checks.nonNegative("tokens", tokens);
    Checks.nonNegativeFinite("flops", flops);
  }

  /** One step of {@code batch} sequences of {@code tokensPerExample} tokens each. */
  public static Cost step(long batch, long tokensPerExample, double flops) {
    return new Cost(1, batch, Math.multiplyExact(batch, tokensPerExample), flops);
  }
}
