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
   * Parts of one block wiped together — its attention, its feed-forward, its layer norms, or
   * one cross-attention sublayer. Composite for the report's plots (no position): a part is
   * not a layer, and its ρ is never averaged with whole blocks'.
   *
   * @param label the {@code layer} column, e.g. {@code blocks.1.attn} or {@code blocks.1.ln}
   * @param sublayers the sublayer paths, all in one block
   */
  record Sublayers(String label, List<LayerPath> sublayers) implements WipeTarget {
    /** Validates and copies. */
    public Sublayers {
      if (label == null || label.isBlank() || sublayers == null || sublayers.isEmpty()) {
        throw new IllegalArgumentException("a sublayer target needs a label and paths, got "
            + label + " " + sublayers);
      }
      sublayers = ImmutableList.copyOf(sublayers);
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

  /** Where the replacement encoder of a {@link SwapEncoder} comes from and what retrains. */
  enum EncoderSource {
    /** Freshly initialised; the encoder, the projection and the cross-attention retrain. */
    FRESH("swap"),
    /** Trained (on the same task); the projection and the wiped cross-attention retrain. */
    TRAINED("trained"),
    /** Trained; the original cross-attention is kept and only the projection retrains. */
    STITCHED("stitched");

    private final String word;

    EncoderSource(String word) {
      this.word = word;
    }
  }

  /**
   * An encoder of width {@code width} in place of the original's, a new projection to the
   * decoder's width, and (unless stitched) wiped cross-attention; the decoder's other weights
   * stay frozen.
   *
   * @param width the new encoder's {@code d_model}
   * @param source fresh, trained, or trained and stitched
   */
  record SwapEncoder(int width, EncoderSource source) implements WipeTarget {
    /** Validates the width. */
    public SwapEncoder {
      if (width < 1) {
        throw new IllegalArgumentException("encoder width must be >= 1, got " + width);
      }
      if (source == null) {
        throw new IllegalArgumentException("the encoder's source is required");
      }
    }

    /** A fresh encoder of width {@code width}. */
    public SwapEncoder(int width) {
      this(width, EncoderSource.FRESH);
    }

    @Override
    public String label() {
      return "encoder." + source.word + "(d_model=" + width + ")";
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

  /**
   * The targets of {@code kind} in a model of shape {@code m}, block {@code i} only for the
   * per-block kinds; empty if the kind does not apply to the architecture.
   */
  static List<WipeTarget> of(WipeKind kind, ModelSpec m, int i) {
    if (!kind.appliesTo(m.arch())) {
      return List.of();
    }
    boolean encdec = m.arch() == Arch.ENCODER_DECODER;
    String stack = encdec ? "decoder.blocks" : "blocks";
    LayerPath b = LayerPath.block(stack, i);
    return switch (kind) {
      case BLOCK -> List.of(new Block(b));
      case ATTENTION -> single(b.child(encdec ? "self_attn" : "attn"));
      case MLP -> single(b.child("mlp"));
      case NORMS -> {
        List<LayerPath> norms = new ArrayList<>();
        for (int k = 1; k <= (encdec ? 3 : 2); k++) {
          norms.add(b.child("ln" + k));
        }
        yield List.of(new Sublayers(b + ".ln", norms));
      }
      case CROSS_ATTENTION -> single(b.child("cross_attn"));
      case ALL_CROSS_ATTENTION -> List.of(allCrossAttention(m.nLayers()));
      case FRESH_ENCODER -> List.of(new SwapEncoder(m.swapWidth(), EncoderSource.FRESH));
      case TRAINED_ENCODER -> List.of(new SwapEncoder(m.swapWidth(), EncoderSource.TRAINED));
      case STITCHED_ENCODER -> List.of(new SwapEncoder(m.swapWidth(), EncoderSource.STITCHED));
    };
  }

  private static List<WipeTarget> single(LayerPath p) {
    return List.of(new Sublayers(p.toString(), List.of(p)));
  }
}
