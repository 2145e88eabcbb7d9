package dev.ablation.samediff.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The user's own text as language-model examples: the token stream is cut into
 * non-overlapping windows of {@code window} tokens; the first windows train, the last
 * {@code validationFraction} of them validate. The split is by position in the text, never
 * shuffled across it, so no validation token is ever a training token (repeated passages in
 * the text itself are the text's business).
 */
public final class TextCorpus {
  private TextCorpus() {}

  /**
   * Reads a UTF-8 file and splits it.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException see {@link #split(String, Tokenizer, int, double)}
   */
  public static Split split(Path file, Tokenizer tokenizer, int window,
      double validationFraction) throws IOException {
    return split(Files.readString(file, StandardCharsets.UTF_8), tokenizer, window,
        validationFraction);
  }

  /**
   * Splits {@code text}.
   *
   * @param window tokens per example (a causal LM with context c takes c + 1)
   * @param validationFraction in (0, 1)
   * @throws IllegalArgumentException for empty text, a bad window or fraction, or text too
   *     short for at least one training and one validation window
   */
  public static Split split(String text, Tokenizer tokenizer, int window,
      double validationFraction) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("the text is empty");
    }
    if (window < 2) {
      throw new IllegalArgumentException("window must be >= 2 tokens, got " + window);
    }
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in (0, 1), got "
          + validationFraction);
    }
    int[] ids = tokenizer.encode(text);
    int windows = ids.length / window;
    int validation = (int) Math.ceil(windows * validationFraction);
    if (windows < 2 || validation >= windows) {
      throw new IllegalArgumentException("the text has " + ids.length + " tokens: " + windows
          + " windows of " + window + ", too few for a training and a validation part; "
          + "need at least " + 2 * window + " tokens");
    }
    List<Example> train = new ArrayList<>();
    List<Example> val = new ArrayList<>();
    for (int w = 0; w < windows; w++) {
      int[] t = java.util.Arrays.copyOfRange(ids, w * window, (w + 1) * window);
      (w < windows - validation ? train : val).add(Example.of(t));
    }
    return Split.disjoint(train, val);
  }
}
