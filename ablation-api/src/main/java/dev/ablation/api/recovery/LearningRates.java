package dev.ablation.api.recovery;

import java.util.Locale;

/**
 * The one check of a learning rate, or of a multiple of one: finite and &gt; 0. The optimiser's
 * settings, the study's settings, plans and run keys and the command line all ask it, so they
 * accept and refuse the same values and say so in the same words.
 */
public final class LearningRates {
  private LearningRates() {}

  /** Whether {@code rate} is finite and &gt; 0 (NaN is not). */
  public static boolean valid(double rate) {
    return rate > 0 && Double.isFinite(rate);
  }

  /** "{@code what} must be finite and > 0, got {@code rate}". */
  public static String problem(String what, double rate) {
    return String.format(Locale.ROOT, "%s must be finite and > 0, got %s", what, rate);
  }

  /**
   * {@code rate}, checked.
   *
   * @throws IllegalArgumentException saying {@link #problem} when it is not {@link #valid}
   */
  public static double require(String what, double rate) {
    if (!valid(rate)) {
      throw new IllegalArgumentException(problem(what, rate));
    }
    return rate;
  }
}
