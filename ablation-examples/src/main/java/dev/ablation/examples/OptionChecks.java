package dev.ablation.examples;

/**
 * The examples' options' checks of a value where it is given, naming it and what is valid
 * (Caffeine's discipline); which settings a builder was given twice is
 * {@link dev.ablation.api.internal.SetOnce}'s job.
 */
final class OptionChecks {
  private OptionChecks() {}

  /** {@code v}, if at least {@code min}. */
  static int atLeast(String setting, int min, int v) {
    if (v < min) {
      throw new IllegalArgumentException(setting + " must be >= " + min + ", got " + v);
    }
    return v;
  }

  /** {@code v}, if finite and above 0. */
  static double positive(String setting, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(setting + " must be finite and > 0, got " + v);
    }
    return v;
  }
}
