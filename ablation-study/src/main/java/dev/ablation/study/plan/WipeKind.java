package dev.ablation.study.plan;

import dev.ablation.api.Architecture;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which kinds of wipe a study runs (the plan's {@code --wipe-kinds} axis). Block-indexed kinds
 * make one run per block ({@code --wipe} narrows them); the encoder-decoder kinds make one run
 * per model. A kind that does not apply to an architecture is skipped for it.
 */
public enum WipeKind {
  /** The question: one whole block ({@code blocks.i}, or {@code decoder.blocks.i}). */
  BLOCK("block", false, true),
  /** The self-attention sublayer of one block ({@code blocks.i.attn}, {@code decoder.blocks.i.self_attn}). */
  ATTENTION("attn", false, true),
  /** The feed-forward sublayer of one block ({@code blocks.i.mlp}). */
  MLP("mlp", false, true),
  /** The layer norms of one block only ({@code blocks.i.ln1}, {@code ln2}, …), reset to γ=1, β=0. */
  NORMS("norms", false, true),
  /** One cross-attention sublayer of the decoder ({@code decoder.blocks.i.cross_attn}). */
  CROSS_ATTENTION("cross_attn", true, true),
  /** Every cross-attention sublayer of the decoder at once: the question's aside. */
  ALL_CROSS_ATTENTION("all_cross_attn", true, false),
  /** A freshly initialised encoder of another width, a new projection, cross-attention wiped. */
  FRESH_ENCODER("fresh_encoder", true, false),
  /**
   * A <em>trained</em> encoder of another width (trained on the same task), a new projection,
   * cross-attention wiped: the projection and the cross-attention retrain, the new encoder and
   * the decoder stay frozen.
   */
  TRAINED_ENCODER("trained_encoder", true, false),
  /**
   * The same trained encoder and new projection with the original cross-attention kept: only
   * the projection trains ("stitching", Lenc &amp; Vedaldi 2015; Bansal et al. 2021).
   */
  STITCHED_ENCODER("stitched_encoder", true, false);

  private final String key;
  private final boolean encoderDecoderOnly;
  private final boolean perBlock;

  WipeKind(String key, boolean encoderDecoderOnly, boolean perBlock) {
    this.key = key;
    this.encoderDecoderOnly = encoderDecoderOnly;
    this.perBlock = perBlock;
  }

  /** The stable name used on the command line. */
  public String key() {
    return key;
  }

  /** Whether it makes one run per block (and {@code --wipe} selects the blocks). */
  public boolean perBlock() {
    return perBlock;
  }

  /** Whether models of {@code arch} have what this kind wipes. */
  public boolean appliesTo(Architecture arch) {
    return !encoderDecoderOnly || arch == Architecture.ENCODER_DECODER;
  }

  /** Every key, for error messages and help. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(WipeKind::key).toList();
  }

  /** The kind with this key (case-insensitive), if any. */
  public static Optional<WipeKind> byKey(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(a -> a.key.equals(t)).findFirst();
  }

  /** What studies ran before the kinds were an axis: blocks, and for an encoder-decoder all cross-attention and a fresh encoder. */
  public static final List<WipeKind> CLASSIC = List.of(BLOCK, ALL_CROSS_ATTENTION, FRESH_ENCODER);

  /** The aside's five arms (each against {@code T_scratch}). */
  public static final List<WipeKind> ASIDE = List.of(BLOCK, ALL_CROSS_ATTENTION, CROSS_ATTENTION,
      TRAINED_ENCODER, STITCHED_ENCODER);

  /** A block and each of its parts alone. */
  public static final List<WipeKind> SUBLAYERS = List.of(BLOCK, ATTENTION, MLP, NORMS);

  @Override
  public String toString() {
    return key;
  }
}
