package dev.ablation.study.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * Estimates over seeds that respect runs which did not recover. A run that recovered is an
 * event at its {@code ρ}; a run that did not (plateaued, diverged, budget spent) is censored at
 * what it had spent — all we know is that its {@code ρ} is larger. Dropping such runs would
 * make slow layers look fast, so the median is the Kaplan–Meier median, and intervals come
 * from a percentile bootstrap over the seeds on {@code log ρ} (so never below 0): the
 * quantiles from Apache Commons Statistics, the resampling from a seeded Commons RNG so the
 * report is reproducible. A median the data cannot place (half or more censored) is reported
 * as {@code ≥} the smallest censoring point, never as a number it is not.
 *
 * <p>Resolution: a run is only known to have recovered between the evaluation before
 * {@code T_ε} and {@code T_ε} ({@link Obs#lower()} to {@link Obs#value()}). The interval's lower
 * bound is taken from the resampled medians of the lower ends, its upper bound from those of
 * the values, so seeds that landed on the same evaluation do not make a zero-width interval
 * that claims more precision than the schedule had.
 */
final class Censored {
  private Censored() {}

  /** Bootstrap resamples per interval. */
  static final int RESAMPLES = 2000;
  private static final long SEED = 20_261_129L;
  private static final Quantile QUANTILE = Quantile.withDefaults();

  /**
   * One run's outcome.
   *
   * @param value ρ when recovered, else the ρ it had spent when it stopped (&gt; 0)
   * @param event whether it recovered
   * @param lower the smallest value consistent with the evaluations (the evaluation before
   *     {@code T_ε}); {@code value} for a censored run or an exact value
   */
  record Obs(double value, boolean event, double lower) {
    /** An exactly known value (or a censoring point). */
    Obs(double value, boolean event) {
      this(value, event, value);
    }

    Obs lowerEnd() {
      return new Obs(lower, event, lower);
    }
  }

  /**
   * A median with its 95% bootstrap interval.
   *
   * @param median the Kaplan–Meier median, empty when half or more are censored
   * @param low lower bound (NaN with fewer than 2 observations)
   * @param high upper bound; +∞ when resampled medians are often unplaceable
   * @param n observations
   * @param events how many recovered
   * @param censoredFrom the smallest censoring point, NaN when none
   */
  record Estimate(OptionalDouble median, double low, double high, int n, int events,
      double censoredFrom) {

    /** {@code 0.0123 [0.0101, 0.0145]}, {@code ≥ 1.000}, or {@code —}. */
    String format() {
      if (n == 0) {
        return "—";
      }
      if (median.isEmpty()) {
        return "≥ " + Interval.fmt(censoredFrom) + " (not reached)";
      }
      String m = Interval.fmt(median.getAsDouble());
      if (n < 2 || Double.isNaN(low)) {
        return m;
      }
      if (degenerate()) {
        return m + " (every seed the same, exactly: no interval)";
      }
      return m + " [" + Interval.fmt(low) + ", "
          + (Double.isInfinite(high) ? "≥ " + Interval.fmt(openEnd()) : Interval.fmt(high))
          + "]";
    }

    /**
     * Where an unbounded interval's upper end is known to lie beyond: the first censoring
     * point, or the median itself when runs with a larger cap recovered later than that
     * point (an upper end below the median would contradict it).
     */
    private double openEnd() {
      return median.isPresent() ? Math.max(median.getAsDouble(), censoredFrom) : censoredFrom;
    }

    /**
     * Whether the bootstrap collapsed to a point: every resample gave the same median, which
     * happens only when the seeds' values (and their resolution) coincide. A zero-width
     * bracket would claim a precision five seeds cannot give, so it is said in words.
     */
    boolean degenerate() {
      return low == high;
    }

    /**
     * As {@link #format()}, for counts (examples, steps): whole numbers, the lower bound
     * rounded down and the upper rounded up, so rounding never narrows the interval.
     */
    String formatCount() {
      if (n == 0) {
        return "—";
      }
      if (median.isEmpty()) {
        return "≥ " + count(censoredFrom) + " (not reached)";
      }
      String m = count(median.getAsDouble());
      if (n < 2 || Double.isNaN(low)) {
        return m;
      }
      if (degenerate()) {
        return m + " (every seed the same, exactly: no interval)";
      }
      return m + " [" + String.format(Locale.ROOT, "%d", (long) Math.floor(low)) + ", "
          + (Double.isInfinite(high) ? "≥ " + count(openEnd())
              : String.format(Locale.ROOT, "%d", (long) Math.ceil(high))) + "]";
    }

    /** The median as a percentage with its interval, for sentences. */
    String percent() {
      if (n == 0) {
        return "no runs";
      }
      if (median.isEmpty()) {
        return "≥ " + pct(censoredFrom) + " (median not reached)";
      }
      String m = pct(median.getAsDouble());
      if (n < 2 || Double.isNaN(low)) {
        return m;
      }
      if (degenerate()) {
        return m + " (every seed the same, exactly)";
      }
      return m + " [95% CI " + pct(low) + "–"
          + (Double.isInfinite(high) ? "not reached" : pct(high)) + "]";
    }
  }

  /** A count as a whole number ({@link Locale#ROOT}, no grouping). */
  static String count(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%d", Math.round(v));
  }

  static String pct(double rho) {
    double p = 100 * rho;
    return String.format(Locale.ROOT, p < 1 ? "%.2f%%" : "%.1f%%", p);
  }

  /**
   * The Kaplan–Meier median: the smallest value at which the estimated share still unrecovered
   * falls to 0.5 or below; empty when it never does.
   */
  static OptionalDouble kaplanMeierMedian(List<Obs> obs) {
    List<Obs> sorted = new ArrayList<>(obs);
    // at equal values events come first: a run censored at t was still unrecovered at t
    sorted.sort(Comparator.comparingDouble(Obs::value).thenComparing(o -> !o.event()));
    double survival = 1;
    int atRisk = sorted.size();
    int i = 0;
    while (i < sorted.size()) {
      double t = sorted.get(i).value();
      int events = 0;
      int leaving = 0;
      while (i < sorted.size() && sorted.get(i).value() == t) {
        events += sorted.get(i).event() ? 1 : 0;
        leaving++;
        i++;
      }
      if (events > 0) {
        survival *= 1 - (double) events / atRisk;
        if (survival <= 0.5 + 1e-12) {
          return OptionalDouble.of(t);
        }
      }
      atRisk -= leaving;
    }
    return OptionalDouble.empty();
  }

  /** The median of {@code obs} and its bootstrap interval on the log scale. */
  static Estimate estimate(List<Obs> obs) {
    int n = obs.size();
    int events = (int) obs.stream().filter(Obs::event).count();
    double censoredFrom = obs.stream().filter(o -> !o.event()).mapToDouble(Obs::value).min()
        .orElse(Double.NaN);
    OptionalDouble median = kaplanMeierMedian(obs);
    if (n < 2) {
      return new Estimate(median, Double.NaN, Double.NaN, n, events, censoredFrom);
    }
    List<Obs> lowers = obs.stream().map(Obs::lowerEnd).toList();
    double[] logs = bootstrap(obs.size(), idx -> logMedian(obs, idx));
    double[] lowLogs = bootstrap(obs.size(), idx -> logMedian(lowers, idx));
    return new Estimate(median, Math.exp(QUANTILE.evaluate(lowLogs, 0.025)),
        Math.exp(QUANTILE.evaluate(logs, 0.975)), n, events, censoredFrom);
  }

  /**
   * The median of positive paired ratios (e.g. ρ onlyWiped / ρ allTrainable of one seed) with
   * a bootstrap interval on the log scale.
   */
  static Estimate ratio(List<Double> ratios) {
    List<Obs> obs = ratios.stream().map(r -> new Obs(r, true)).toList();
    return estimate(obs);
  }

  /** log of the KM median of the resample {@code idx} of {@code obs}; +∞ when unplaceable. */
  private static double logMedian(List<Obs> obs, int[] idx) {
    List<Obs> sample = new ArrayList<>(idx.length);
    for (int j : idx) {
      sample.add(obs.get(j));
    }
    OptionalDouble m = kaplanMeierMedian(sample);
    return m.isPresent() ? Math.log(m.getAsDouble()) : Double.POSITIVE_INFINITY;
  }

  private interface Statistic {
    double of(int[] indices);
  }

  private static double[] bootstrap(int n, Statistic s) {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(SEED + n);
    double[] out = new double[RESAMPLES];
    int[] idx = new int[n];
    for (int b = 0; b < RESAMPLES; b++) {
      for (int j = 0; j < n; j++) {
        idx[j] = rng.nextInt(n);
      }
      out[b] = s.of(idx);
    }
    return out;
  }
}
