package dev.ablation.study.plan;

import dev.ablation.api.Architecture;
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
      .thenComparing((a, b) -> a instanceof Sublayers x && b instanceof Sublayers y
          ? x.sublayers().get(0).compareTo(y.sublayers().get(0)) : 0)
      .thenComparingInt(t -> t instanceof SwapEncoder s ? s.source().ordinal() : 0)
      .thenComparingInt(t -> t instanceof SwapEncoder s ? s.width() : 0)
      .thenComparingInt(t -> t.layers().size());

  private static int rank(WipeTarget t) {
    return t instanceof Block ? 0 : t instanceof Sublayers ? 1
        : t instanceof AllCrossAttention ? 2 : 3;
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
      for (EncoderSource s : EncoderSource.values()) {
        if (s.word.equals(m.group(1))) {
          return new SwapEncoder(Integer.parseInt(m.group(2)), s);
        }
      }
    }
    try {
      LayerPath p = LayerPath.parse(t);
      List<String> seg = p.segments();
      String last = seg.get(seg.size() - 1);
      if (isIndex(last)) {
        return new Block(p);
      }
      LayerPath block = new LayerPath(seg.subList(0, seg.size() - 1));
      if (last.equals(NORMS)) {
        List<LayerPath> norms = new ArrayList<>();
        int count = block.stack().orElse("").equals("decoder.blocks") ? 3 : 2;
        for (int k = 1; k <= count; k++) {
          norms.add(block.child("ln" + k));
        }
        return new Sublayers(t, norms);
      }
      if (block.blockIndex().isPresent()) {
        return new Sublayers(t, List.of(p));
      }
      throw new IllegalArgumentException("'" + t + "' is neither a block nor a sublayer of one");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "unknown wipe target '%s';"
          + " valid: a block path (blocks.3, decoder.blocks.1), a sublayer of one "
          + "(blocks.3.attn, blocks.3.mlp, blocks.3.ln, decoder.blocks.1.cross_attn), %s, "
          + "encoder.swap|trained|stitched(d_model=D)", label, ALL_CROSS_ATTENTION), e);
    }
  }

  /** The last segment of the label of a block's layer norms wiped together. */
  String NORMS = "ln";

  /** Whether a path segment is a block index. */
  private static boolean isIndex(String segment) {
    return segment.matches("0|[1-9][0-9]{0,8}");
  }

  /** The label of {@link AllCrossAttention}. */
  String ALL_CROSS_ATTENTION = "decoder.cross_attn.all";

  /** The label of {@link SwapEncoder}. */
  Pattern SWAP = Pattern.compile("encoder\\.(swap|trained|stitched)\\(d_model=(\\d{1,9})\\)");

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
    boolean encdec = m.arch() == Architecture.ENCODER_DECODER;
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
        yield List.of(new Sublayers(b + "." + NORMS, norms));
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
