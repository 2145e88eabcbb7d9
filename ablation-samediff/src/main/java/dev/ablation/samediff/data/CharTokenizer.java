package dev.ablation.samediff.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Unicode code points as tokens, the vocabulary being the distinct code points of a text in
 * ascending order (so the same text always gives the same ids).
 */
public final class CharTokenizer implements Tokenizer {
  private final int[] codePoints;
  private final Map<Integer, Integer> ids = new HashMap<>();

  private CharTokenizer(int[] codePoints) {
    this.codePoints = codePoints;
    for (int i = 0; i < codePoints.length; i++) {
      ids.put(codePoints[i], i);
    }
  }

  /**
   * The tokenizer of {@code text}'s characters.
   *
   * @throws IllegalArgumentException if the text is empty
   */
  public static CharTokenizer fromText(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("cannot build a character vocabulary from empty text");
    }
    return new CharTokenizer(text.codePoints().distinct().sorted().toArray());
  }

  @Override
  public int vocab() {
    return codePoints.length;
  }

  @Override
  public int[] encode(String text) {
    int[] cps = text.codePoints().toArray();
    int[] out = new int[cps.length];
    for (int i = 0; i < cps.length; i++) {
      Integer id = ids.get(cps[i]);
      if (id == null) {
        throw new IllegalArgumentException("character '" + new String(Character.toChars(cps[i]))
            + "' (U+" + Integer.toHexString(cps[i]).toUpperCase(java.util.Locale.ROOT)
            + ") at position " + i + " is not in the vocabulary of " + codePoints.length
            + " characters");
      }
      out[i] = id;
    }
    return out;
  }

  @Override
  public String decode(int[] tokens) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= codePoints.length) {
        throw new IllegalArgumentException("token " + tokens[i] + " at position " + i
            + " is outside [0, " + codePoints.length + ")");
      }
      sb.appendCodePoint(codePoints[tokens[i]]);
    }
    return sb.toString();
  }

  /** The code points, by id. */
  public int[] codePoints() {
    return Arrays.copyOf(codePoints, codePoints.length);
  }
}
