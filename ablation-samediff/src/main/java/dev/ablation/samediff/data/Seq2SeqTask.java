package dev.ablation.samediff.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Deterministic sequence-to-sequence tasks over {@code symbols} symbols, tokens
 * {@code 1..symbols} (token 0 is the encoder-decoder's reserved start/padding token). The
 * target is a function of the source, so the loss floor is 0.
 *
 * <ul>
 *   <li>{@link Kind#COPY}: y = x;
 *   <li>{@link Kind#REVERSE}: y = x reversed;
 *   <li>{@link Kind#SORT}: y = x sorted ascending;
 *   <li>{@link Kind#TRANSLATE}: a word-for-word "translation" into a second vocabulary
 *       ({@code symbols+1..2·symbols}) by a permutation drawn from the seed, with adjacent
 *       pairs swapped (so order matters, as between languages).
 * </ul>
 *
 * <p>Sources are uniform by default, so the target side has no structure of its own: a decoder
 * cut off from the encoder can do no better than chance. {@link #translating(Corpus, long)}
 * draws sources from a language instead (e.g. a Markov chain), so the target inherits its
 * structure, which a decoder alone could predict in part (a trained one does not learn to while
 * the source is always there; {@link LooseTranslation} makes it).
 */
public final class Seq2SeqTask implements Corpus {

  /** The task. */
  public enum Kind {
    /** y = x. */
    COPY,
    /** y = reverse(x). */
    REVERSE,
    /** y = sort(x). */
    SORT,
    /** y = swap-adjacent-pairs(π(x)) in a second vocabulary. */
    TRANSLATE
  }

  private final Kind kind;
  private final int symbols;
  private final int[] dictionary;
  /** Where sources come from (tokens 0..symbols−1, shifted to 1..symbols); null: uniform. */
  private final Corpus sourceLanguage;

  /**
   * @param kind the task
   * @param symbols source symbols, ≥ 2
   * @param seed the translation's dictionary (unused by the other tasks)
   */
  public Seq2SeqTask(Kind kind, int symbols, long seed) {
    this(kind, symbols, seed, null);
  }

  /**
   * {@link Kind#TRANSLATE} of sources drawn from {@code sourceLanguage} (its tokens
   * {@code 0..V−1} become source symbols {@code 1..V}).
   *
   * @param seed the dictionary's seed
   */
  public static Seq2SeqTask translating(Corpus sourceLanguage, long seed) {
    if (sourceLanguage == null) {
      throw new IllegalArgumentException("a source language is required");
    }
    return new Seq2SeqTask(Kind.TRANSLATE, sourceLanguage.vocab(), seed, sourceLanguage);
  }

  private Seq2SeqTask(Kind kind, int symbols, long seed, Corpus sourceLanguage) {
    this.sourceLanguage = sourceLanguage;
    if (kind == null) {
      throw new IllegalArgumentException("kind is required: " + Arrays.toString(Kind.values()));
    }
    if (symbols < 2) {
      throw new IllegalArgumentException("symbols must be >= 2, got " + symbols);
    }
    this.kind = kind;
    this.symbols = symbols;
    dictionary = dictionary(symbols, seed);
  }

  /**
   * The translation's dictionary: {@code d[s]} for source symbol {@code s ∈ 1..symbols} is a
   * target token in {@code symbols+1..2·symbols}, a permutation drawn from {@code seed} by
   * Fisher–Yates ({@code d[0]} is unused). Shared with {@link LooseTranslation}, so both tasks
   * translate alike from the same seed.
   */
  static int[] dictionary(int symbols, long seed) {
    int[] dictionary = new int[symbols + 1];
    int[] perm = new int[symbols];
    for (int i = 0; i < symbols; i++) {
      perm[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = symbols - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    for (int i = 0; i < symbols; i++) {
      dictionary[i + 1] = symbols + 1 + perm[i];
    }
    return dictionary;
  }

  /** The task. */
  public Kind kind() {
    return kind;
  }

  @Override
  public int vocab() {
    return kind == Kind.TRANSLATE ? 2 * symbols + 1 : symbols + 1;
  }

  @Override
  public Example sample(int length, SplittableRandom random) {
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
    int[] x;
    if (sourceLanguage != null) {
      x = sourceLanguage.sample(length, random).tokens();
      for (int i = 0; i < length; i++) {
        x[i]++;
      }
    } else {
      x = new int[length];
      for (int i = 0; i < length; i++) {
        x[i] = 1 + random.nextInt(symbols);
      }
    }
    return Example.pair(x, target(x));
  }

  /** The target of {@code source}. */
  public int[] target(int[] source) {
    int[] y = source.clone();
    switch (kind) {
      case COPY -> { }
      case REVERSE -> {
        for (int i = 0; i < y.length; i++) {
          y[i] = source[y.length - 1 - i];
        }
      }
      case SORT -> Arrays.sort(y);
      case TRANSLATE -> {
        for (int i = 0; i < y.length; i++) {
          y[i] = dictionary[source[i]];
        }
        for (int i = 0; i + 1 < y.length; i += 2) {
          int tmp = y[i];
          y[i] = y[i + 1];
          y[i + 1] = tmp;
        }
      }
      default -> throw new AssertionError(kind);
    }
    return y;
  }

  /** 0: the target is determined by the source. */
  @Override
  public OptionalDouble lossFloor(int length) {
    return OptionalDouble.of(0);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Seq2Seq(%s, symbols=%d%s)", kind, symbols,
        sourceLanguage == null ? "" : ", source=" + sourceLanguage);
  }
}
