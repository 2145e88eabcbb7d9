package dev.ablation.samediff.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The in-context bigram language's Bayes predictor, checked by brute force: the closed-form
 * posterior predictive against ratios of marginal likelihoods integrated numerically over the
 * Dirichlet prior, and against the sampler's own conditional frequencies.
 */
class InContextBigramTest {

  /**
   * For V = 2 each row is Beta(α, α); P(x) = ½ · Π_i B(α + n_i1, α + n_i0) / B(α, α). The
   * predictive must be P(x·j) / P(x) — computed here by quadrature, not by the closed form.
   */
  @Test
  void predictiveIsTheRatioOfMarginalsIntegratedNumerically() {
    double alpha = 0.7;
    InContextBigram c = new InContextBigram(2, alpha);
    int[][] prefixes = {{0}, {0, 0}, {0, 1, 0}, {1, 1, 0, 1, 1}, {0, 1, 1, 0, 0, 1, 0}};
    for (int[] x : prefixes) {
      double px = marginalByQuadrature(x, alpha);
      double[] q = c.predictive(x, x.length - 1);
      for (int j = 0; j < 2; j++) {
        int[] xj = java.util.Arrays.copyOf(x, x.length + 1);
        xj[x.length] = j;
        double expected = marginalByQuadrature(xj, alpha) / px;
        assertEquals(expected, q[j], 1e-6, "prefix " + java.util.Arrays.toString(x) + " j " + j);
      }
      assertEquals(1.0, q[0] + q[1], 1e-12);
    }
  }

  /** The sampler draws from the same process the predictive describes. */
  @Test
  void samplerFrequenciesMatchThePredictive() {
    InContextBigram c = new InContextBigram(3, 0.5);
    int length = 4;
    Map<String, int[]> counts = new HashMap<>();
    SplittableRandom r = new SplittableRandom(11);
    int n = 300_000;
    for (int i = 0; i < n; i++) {
      int[] x = c.sample(length, r).tokens();
      String prefix = java.util.Arrays.toString(java.util.Arrays.copyOf(x, length - 1));
      counts.computeIfAbsent(prefix, k -> new int[3])[x[length - 1]]++;
    }
    int checked = 0;
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      int total = e.getValue()[0] + e.getValue()[1] + e.getValue()[2];
      if (total < 5_000) {
        continue;
      }
      String[] parts = e.getKey().replaceAll("[\\[\\] ]", "").split(",");
      int[] x = java.util.Arrays.stream(parts).mapToInt(Integer::parseInt).toArray();
      double[] q = c.predictive(x, x.length - 1);
      for (int j = 0; j < 3; j++) {
        double f = e.getValue()[j] / (double) total;
        double se = Math.sqrt(q[j] * (1 - q[j]) / total);
        assertEquals(q[j], f, 5 * se, "prefix " + e.getKey() + " next " + j);
      }
      checked++;
    }
    assertTrue(checked >= 10, "only " + checked + " prefixes had enough samples");
  }

  /** The floor, exact by enumeration, equals the Bayes predictor's mean loss on samples. */
  @Test
  void enumeratedFloorMatchesTheBayesLossOfSamples() {
    InContextBigram c = new InContextBigram(3, 0.4);
    int length = 7;
    double floor = c.lossFloor(length).getAsDouble();
    List<Example> xs = c.sample(40_000, length, 5);
    double[] perString = xs.stream().mapToDouble(e -> c.bayesLoss(List.of(e))).toArray();
    double mean = java.util.Arrays.stream(perString).average().orElseThrow();
    double var = java.util.Arrays.stream(perString).map(v -> (v - mean) * (v - mean)).sum()
        / (perString.length - 1);
    assertEquals(floor, mean, 4 * Math.sqrt(var / perString.length));
    // the Rao-Blackwellised estimate (mean predictive entropy) targets the same number
    assertTrue(floor < Math.log(3) && floor > 0, "floor " + floor);
  }

  /** Reading bigrams in context pays: the Bayes loss lies well below the in-context unigram loss. */
  @Test
  void bayesLossIsBelowTheUnigramLossAndTheUniformLoss() {
    InContextBigram c = new InContextBigram(6, 0.3);
    List<Example> xs = c.sample(500, 33, 2);
    double bayes = c.bayesLoss(xs);
    double unigram = c.unigramLoss(xs);
    assertTrue(bayes < unigram - 0.2, "bayes " + bayes + " unigram " + unigram);
    assertTrue(unigram < Math.log(6), "unigram " + unigram);
    // the sampled floor for long strings agrees with the loss on these samples
    assertEquals(c.lossFloor(33).getAsDouble(), bayes, 0.05);
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new InContextBigram(1, 1));
    assertThrows(IllegalArgumentException.class, () -> new InContextBigram(4, 0));
    assertThrows(IllegalArgumentException.class, () -> new InContextBigram(4, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new InContextBigram(4, 1).lossFloor(1));
  }

  /** ½ · Π over rows i of ∫ p^{n_i1} (1−p)^{n_i0} Beta(p; α, α) dp, by the midpoint rule. */
  private static double marginalByQuadrature(int[] x, double alpha) {
    int[][] n = new int[2][2];
    for (int t = 1; t < x.length; t++) {
      n[x[t - 1]][x[t]]++;
    }
    double p = 0.5;
    for (int i = 0; i < 2; i++) {
      p *= integrate(n[i][1], n[i][0], alpha);
    }
    return p;
  }

  /** ∫₀¹ p^a (1−p)^b · p^{α−1}(1−p)^{α−1} / B(α, α) dp, substituting p = sin²θ to tame the ends. */
  private static double integrate(int a, int b, double alpha) {
    int steps = 200_000;
    double sum = 0;
    double norm = 0;
    for (int k = 0; k < steps; k++) {
      double theta = (k + 0.5) * (Math.PI / 2) / steps;
      double s = Math.sin(theta);
      double co = Math.cos(theta);
      // dp = 2 sinθ cosθ dθ; p^{α−1}(1−p)^{α−1} dp = 2 s^{2α−1} c^{2α−1} dθ
      double w = 2 * Math.pow(s, 2 * alpha - 1) * Math.pow(co, 2 * alpha - 1);
      norm += w;
      sum += w * Math.pow(s * s, a) * Math.pow(co * co, b);
    }
    return sum / norm;
  }
}
