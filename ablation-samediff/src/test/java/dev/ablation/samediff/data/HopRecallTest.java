package dev.ablation.samediff.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Multi-hop recall: the strings have the promised structure and the floor is the true entropy. */
class HopRecallTest {

  /**
   * Brute force: draw many strings of a tiny task, and compare the floor with the empirical
   * entropy of x_1..x_{L−1} given x_0 — every outcome of the process is equally likely, so
   * that entropy is ln(#outcomes) − ln V, and the sampler must hit every outcome.
   */
  @Test
  void floorIsTheEntropyOfTheProcessGivenTheFirstToken() {
    HopRecall task = new HopRecall(3, 2);
    int length = 10; // definitions (6) and two queries
    Set<String> seen = new HashSet<>();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 40_000; i++) {
      seen.add(Arrays.toString(task.sample(length, r).tokens()));
    }
    // keys order 3!, permutation 3!, two queries 3^2: all distinct strings
    assertEquals(6 * 6 * 9, seen.size());
    double entropy = Math.log(seen.size()) - Math.log(3);
    assertEquals(entropy / (length - 1), task.lossFloor(length).getAsDouble(), 1e-12);
  }

  @Test
  void definitionsArePermutationsAndAnswersComposeThem() {
    HopRecall task = new HopRecall(8, 3);
    SplittableRandom r = new SplittableRandom(5);
    for (int n = 0; n < 200; n++) {
      int[] t = task.sample(31, r).tokens();
      Set<Integer> keys = new HashSet<>();
      Set<Integer> values = new HashSet<>();
      Map<Integer, Integer> pi = new HashMap<>();
      for (int i = 0; i < 8; i++) {
        keys.add(t[2 * i]);
        values.add(t[2 * i + 1]);
        pi.put(t[2 * i], t[2 * i + 1]);
      }
      assertEquals(8, keys.size());
      assertEquals(8, values.size());
      for (int p = 16; p + 1 < t.length; p += 2) {
        assertEquals(pi.get(pi.get(pi.get(t[p]))), t[p + 1]);
        assertEquals(task.answer(t, t[p]), t[p + 1]);
      }
    }
  }

  @Test
  void floorCountsOnlyTheUnpredictablePositions() {
    HopRecall task = new HopRecall(8, 2);
    double floor = task.lossFloor(49).getAsDouble();
    assertTrue(floor > 0 && floor < Math.log(8), "floor " + floor);
    List<Example> xs = task.sample(10, 49, 1);
    assertEquals(10, xs.size());
    assertThrows(IllegalArgumentException.class, () -> task.lossFloor(17));
    assertThrows(IllegalArgumentException.class, () -> new HopRecall(1, 1));
    assertThrows(IllegalArgumentException.class, () -> new HopRecall(4, 0));
  }
}
