package dev.ablation.study;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.LayerPath;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What one recovery run resets: one block (the question), or for an encoder-decoder all
 * cross-attention at once, or the whole encoder swapped for a fresh one of another width.
 * {@link #label()} is the {@code layer} column of {@code results.csv}.
 */
public sealed interface WipeTarget {

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
      return "decoder.cross_attn.all";
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
