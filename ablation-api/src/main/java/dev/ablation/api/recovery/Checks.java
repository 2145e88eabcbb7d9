package dev.ablation.api.recovery;

/** Argument checks whose messages name the value. */
final class Checks {
  private Checks() {}

  static void nonNegativeFinite(String what, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }
  }

  static void nonNegative(String what, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + v);
    }
  }

  static void positive(String what, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(what + " must be > 0, got " + v);
    }
  }
}
