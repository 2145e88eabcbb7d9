package dev.ablation.api.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.recovery.CurvePoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Synthetic recoveries whose truth is known: the excess loss decays as
 * {@code d·e^(−t/τ)}, observed with noise at steps 1..10 of 32 examples, so
 * {@code T_ε = τ·ln(d/ε)}; τ grows with the damage and carries a per-run factor the damage does
 * not show (but the curve does), and the late curve slows by a factor no early evaluation shows.
 */
class RecoveryForecastTest {
  private static final double EPS = 0.02;
  private static final int BATCH = 32;
  private static final long HORIZON = 10;

  private record Run(RecoveryForecast.Evidence evidence, double truth) {}

  private static List<Run> runs(int n, long seed, double lateSlowdownSd) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Run> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double d = 0.1 + 0.9 * r.nextDouble();
      double tau = 600 * Math.pow(d, 0.7) * Math.exp(0.4 * gaussian(r));
      List<CurvePoint> curve = new ArrayList<>();
      double lossStar = 1.4;
      curve.add(new CurvePoint(0, 0, 0, lossStar + d, Double.NaN));
      for (long s = 1; s <= 30; s++) {
        long ex = s * BATCH;
        double excess = d * Math.exp(-ex / tau) * Math.exp(0.03 * gaussian(r));
        curve.add(new CurvePoint(s, ex, ex * 16, lossStar + excess, Double.NaN));
      }
      double truth = tau * Math.log(d / EPS) * Math.exp(lateSlowdownSd * gaussian(r));
      out.add(new Run(RecoveryForecast.Evidence.of(lossStar, lossStar + EPS, curve, HORIZON),
          truth));
    }
    return out;
  }

  private static double gaussian(SplittableRandom r) {
    // Box–Muller from two uniforms
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** Leave-one-out over {@code runs}: the forecasts of each run from all the others. */
  private static List<RecoveryForecast.Prediction> leaveOneOut(List<Run> runs) {
    List<RecoveryForecast.Prediction> out = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      List<RecoveryForecast.Observation> cal = new ArrayList<>();
      for (int j = 0; j < runs.size(); j++) {
        if (j != i) {
          cal.add(new RecoveryForecast.Observation(runs.get(j).evidence(),
              Math.round(runs.get(j).truth())));
        }
      }
      out.add(RecoveryForecast.fit(cal).predict(runs.get(i).evidence()));
    }
    return out;
  }

  private static double medianAbsLogError(List<Run> runs, List<RecoveryForecast.Prediction> p) {
    double[] e = new double[runs.size()];
    for (int i = 0; i < e.length; i++) {
      e[i] = Math.abs(Math.log(p.get(i).examples() / runs.get(i).truth()));
    }
    Arrays.sort(e);
    return e[e.length / 2];
  }

  @Test
  void intervalsCoverAboutNinetyFivePercentLeavingOneOut() {
    List<Run> runs = runs(200, 7, 0.2);
    List<RecoveryForecast.Prediction> p = leaveOneOut(runs);
    long covered = 0;
    for (int i = 0; i < runs.size(); i++) {
      covered += p.get(i).covers(runs.get(i).truth()) ? 1 : 0;
      assertEquals(RecoveryForecast.Basis.CURVE, p.get(i).basis());
    }
    // 95% nominal: of 200 runs, a calibrated interval misses about 10; binomial(200, 0.95)
    // puts fewer than 181 covered below 0.1% probability, and more than 199 is as unlikely
    assertTrue(covered >= 181 && covered <= 199, "covered " + covered + " of 200");
  }

  @Test
  void theEarlyCurveSeesWhatTheDamageCannot() {
    // τ's per-run factor (sd 0.4 in log) is invisible in the damage but visible in the curve:
    // the curve forecast's typical error is near the late slowdown (0.2 · 0.67 ≈ 0.13), the
    // damage forecast's near the hidden factor (≈ 0.4 · 0.67 ≈ 0.3)
    List<Run> runs = runs(120, 11, 0.2);
    List<RecoveryForecast.Prediction> withCurve = leaveOneOut(runs);
    List<Run> blind = runs.stream().map(r -> new Run(new RecoveryForecast.Evidence(
        r.evidence().damage(), r.evidence().tolerance(), List.of()), r.truth())).toList();
    List<RecoveryForecast.Prediction> damageOnly = leaveOneOut(blind);
    damageOnly.forEach(x -> assertEquals(RecoveryForecast.Basis.DAMAGE, x.basis()));
    double curveError = medianAbsLogError(runs, withCurve);
    double damageError = medianAbsLogError(blind, damageOnly);
    assertTrue(curveError < 0.2, "curve error " + curveError);
    assertTrue(damageError > 1.5 * curveError, "damage " + damageError + " curve " + curveError);
  }

  @Test
  void aFlatEarlyCurveFallsBackToTheDamage() {
    List<Run> runs = runs(40, 3, 0.2);
    List<RecoveryForecast.Observation> cal = runs.stream()
        .map(r -> new RecoveryForecast.Observation(r.evidence(), Math.round(r.truth()))).toList();
    RecoveryForecast f = RecoveryForecast.fit(cal);
    // rising loss after the wipe: no decay to extrapolate
    RecoveryForecast.Evidence rising = new RecoveryForecast.Evidence(0.5, EPS,
        List.of(new RecoveryForecast.Point(32, 0.6), new RecoveryForecast.Point(64, 0.7)));
    RecoveryForecast.Prediction p = f.predict(rising);
    assertEquals(RecoveryForecast.Basis.DAMAGE, p.basis());
    assertTrue(p.low() > 0 && p.low() < p.examples() && p.examples() < p.high(), p.toString());
    assertEquals(40, f.calibrationRuns());
  }

  @Test
  void anUndamagedRunOrTooFewRunsAreRefusedWithTheValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RecoveryForecast.Evidence(0.01, EPS, List.of()));
    assertTrue(e.getMessage().contains("0.01") && e.getMessage().contains("0.02"),
        e.getMessage());
    List<RecoveryForecast.Observation> two = runs(2, 1, 0).stream()
        .map(r -> new RecoveryForecast.Observation(r.evidence(), Math.round(r.truth()))).toList();
    assertThrows(IllegalArgumentException.class, () -> RecoveryForecast.fit(two));
  }
}
