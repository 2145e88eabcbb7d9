package dev.ablation.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The three transformer shapes, each with the stable key the command line, the study's CSV
 * files and its run keys use ({@code decoder}, {@code encoder}, {@code encdec}).
 *
 * <p>The one enum of model shapes: the SameDiff reference models and the study name their
 * models with these. It lives in the API because it names a kind of transformer, not a graph:
 * the study's plan and report use it without SameDiff. The key, not {@link #name()}, is what is
 * written to files; {@link #toString()} stays the constant's name because the SameDiff
 * reference models' {@code TransformerConfig.contentHash()} (the cache key of trained
 * originals) is built from it.
 */
public enum Architecture {
  /** A causal language model: one stack of blocks with causal self-attention. */
  DECODER_ONLY("decoder"),
  /** A masked language model: one stack of blocks with bidirectional self-attention. */
  ENCODER_ONLY("encoder"),
  /**
   * An encoder stack and a decoder stack (causal self-attention, cross-attention to the
   * encoder's output, FFN); the stacks may differ in depth and width. The study's
   * seq2seq tasks and the question's aside about cross-attention.
   */
  ENCODER_DECODER("encdec");

  private final String key;

  Architecture(String key) {
    this.key = key;
  }

  /** The stable name: {@code decoder}, {@code encoder}, {@code encdec}. */
  public String key() {
    return key;
  }

  /** Every key, for error messages and help. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(Architecture::key).toList();
  }

  /** The architecture with this key (case-insensitive, surrounding blanks ignored), if any. */
  public static Optional<Architecture> byKey(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(a -> a.key.equals(t)).findFirst();
  }
}
