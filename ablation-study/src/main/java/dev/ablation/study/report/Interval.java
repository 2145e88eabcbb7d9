package dev.ablation.study.report;

import java.util.List;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Mean;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * A mean with its 95% percentile-bootstrap interval over independent samples (here: seeds),
 * for quantities that may be negative (losses, their differences). No distribution is
 * assumed and nothing is read from a typed-in table: the mean and the quantiles come from
 * Apache Commons Statistics, the resampling from a seeded Commons RNG (the report is
 * reproducible). With one sample the interval is undefined ({@code NaN} bounds). Ratios and
 * {@code ρ} use {@link Censored} instead (log scale, censoring).
 *
 * @param mean the sample mean
 * @param low lower bound
 * @param high upper bound
 * @param n sample size
 */
record Interval(double mean, double low, double high, int n) {

  private static final int RESAMPLES = 2000;
  private static final long SEED = 20_261_130L;

  /** The bootstrap interval of the mean of {@code xs}; all NaN when empty. */
  public static Interval of(List<Double> xs) {
    int n = xs.size();
    if (n == 0) {
      return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    double[] v = xs.stream().mapToDouble(Double::doubleValue).toArray();
    double mean = Mean.of(v).getAsDouble();
    if (n == 1) {
      return new Interval(mean, Double.NaN, Double.NaN, 1);
    }
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(SEED + n);
    double[] means = new double[RESAMPLES];
    double[] sample = new double[n];
    for (int b = 0; b < RESAMPLES; b++) {
      for (int j = 0; j < n; j++) {
        sample[j] = v[rng.nextInt(n)];
      }
      means[b] = Mean.of(sample).getAsDouble();
    }
    Quantile q = Quantile.withDefaults();
    return new Interval(mean, q.evaluate(means, 0.025), q.evaluate(means, 0.975), n);
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

  /** As {@link #format()}, rounded to whole numbers: for counts such as steps. */
  String formatWhole() {
    if (n == 0) {
      return "—";
    }
    String m = String.format(Locale.ROOT, "%.0f", mean);
    return n == 1 ? m : m + String.format(Locale.ROOT, " [%.0f, %.0f]", low, high);
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
