package dev.ablation.api.forecast;

import dev.ablation.api.recovery.CurvePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A forecast of {@code T_ε}, the examples a damaged model needs to recover, from what is known
 * early: the step-0 damage {@code L₀ − L*}, the tolerance {@code target − L*}, and the first
 * few recovery evaluations. What an engineer deciding "retrain or replace" wants before paying
 * for the whole recovery.
 *
 * <p>Two signals, calibrated on finished recoveries (leave the run to forecast out):
 * <ul>
 *   <li>damage: {@code log T_ε} is regressed on {@code log(damage / tolerance)} — in the
 *       study, step-0 damage ranks the cost almost perfectly;</li>
 *   <li>the curve: an exponential decay {@code L(t) − L* ≈ a·e^(−r t)} fitted (least squares on
 *       the log excess) to step 0 and the early evaluations, extrapolated to the tolerance,
 *       {@code t̂ = (log a − log tolerance) / r}; {@code log t̂} joins the regression, which
 *       corrects the decay's systematic bias (real curves slow down).</li>
 * </ul>
 * The interval is the regression's 95% prediction interval on {@code log T_ε} (Student's t),
 * so it is never below 0 and widens where the calibration runs are few or far from the run.
 * When the early curve is not falling (no decay to extrapolate) or the calibration runs lack
 * it, the damage regression alone answers ({@link Basis#DAMAGE}).
 *
 * <p>Calibrate only on runs that recovered after the early window: a run that recovered
 * within it needs no forecast, and its truncated curve would say nothing about the rest.
 * Pure Java; no tensor types.
 */
public final class RecoveryForecast {

  /** The coverage the prediction intervals aim at. */
  public static final double LEVEL = 0.95;

  /** What a forecast used. */
  public enum Basis {
    /** Damage and the extrapolated early curve. */
    CURVE,
    /** Damage alone (the early curve gave no decay, or the calibration runs had none). */
    DAMAGE
  }

  /**
   * One early evaluation.
   *
   * @param examples examples seen before it
   * @param excess its validation loss minus {@code L*}
   */
  public record Point(long examples, double excess) {
    /** Validates the count. */
    public Point {
      if (examples < 0) {
        throw new IllegalArgumentException("examples must be >= 0, got " + examples);
      }
    }
  }

  /**
   * What is known about a run when the forecast is made.
   *
   * @param damage {@code L₀ − L*}, above {@code tolerance} (else there is nothing to recover)
   * @param tolerance {@code target − L*}, &gt; 0
   * @param early the evaluations after step 0 up to the forecast's horizon, in order
   */
  public record Evidence(double damage, double tolerance, List<Point> early) {
    /** Validates that the run was damaged past its tolerance. */
    public Evidence {
      if (!(tolerance > 0) || Double.isInfinite(tolerance)) {
        throw new IllegalArgumentException("tolerance (target − L*) must be finite and > 0, got "
            + tolerance);
      }
      if (!(damage > tolerance) || Double.isInfinite(damage)) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "damage (L₀ − L*) %s "
            + "must be finite and above the tolerance %s: an undamaged run needs no forecast",
            damage, tolerance));
      }
      early = List.copyOf(early);
    }

    /**
     * The evidence of a recovery curve at {@code horizonSteps}: its step-0 loss is {@code L₀},
     * and every evaluation after step 0 up to the horizon is early.
     *
     * @param lossStar the original's {@code L*}
     * @param targetLoss the loss the run must reach
     * @param curve the run's evaluations, the first at step 0
     */
    public static Evidence of(double lossStar, double targetLoss, List<CurvePoint> curve,
        long horizonSteps) {
      if (curve.isEmpty() || curve.get(0).step() != 0) {
        throw new IllegalArgumentException("the curve must start with its step-0 evaluation");
      }
      List<Point> early = new ArrayList<>();
      for (CurvePoint p : curve) {
        if (p.step() > 0 && p.step() <= horizonSteps) {
          early.add(new Point(p.examples(), p.loss() - lossStar));
        }
      }
      return new Evidence(curve.get(0).loss() - lossStar, targetLoss - lossStar, early);
    }

    /**
     * {@code log t̂}: where an exponential decay fitted to step 0 and the early evaluations
     * meets the tolerance; empty without at least two early points above it or with a decay
     * rate that is not positive.
     */
    Optional<Double> logExtrapolated() {
      List<double[]> pts = new ArrayList<>();
      pts.add(new double[] {0, Math.log(damage)});
      long last = 0;
      for (Point p : early) {
        if (p.excess() > 0 && Double.isFinite(p.excess())) {
          pts.add(new double[] {p.examples(), Math.log(p.excess())});
          last = Math.max(last, p.examples());
        }
      }
      if (pts.size() < 3) {
        return Optional.empty();
      }
      double[][] x = new double[pts.size()][1];
      double[] y = new double[pts.size()];
      for (int i = 0; i < pts.size(); i++) {
        x[i][0] = pts.get(i)[0];
        y[i] = pts.get(i)[1];
      }
      Optional<LeastSquares> fit = LeastSquares.fit(x, y);
      if (fit.isEmpty() || !(fit.get().beta()[1] < 0)) {
        return Optional.empty();
      }
      double rate = -fit.get().beta()[1];
      double t = (fit.get().beta()[0] - Math.log(tolerance)) / rate;
      return Optional.of(Math.log(Math.max(t, Math.max(last, 1))));
    }

    double logDamageRatio() {
      return Math.log(damage / tolerance);
    }
  }

  /**
   * A finished recovery to calibrate on.
   *
   * @param evidence what was known at the horizon
   * @param examplesToRecover its {@code T_ε}, after the horizon
   */
  public record Observation(Evidence evidence, long examplesToRecover) {
    /** Validates the cost. */
    public Observation {
      if (evidence == null || examplesToRecover < 1) {
        throw new IllegalArgumentException("an observation needs evidence and T_ε >= 1, got "
            + examplesToRecover);
      }
    }
  }

  /**
   * A forecast.
   *
   * @param examples the point forecast of {@code T_ε} (the geometric centre of the interval)
   * @param low the interval's lower end
   * @param high its upper end
   * @param basis what it used
   */
  public record Prediction(double examples, double low, double high, Basis basis) {
    /** Whether {@code examples} lies in the interval. */
    public boolean covers(double examples) {
      return examples >= low && examples <= high;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f examples [%.0f, %.0f] (%s)", examples, low, high,
          basis.name().toLowerCase(Locale.ROOT));
    }
  }

  private final Optional<LeastSquares> withCurve;
  private final LeastSquares damageOnly;
  private final int calibrationRuns;

  private RecoveryForecast(Optional<LeastSquares> withCurve, LeastSquares damageOnly, int n) {
    this.withCurve = withCurve;
    this.damageOnly = damageOnly;
    this.calibrationRuns = n;
  }

  /**
   * Calibrates on finished recoveries.
   *
   * @throws IllegalArgumentException when fewer than three runs, or runs whose damage does not
   *     vary, leave no regression to fit
   */
  public static RecoveryForecast fit(List<Observation> runs) {
    int n = runs.size();
    double[][] xd = new double[n][1];
    double[] y = new double[n];
    List<double[]> xc = new ArrayList<>();
    List<Double> yc = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Observation o = runs.get(i);
      xd[i][0] = o.evidence().logDamageRatio();
      y[i] = Math.log(o.examplesToRecover());
      Optional<Double> t = o.evidence().logExtrapolated();
      if (t.isPresent()) {
        xc.add(new double[] {xd[i][0], t.get()});
        yc.add(y[i]);
      }
    }
    LeastSquares damage = LeastSquares.fit(xd, y).orElseThrow(() ->
        new IllegalArgumentException("need at least 3 calibration runs whose damage varies, got "
            + n));
    Optional<LeastSquares> curve = xc.size() > 3
        ? LeastSquares.fit(xc.toArray(new double[0][]),
            yc.stream().mapToDouble(Double::doubleValue).toArray())
        : Optional.empty();
    return new RecoveryForecast(curve, damage, n);
  }

  /** How many runs calibrated this forecast. */
  public int calibrationRuns() {
    return calibrationRuns;
  }

  /** The forecast of {@code T_ε} for a run with {@code evidence}. */
  public Prediction predict(Evidence evidence) {
    Optional<Double> t = evidence.logExtrapolated();
    double[] p;
    Basis basis;
    if (t.isPresent() && withCurve.isPresent()) {
      p = withCurve.get().predict(new double[] {evidence.logDamageRatio(), t.get()}, LEVEL);
      basis = Basis.CURVE;
    } else {
      p = damageOnly.predict(new double[] {evidence.logDamageRatio()}, LEVEL);
      basis = Basis.DAMAGE;
    }
    return new Prediction(Math.exp(p[0]), Math.exp(p[1]), Math.exp(p[2]), basis);
  }
}
