package dev.ablation.study;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.LayerPath;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one recovery run resets: one block (the question), or for an encoder-decoder all
 * cross-attention at once, or the whole encoder swapped for a fresh one of another width.
 * {@link #label()} is the {@code layer} column of {@code results.csv}, and
 * {@link #parse(String, int)} reads it back. Serialisable, so a cluster driver can ship run
 * keys and requests to its workers.
 */
public sealed interface WipeTarget extends Serializable {

  /**
   * The order of the {@code layer} column: single blocks first, by {@link LayerPath}'s order
   * ({@code blocks.2} before {@code blocks.10}), then all cross-attention, then encoder swaps
   * by width.
   */
  Comparator<WipeTarget> ORDER = Comparator.comparingInt(WipeTarget::rank)
      .thenComparing((a, b) -> a instanceof Block x && b instanceof Block y
          ? x.path().compareTo(y.path()) : 0)
      .thenComparingInt(t -> t instanceof SwapEncoder s ? s.width() : 0)
      .thenComparingInt(t -> t.layers().size());

  private static int rank(WipeTarget t) {
    return t instanceof Block ? 0 : t instanceof AllCrossAttention ? 1 : 2;
  }

  /** The {@code layer} column: a layer path, or a descriptive name for composite targets. */
  String label();

  /** The block index this target is plotted at ({@code L}), empty for composite targets. */
  OptionalInt position();

  /** The layers reset by this target (for a swap: the encoder blocks being replaced is up to the engine). */
  List<LayerPath> layers();

  /**
   * One block, e.g. {@code blocks.3} or {@code decoder.blocks.1}.
   *
   * @param path the block
   */
  record Block(LayerPath path) implements WipeTarget {
    /** Validates that the path has a block index. */
    public Block {
      if (path == null || path.blockIndex().isEmpty()) {
        throw new IllegalArgumentException("a block target needs a path with an index, got "
            + path);
      }
    }

    @Override
    public String label() {
      return path.toString();
    }

    @Override
    public OptionalInt position() {
      return path.blockIndex();
    }

    @Override
    public List<LayerPath> layers() {
      return List.of(path);
    }
  }

  /**
   * Every cross-attention sublayer of the decoder, wiped together (the question's aside).
   *
   * @param sublayers {@code decoder.blocks.i.cross_attn} for every i
   */
  record AllCrossAttention(List<LayerPath> sublayers) implements WipeTarget {
    /** Copies the list. */
    public AllCrossAttention {
      if (sublayers == null || sublayers.isEmpty()) {
        throw new IllegalArgumentException("all-cross-attention needs at least one sublayer");
      }
      sublayers = ImmutableList.copyOf(sublayers);
    }

    @Override
    public String label() {
      return ALL_CROSS_ATTENTION;
    }

    @Override
    public OptionalInt position() {
      return OptionalInt.empty();
    }

    @Override
    public List<LayerPath> layers() {
      return sublayers;
    }
  }

  /**
   * A freshly initialised encoder of width {@code width}, a new projection to the decoder's
   * width, and wiped cross-attention; the decoder's other weights stay frozen.
   *
   * @param width the new encoder's {@code d_model}
   */
  record SwapEncoder(int width) implements WipeTarget {
    /** Validates the width. */
    public SwapEncoder {
      if (width < 1) {
        throw new IllegalArgumentException("encoder width must be >= 1, got " + width);
      }
    }

    @Override
    public String label() {
      return "encoder.swap(d_model=" + width + ")";
    }

    @Override
    public OptionalInt position() {
      return OptionalInt.empty();
    }

    @Override
    public List<LayerPath> layers() {
      return List.of(LayerPath.parse("encoder"));
    }
  }

  /**
   * Reads a {@link #label()} back: a block path ({@code blocks.3}, {@code decoder.blocks.1}),
   * {@code decoder.cross_attn.all} or {@code encoder.swap(d_model=16)}.
   *
   * @param nLayers blocks per stack of the model, which all-cross-attention spans
   * @throws IllegalArgumentException naming the label and the forms accepted
   */
  static WipeTarget parse(String label, int nLayers) {
    String t = label == null ? "" : label.strip();
    if (t.equals(ALL_CROSS_ATTENTION)) {
      return allCrossAttention(nLayers);
    }
    Matcher m = SWAP.matcher(t);
    if (m.matches()) {
      return swapEncoder(Integer.parseInt(m.group(1)));
    }
    try {
      return new Block(LayerPath.parse(t));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "unknown wipe target '%s';"
          + " valid: a block path (blocks.3, decoder.blocks.1), %s, encoder.swap(d_model=D)",
          label, ALL_CROSS_ATTENTION), e);
    }
  }

  /** The label of {@link AllCrossAttention}. */
  String ALL_CROSS_ATTENTION = "decoder.cross_attn.all";

  /** The label of {@link SwapEncoder}. */
  Pattern SWAP = Pattern.compile("encoder\\.swap\\(d_model=(\\d{1,9})\\)");

  /** Block {@code index} of {@code stack}. */
  static WipeTarget block(String stack, int index) {
    return new Block(LayerPath.block(stack, index));
  }

  /** All cross-attention of an {@code nLayers}-block decoder. */
  static WipeTarget allCrossAttention(int nLayers) {
    List<LayerPath> subs = new ArrayList<>();
    for (int i = 0; i < nLayers; i++) {
      subs.add(LayerPath.block("decoder.blocks", i).child("cross_attn"));
    }
    return new AllCrossAttention(subs);
  }

  /** A fresh encoder of width {@code width}. */
  static WipeTarget swapEncoder(int width) {
    return new SwapEncoder(width);
  }
}
