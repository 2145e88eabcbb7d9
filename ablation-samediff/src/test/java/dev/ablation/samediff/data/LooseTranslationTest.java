package dev.ablation.samediff.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The loose translation's Bayes predictor and floors, checked against the sampler: the
 * predictive against the sampler's conditional frequencies (given the source and the target
 * prefix, and given the prefix alone), the exact floors against the mean loss of sampled pairs,
 * and the two ends of q against what they must be (q = 0: a plain translation; q = 1: the
 * target-side Markov chain alone, whose floor {@link MarkovChain} computes independently).
 */
class LooseTranslationTest {

  /**
   * Every (source, target prefix) context seen often enough: the frequency of each next target
   * token matches the predictive within 5 standard errors — the translated token
   * {@code dict[x_t]} (mass 1 − q plus the prior's share) and every other one (the prior's
   * share alone, or 0 outside the target tokens), at t = 0 (uniform prior) and t ≥ 1 (chain).
   */
  @Test
  void samplerFrequenciesMatchThePredictive() {
    LooseTranslation c = new LooseTranslation(3, 0.5, 3, 7);
    int length = 3;
    int n = 400_000;
    Map<String, int[]> counts = new HashMap<>();
    Map<String, int[]> priorCounts = new HashMap<>();
    Map<String, Example> witness = new HashMap<>();
    Map<String, Integer> position = new HashMap<>();
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < n; i++) {
      Example e = c.sample(length, r);
      int[] x = e.tokens();
      int[] y = e.target();
      for (int t = 0; t < length; t++) {
        String prefix = t + ":" + Arrays.toString(Arrays.copyOf(y, t));
        String key = Arrays.toString(x) + "|" + prefix;
        counts.computeIfAbsent(key, k -> new int[c.vocab()])[y[t]]++;
        priorCounts.computeIfAbsent(prefix, k -> new int[c.vocab()])[y[t]]++;
        witness.putIfAbsent(key, e);
        witness.putIfAbsent(prefix, e);
        position.putIfAbsent(key, t);
        position.putIfAbsent(prefix, t);
      }
    }
    int[] checked = new int[4]; // translated at t = 0, translated at t >= 1, prior ditto
    for (Map.Entry<String, int[]> en : counts.entrySet()) {
      int total = Arrays.stream(en.getValue()).sum();
      if (total < 1_000) {
        continue;
      }
      Example e = witness.get(en.getKey());
      int t = position.get(en.getKey());
      double[] p = c.predictive(e.tokens(), e.target(), t);
      int translated = c.translation(e.tokens()[t]);
      assertWithin5Se(p, en.getValue(), total, en.getKey());
      for (int j = c.symbols() + 1; j < c.vocab(); j++) {
        checked[(j == translated ? 0 : 2) + (t == 0 ? 0 : 1)]++;
      }
    }
    assertTrue(Arrays.stream(checked).allMatch(k -> k >= 10), Arrays.toString(checked));
    int priorChecked = 0;
    for (Map.Entry<String, int[]> en : priorCounts.entrySet()) {
      int total = Arrays.stream(en.getValue()).sum();
      if (total < 1_000) {
        continue;
      }
      Example e = witness.get(en.getKey());
      double[] p = c.priorPredictive(e.target(), position.get(en.getKey()));
      assertWithin5Se(p, en.getValue(), total, "prior-only " + en.getKey());
      priorChecked++;
    }
    assertTrue(priorChecked >= 8, "only " + priorChecked + " target prefixes checked");
  }

  /**
   * The exact floors equal the mean loss of many sampled pairs (within 4 standard errors), and
   * order as they must: reading the source beats the best source-blind decoder, which beats
   * knowing only which tokens are target tokens (ln S), which beats uniform guessing (ln V).
   */
  @Test
  void floorsMatchTheLossOfSampledPairsAndOrder() {
    LooseTranslation c = new LooseTranslation(4, 0.5, 3, 5);
    int length = 6;
    List<Example> xs = c.sample(40_000, length, 9);
    double floor = c.lossFloor(length).getAsDouble();
    double priorOnly = c.priorOnlyFloor(length);
    assertWithinSamplingError(floor,
        xs.stream().mapToDouble(e -> c.bayesLoss(List.of(e))).toArray());
    assertWithinSamplingError(priorOnly,
        xs.stream().mapToDouble(e -> c.priorOnlyLoss(List.of(e))).toArray());
    // the mean over a list is the mean over its tokens: equal lengths, so the mean of means
    double perString = xs.stream().mapToDouble(e -> c.bayesLoss(List.of(e))).average()
        .orElseThrow();
    assertEquals(perString, c.bayesLoss(xs), 1e-9);
    assertTrue(0 < floor && floor < priorOnly, "floor " + floor + " prior-only " + priorOnly);
    assertTrue(priorOnly < Math.log(4), "prior-only " + priorOnly);
    assertTrue(Math.log(4) < Math.log(c.vocab()));
  }

  /**
   * q = 0 is a plain word-for-word translation: floor 0 at every length, and a source-blind
   * decoder can only spread over the S target tokens (ln S). q = 1 ignores the source: both
   * floors are the chain's own — position 0 costs ln S, later ones the chain's conditional
   * entropy, which is {@link MarkovChain#lossFloor} of an order-1 chain of the same seed — and
   * long strings approach its entropy rate.
   */
  @Test
  void theEndsOfQAreATranslationAndTheChainAlone() {
    int s = 5;
    long seed = 3;
    LooseTranslation strict = new LooseTranslation(s, 0, 3, seed);
    for (int length : new int[] {1, 2, 12, 100}) {
      assertEquals(0.0, strict.lossFloor(length).getAsDouble(), 1e-12, "length " + length);
      assertEquals(Math.log(s), strict.priorOnlyFloor(length), 1e-12, "length " + length);
    }
    Example e = strict.sample(20, new SplittableRandom(1));
    for (int t = 0; t < 20; t++) {
      assertEquals(strict.translation(e.tokens()[t]), e.target()[t]);
    }
    assertEquals(0.0, strict.bayesLoss(List.of(e)), 1e-12);

    LooseTranslation free = new LooseTranslation(s, 1, 3, seed);
    MarkovChain chain = new MarkovChain(s, 1, 3, seed);
    assertEquals(Math.log(s), free.lossFloor(1).getAsDouble(), 1e-12);
    for (int length : new int[] {2, 12, 100}) {
      double expected = (Math.log(s) + (length - 1) * chain.lossFloor(length).getAsDouble())
          / length;
      assertEquals(expected, free.lossFloor(length).getAsDouble(), 1e-12, "length " + length);
      assertEquals(expected, free.priorOnlyFloor(length), 1e-12, "length " + length);
    }
    assertEquals(chain.entropyRate(), free.lossFloor(5_000).getAsDouble(), 2e-3);
  }

  @Test
  void isDeterministicFromTheSeedAndTranslatesLikeSeq2SeqTask() {
    LooseTranslation a = new LooseTranslation(6, 0.5, 3, 42);
    assertEquals(13, a.vocab());
    assertEquals(a.sample(50, 12, 1), new LooseTranslation(6, 0.5, 3, 42).sample(50, 12, 1));
    assertNotEquals(a.sample(50, 12, 1), a.sample(50, 12, 2));
    assertNotEquals(a.sample(50, 12, 1), new LooseTranslation(6, 0.5, 3, 43).sample(50, 12, 1));
    assertEquals(a.split(100, 20, 12, 4), new LooseTranslation(6, 0.5, 3, 42)
        .split(100, 20, 12, 4));
    Seq2SeqTask strict = new Seq2SeqTask(Seq2SeqTask.Kind.TRANSLATE, 6, 42);
    Set<Integer> image = new HashSet<>();
    for (int s = 1; s <= 6; s++) {
      assertEquals(strict.target(new int[] {s})[0], a.translation(s)); // one token: no swap
      image.add(a.translation(s));
    }
    assertEquals(6, image.size(), "the dictionary is a bijection");
    for (Example e : a.sample(200, 12, 3)) {
      assertEquals(12, e.targetLength());
      assertTrue(Arrays.stream(e.tokens()).allMatch(x -> x >= 1 && x <= 6), e.toString());
      assertTrue(Arrays.stream(e.target()).allMatch(y -> y >= 7 && y <= 12), e.toString());
    }
    assertEquals("LooseTranslation(symbols=6, q=0.5, sharpness=3.0, seed=42)", a.toString());
  }

  @Test
  void rejectsBadArgumentsNamingTheValue() {
    assertMessage("q must be in [0, 1], got -0.1", () -> new LooseTranslation(4, -0.1, 3, 1));
    assertMessage("q must be in [0, 1], got 1.5", () -> new LooseTranslation(4, 1.5, 3, 1));
    assertMessage("q must be in [0, 1], got NaN",
        () -> new LooseTranslation(4, Double.NaN, 3, 1));
    assertMessage("symbols must be >= 2, got 1", () -> new LooseTranslation(1, 0.5, 3, 1));
    assertMessage("sharpness must be finite and >= 0, got -1.0",
        () -> new LooseTranslation(4, 0.5, -1, 1));
    LooseTranslation c = new LooseTranslation(4, 0.5, 3, 1);
    assertMessage("length must be >= 1, got 0", () -> c.lossFloor(0));
    assertMessage("length must be >= 1, got -3", () -> c.priorOnlyFloor(-3));
    assertMessage("length must be >= 1, got 0", () -> c.sample(0, new SplittableRandom(1)));
    assertMessage("t must be in [0, 2), got 2",
        () -> c.predictive(new int[] {1, 2}, new int[] {5, 6}, 2));
    assertMessage("source token 0 at position 0 is not a source symbol; valid: [1, 4]",
        () -> c.predictive(new int[] {0, 2}, new int[] {5, 6}, 0));
    assertMessage("target token 2 at position 0 is not a target token; valid: [5, 8]",
        () -> c.priorPredictive(new int[] {2, 6}, 1));
    assertMessage("source symbol must be in [1, 4], got 5", () -> c.translation(5));
    assertMessage("single sequence", () -> c.bayesLoss(List.of(Example.of(1, 2))));
  }

  private static void assertMessage(String part, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  private static void assertWithin5Se(double[] p, int[] counts, int total, String context) {
    double sum = 0;
    for (int j = 0; j < p.length; j++) {
      sum += p[j];
      double f = counts[j] / (double) total;
      double se = Math.sqrt(p[j] * (1 - p[j]) / total);
      // 5 standard errors; a token the chain almost never emits (expected count far below 1)
      // is Poisson, not normal, so a few counts of slack (0 where p is exactly 0)
      double slack = p[j] == 0 ? 1e-12 : 5.0 / total;
      assertEquals(p[j], f, 5 * se + slack, context + " next " + j);
    }
    assertEquals(1.0, sum, 1e-12, context);
  }

  private static void assertWithinSamplingError(double expected, double[] samples) {
    double mean = Arrays.stream(samples).average().orElseThrow();
    double var = Arrays.stream(samples).map(v -> (v - mean) * (v - mean)).sum()
        / (samples.length - 1);
    double se = Math.sqrt(var / samples.length);
    assertTrue(Math.abs(mean - expected) < 4 * se + 1e-12,
        "empirical " + mean + " ± " + se + " vs exact " + expected);
  }
}
