package dev.ablation.api.recovery;

/**
 * One evaluation of a recovery run.
 *
 * @param step recovery steps taken before the evaluation
 * @param examples examples seen before it
 * @param tokens tokens seen before it
 * @param loss validation loss (nats per token)
 * @param smoothedLoss the criterion's smoothed loss
 */
public record CurvePoint(long step, long examples, long tokens, double loss, double smoothedLoss) {
  /** Validates the counters. */
  public CurvePoint {
    Checks.nonNegative("step", step);
    Checks.nonNegative("examples", examples);
    Checks.nonNegative("tokens", tokens);
  }
}
