package dev.ablation.samediff.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CorporaTest {

  /**
   * The floor must equal the average negative log-likelihood of samples under the true
   * process (the Bayes-optimal predictor), up to sampling error.
   */
  @Test
  void markovFloorMatchesTheEmpiricalLossOfTheTrueModel() {
    MarkovChain chain = new MarkovChain(5, 2, 1.5, 3);
    int length = 12;
    List<Example> xs = chain.sample(20_000, length, 9);
    double[] perString = new double[xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      int[] t = xs.get(i).tokens();
      double nll = 0;
      for (int p = 1; p < length; p++) {
        nll -= p < chain.order() ? Math.log(1.0 / chain.vocab())
            : Math.log(chain.probability(java.util.Arrays.copyOf(t, p), t[p]));
      }
      perString[i] = nll / (length - 1);
    }
    assertWithinSamplingError(chain.lossFloor(length).getAsDouble(), perString);
    double rate = chain.entropyRate();
    assertTrue(rate > 0 && rate < Math.log(5), "rate " + rate);
    assertEquals(rate, chain.lossFloor(5_000).getAsDouble(), 2e-3);
    // the first k positions honestly cost ln V: short strings have a higher floor
    assertTrue(chain.lossFloor(3).getAsDouble() > chain.lossFloor(50).getAsDouble());
  }

  @Test
  void dyckFloorMatchesTheEmpiricalLossOfTheTrueProcessAndStringsNest() {
    DyckLanguage dyck = new DyckLanguage(3, 4, 0.55);
    int length = 16;
    List<Example> xs = dyck.sample(20_000, length, 4);
    double[] perString = new double[xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      int[] t = xs.get(i).tokens();
      java.util.ArrayDeque<Integer> stack = new java.util.ArrayDeque<>();
      double nll = 0;
      for (int p = 0; p < length; p++) {
        int d = stack.size();
        double prob;
        if (t[p] < 3) {
          prob = d == 0 ? 1.0 / 3 : d == 4 ? 0 : 0.55 / 3;
          stack.push(t[p]);
        } else {
          assertEquals(stack.pop() + 3, t[p], "close must match the innermost open");
          prob = d == 4 ? 1 : 0.45;
        }
        if (p > 0) {
          nll -= Math.log(prob);
        }
      }
      perString[i] = nll / (length - 1);
    }
    assertWithinSamplingError(dyck.lossFloor(length).getAsDouble(), perString);
  }

  private static void assertWithinSamplingError(double expected, double[] samples) {
    double mean = 0;
    for (double s : samples) {
      mean += s;
    }
    mean /= samples.length;
    double var = 0;
    for (double s : samples) {
      var += (s - mean) * (s - mean);
    }
    double se = Math.sqrt(var / (samples.length - 1) / samples.length);
    assertTrue(Math.abs(mean - expected) < 4 * se + 1e-12,
        "empirical " + mean + " ± " + se + " vs floor " + expected);
  }

  @Test
  void seq2seqTargetsAreTheirFunctions() {
    int[] x = {3, 1, 2, 2};
    assertArrayEquals(x, new Seq2SeqTask(Seq2SeqTask.Kind.COPY, 4, 1).target(x));
    assertArrayEquals(new int[] {2, 2, 1, 3},
        new Seq2SeqTask(Seq2SeqTask.Kind.REVERSE, 4, 1).target(x));
    assertArrayEquals(new int[] {1, 2, 2, 3},
        new Seq2SeqTask(Seq2SeqTask.Kind.SORT, 4, 1).target(x));
    Seq2SeqTask tr = new Seq2SeqTask(Seq2SeqTask.Kind.TRANSLATE, 4, 1);
    int[] y = tr.target(x);
    assertEquals(9, tr.vocab());
    assertEquals(y[2], y[3]); // the two 2s translate alike (pairs swapped)
    for (int v : y) {
      assertTrue(v >= 5 && v <= 8, "target token " + v);
    }
    Set<Integer> image = new HashSet<>();
    for (int s = 1; s <= 4; s++) {
      image.add(tr.target(new int[] {s})[0]);
    }
    assertEquals(4, image.size(), "the dictionary is a bijection");
    Example e = tr.sample(6, new java.util.SplittableRandom(1));
    assertArrayEquals(tr.target(e.tokens()), e.target());
    assertEquals(0.0, tr.lossFloor(6).getAsDouble());
  }

  @Test
  void splitsAreDeterministicAndNeverLeak() {
    MarkovChain tiny = new MarkovChain(2, 1, 0, 1);
    Split s = tiny.split(200, 100, 7, 7); // 128 possible strings: many duplicates
    assertTrue(s.droppedDuplicates() > 0);
    Set<Example> train = new HashSet<>(s.train());
    s.validation().forEach(v -> assertTrue(!train.contains(v)));
    assertEquals(s, tiny.split(200, 100, 7, 7));
    assertNotEquals(s.train(), tiny.split(200, 100, 7, 8).train());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Split(List.of(Example.of(1)), List.of(Example.of(1)), 0));
    assertTrue(e.getMessage().contains("also in the training set"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Split(List.of(), List.of(), 0));
    e = assertThrows(IllegalArgumentException.class, () -> new MarkovChain(2, 1, 0, 1)
        .split(100, 10, 1, 1));
    assertTrue(e.getMessage().contains("validation set is empty"), e.getMessage());
  }

  @Test
  void textCorpusSplitsByPositionWithCharAndByteTokenizers() {
    String text = "the quick brown fox jumps over the lazy dog; pack my box with five dozen "
        + "liquor jugs; how vexingly quick daft zebras jump! sphinx of black quartz, judge "
        + "my vow: élan";
    CharTokenizer chars = CharTokenizer.fromText(text);
    assertEquals(text, chars.decode(chars.encode(text)));
    Split s = TextCorpus.split(text, chars, 9, 0.2);
    assertTrue(s.train().size() >= 10 && !s.validation().isEmpty());
    // the validation windows are the text's tail
    Example last = s.validation().get(s.validation().size() - 1);
    assertTrue(text.contains(chars.decode(last.tokens())));
    ByteTokenizer bytes = new ByteTokenizer();
    assertEquals(text, bytes.decode(bytes.encode(text)));
    assertEquals(text.length() + 1, bytes.encode(text).length); // é is two bytes
    assertThrows(IllegalArgumentException.class, () -> TextCorpus.split("", bytes, 4, 0.1));
    // a text that repeats itself: validation windows seen in training are dropped
    Split repeated = TextCorpus.split("abcd".repeat(10) + "wxyz", bytes, 4, 0.2);
    assertEquals(List.of(Example.of(bytes.encode("wxyz"))), repeated.validation());
    assertEquals(2, repeated.droppedDuplicates()); // 11 windows, the last 3 validate
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextCorpus.split("abc", bytes, 4, 0.1));
    assertTrue(e.getMessage().contains("need at least 8 tokens"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> chars.encode("a~"));
    assertTrue(e.getMessage().contains("'~' (U+7E) at position 1"), e.getMessage());
  }
}
