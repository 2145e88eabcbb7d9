package dev.ablation.samediff.data;

/** Text to token ids and back. */
public interface Tokenizer {

  /** The vocabulary size: ids lie in {@code [0, vocab)}. */
  int vocab();

  /**
   * The ids of {@code text}.
   *
   * @throws IllegalArgumentException if the text holds something outside the vocabulary
   */
  int[] encode(String text);

  /** The text of {@code ids}. */
  String decode(int[] ids);
}
