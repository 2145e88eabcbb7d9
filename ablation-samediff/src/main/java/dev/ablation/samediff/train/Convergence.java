package dev.ablation.samediff.train;

import java.util.List;
import java.util.Locale;

/**
 * When an original counts as fully trained: its validation loss improved by less than
 * {@code minImprovement} nats over the last {@code window} evaluations (the best of the last
 * {@code window} against the best before them). Checked after every evaluation once the
 * learning-rate warmup is over and at least {@code 2 × window} evaluations follow step 0; the
 * plan's epochs are the cap. {@code L*} is then the mean of those last {@code window}
 * evaluations and their standard deviation the original's noise level σ.
 *
 * @param window k, evaluations, ≥ 2 (σ needs two)
 * @param minImprovement δ, nats, ≥ 0
 */
public record Convergence(int window, double minImprovement) {

  /** Validates. */
  public Convergence {
    if (window < 2) {
      throw new IllegalArgumentException("convergence window must be >= 2 evaluations, got "
          + window);
    }
    if (!(minImprovement >= 0) || Double.isInfinite(minImprovement)) {
      throw new IllegalArgumentException("convergence improvement must be finite and >= 0 nats,"
          + " got " + minImprovement);
    }
  }

  /** Whether {@code validation} (losses in order, the first at step 0) has converged. */
  public boolean holds(List<Double> validation) {
    int n = validation.size();
    if (n < 2 * window + 1) {
      return false;
    }
    double before = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n - window; i++) {
      before = Math.min(before, validation.get(i));
    }
    double last = Double.POSITIVE_INFINITY;
    for (int i = n - window; i < n; i++) {
      last = Math.min(last, validation.get(i));
    }
    return before - last < minImprovement;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "improvement < %s nats over %d evaluations",
        minImprovement, window);
  }
}
