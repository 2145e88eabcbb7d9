package dev.ablation.study;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The reference architectures the study can train, by the key used on the command line and in CSV files. */
public enum Arch {
  /** Decoder-only language model (GPT-style, causal). */
  DECODER("decoder"),
  /** Encoder-only model (bidirectional). */
  ENCODER("encoder"),
  /** Encoder-decoder on a seq2seq task: the question's aside about cross-attention. */
  ENCODER_DECODER("encdec");

  private final String key;

  Arch(String key) {
    this.key = key;
  }

  /** The stable name: {@code decoder}, {@code encoder}, {@code encdec}. */
  public String key() {
    return key;
  }

  /** Every key, for error messages and help. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(Arch::key).toList();
  }

  /** The architecture with this key (case-insensitive), if any. */
  public static Optional<Arch> byKey(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(a -> a.key.equals(t)).findFirst();
  }

  @Override
  public String toString() {
    return key;
  }
}
