package dev.ablation.study.plan;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** Numbers as written to files: {@code Locale.ROOT}-style, whatever the default locale. */
public final class Numbers {
  private Numbers() {}

  private static final MathContext SIGNIFICANT = new MathContext(7);

  /**
   * Seven significant digits, plain notation, no trailing zeros: {@code 0.0123}, {@code 2.5},
   * {@code 1200}; {@code NaN}, {@code Infinity}, {@code -Infinity} as Java writes them, so
   * {@link Double#parseDouble} reads every value back.
   */
  public static String format(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(v).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
  }

  /** {@link #format(double)}, or the empty string when absent. */
  public static String format(OptionalDouble v) {
    return v.isPresent() ? format(v.getAsDouble()) : "";
  }

  /** The decimal number, or the empty string when absent. */
  public static String format(OptionalLong v) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : "";
  }

  /** Reads a cell written by {@link #format(OptionalDouble)}. */
  public static OptionalDouble parseOptionalDouble(String cell) {
    return cell == null || cell.isEmpty() ? OptionalDouble.empty()
        : OptionalDouble.of(Double.parseDouble(cell));
  }

  /** Reads a cell written by {@link #format(OptionalLong)}. */
  public static OptionalLong parseOptionalLong(String cell) {
    return cell == null || cell.isEmpty() ? OptionalLong.empty()
        : OptionalLong.of(Long.parseLong(cell));
  }
}
