package dev.ablation.study.report;

import java.util.List;
import java.util.Locale;

/**
 * A mean with its 95% Student-t confidence interval over independent samples (here: seeds).
 * With one sample the interval is undefined ({@code NaN} bounds).
 *
 * @param mean the sample mean
 * @param low lower bound
 * @param high upper bound
 * @param n sample size
 */
public record Interval(double mean, double low, double high, int n) {

  // two-sided 97.5% quantiles of Student's t for df = 1..30; beyond, the normal's 1.96 is
  // within 2% of the truth
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
      2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093,
      2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

  /** The t-interval of {@code xs}; all NaN when empty. */
  public static Interval of(List<Double> xs) {
    int n = xs.size();
    if (n == 0) {
      return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    double mean = xs.stream().mapToDouble(Double::doubleValue).sum() / n;
    if (n == 1) {
      return new Interval(mean, Double.NaN, Double.NaN, 1);
    }
    double ss = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
    double se = Math.sqrt(ss / (n - 1) / n);
    double t = n - 1 <= T975.length ? T975[n - 2] : 1.96;
    return new Interval(mean, mean - t * se, mean + t * se, n);
  }

  /** The 97.5% quantile of Student's t with {@code df} degrees of freedom (table, ≥ 1). */
  static double t975(int df) {
    return df <= T975.length ? T975[df - 1] : 1.96;
  }

  /** {@code 0.0123 [0.0101, 0.0145]}, or {@code 0.0123} for one sample, {@code —} for none. */
  public String format() {
    if (n == 0) {
      return "—";
    }
    if (n == 1) {
      return fmt(mean);
    }
    return fmt(mean) + " [" + fmt(low) + ", " + fmt(high) + "]";
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "—";
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e5)) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return String.format(Locale.ROOT, a < 1 ? "%.4f" : "%.3f", v);
  }
}
