package dev.ablation.study.plan;

import java.util.Locale;

/**
 * The one check of a learning rate or a multiple of one: finite and &gt; 0. Settings, plans,
 * run keys and the command line all ask it, so they accept and refuse the same values and say
 * so in the same words.
 */
final class Rates {
  private Rates() {}

  /** Whether {@code rate} is finite and &gt; 0 (NaN is not). */
  static boolean valid(double rate) {
    return rate > 0 && Double.isFinite(rate);
  }

  /** "{@code what} must be finite and > 0, got {@code rate}". */
  static String problem(String what, double rate) {
    return String.format(Locale.ROOT, "%s must be finite and > 0, got %s", what, rate);
  }

  /** {@code rate}, or an {@link IllegalArgumentException} saying {@link #problem}. */
  static double require(String what, double rate) {
    if (!valid(rate)) {
      throw new IllegalArgumentException(problem(what, rate));
    }
    return rate;
  }
}
