package dev.ablation.examples;

import java.util.HashSet;
import java.util.Set;

/**
 * The examples' options builders' two disciplines, Caffeine's: a setting given twice is
 * refused, naming it (a default silently replaced by an override hides which value ran), and a
 * bad value is refused where it is given, naming it and what is valid.
 */
final class SetOnce {
  private final Set<String> given = new HashSet<>();

  /** Records that {@code setting} is given now; a second time fails. */
  void mark(String setting) {
    if (!given.add(setting)) {
      throw new IllegalStateException(setting + " was already set on this builder; set each"
          + " option once");
    }
  }

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
