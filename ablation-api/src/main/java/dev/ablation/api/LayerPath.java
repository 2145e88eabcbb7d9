package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The address of one layer of a model, written the way PyTorch and TransformerLens users
 * write module names: {@code blocks.3}, {@code encoder.blocks.1},
 * {@code decoder.blocks.0.cross_attn}, {@code embed}, {@code unembed}.
 *
 * <p>A path is a list of segments; each is a name ({@code [A-Za-z_][A-Za-z0-9_]*}) or an index
 * ({@code 0} or a number without leading zeros), and the first is a name. {@link #toString()}
 * parses back to an equal path, so paths can travel through CSV files and command lines.
 *
 * <p>Paths are ordered the way a model reads: segment by segment, index segments as numbers
 * ({@code blocks.2} before {@code blocks.10}), an index before a name at the same position,
 * a path before the paths below it. Tables, result files and run keys sort by this order; it
 * is consistent with {@link #equals}.
 *
 * @param segments the segments, at least one
 */
public record LayerPath(List<String> segments) implements Comparable<LayerPath>, Serializable {
  private static final long serialVersionUID = 1L;


  /** Validates and copies the segments. */
  public LayerPath {
    segments = PathSyntax.validate("layer path", String.join(".", nullSafe(segments)), segments);
  }

  /**
   * Parses a dotted path such as {@code decoder.blocks.0.cross_attn}.
   *
   * @throws IllegalArgumentException naming the bad segment and the reason
   */
  public static LayerPath parse(String text) {
    return new LayerPath(PathSyntax.parse("layer path", text));
  }

  /** The path of block {@code index} of the stack {@code stack}, e.g. {@code blocks.3}. */
  public static LayerPath block(String stack, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("block index must be >= 0, got " + index);
    }
    return parse(stack + "." + index);
  }

  /** The path of block {@code index} of a single-stack model: {@code blocks.<index>}. */
  public static LayerPath block(int index) {
    return block("blocks", index);
  }

  /** This path with one more segment, e.g. {@code blocks.0} → {@code blocks.0.cross_attn}. */
  public LayerPath child(String segment) {
    return new LayerPath(
        ImmutableList.<String>builder().addAll(segments).add(segment).build());
  }

  /** The parameter {@code name} directly or indirectly under this layer. */
  public ParameterPath parameter(String relative) {
    return ParameterPath.parse(this + "." + relative);
  }

  /** Whether {@code other} equals this path or lies below it (segment-wise, not textually). */
  public boolean contains(LayerPath other) {
    return other.segments.size() >= segments.size()
        && other.segments.subList(0, segments.size()).equals(segments);
  }

  /** Whether the parameter lies below this layer (segment-wise: {@code blocks.1} ≠ {@code blocks.10}). */
  public boolean contains(ParameterPath parameter) {
    return parameter.segments().size() > segments.size()
        && parameter.segments().subList(0, segments.size()).equals(segments);
  }

  /**
   * The index of the block this path is in: the last index segment ({@code 3} for
   * {@code decoder.blocks.3.cross_attn}), or empty for paths without one ({@code embed}).
   */
  public OptionalInt blockIndex() {
    for (int i = segments.size() - 1; i >= 0; i--) {
      if (PathSyntax.isIndex(segments.get(i))) {
        return OptionalInt.of(Integer.parseInt(segments.get(i)));
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The stack the block belongs to: the segments before the last index
   * ({@code decoder.blocks} for {@code decoder.blocks.3.cross_attn}), or empty.
   */
  public Optional<String> stack() {
    for (int i = segments.size() - 1; i > 0; i--) {
      if (PathSyntax.isIndex(segments.get(i))) {
        return Optional.of(String.join(".", segments.subList(0, i)));
      }
    }
    return Optional.empty();
  }

  /** Compares in model order (see the class comment): numbers compare as numbers. */
  @Override
  public int compareTo(LayerPath o) {
    return PathOrder.compare(segments, o.segments);
  }

  @Override
  public String toString() {
    return String.join(".", segments);
  }

  private static List<String> nullSafe(List<String> s) {
    if (s == null) {
      throw new IllegalArgumentException("layer path segments must not be null");
    }
    return s.stream().map(x -> x == null ? "" : x).toList();
  }
}
