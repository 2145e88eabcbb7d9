package dev.ablation.api;

import java.util.List;

/**
 * The address of one trainable array, e.g. {@code blocks.3.attn.W_Q} or
 * {@code decoder.blocks.0.cross_attn.W_O}. Same syntax as {@link LayerPath}, at least two
 * segments (a parameter always lives in something), and {@code toString()} parses back.
 *
 * @param segments the segments
 */
public record ParameterPath(List<String> segments) implements Comparable<ParameterPath> {

  /** Validates and copies the segments. */
  public ParameterPath {
    if (segments == null) {
      throw new IllegalArgumentException("parameter path segments must not be null");
    }
    String text = String.join(".", segments.stream().map(x -> x == null ? "" : x).toList());
    segments = PathSyntax.validate("parameter path", text, segments);
    if (segments.size() < 2) {
      throw new IllegalArgumentException("parameter path '" + text + "' has one segment; a "
          + "parameter lives in a layer, so it needs at least two, e.g. 'blocks.3.attn.W_Q' or "
          + "'embed.W_E'");
    }
  }

  /**
   * Parses a dotted path such as {@code blocks.3.attn.W_Q}.
   *
   * @throws IllegalArgumentException naming the bad segment and the reason
   */
  public static ParameterPath parse(String text) {
    return new ParameterPath(PathSyntax.parse("parameter path", text));
  }

  /** The last segment, e.g. {@code W_Q}. */
  public String name() {
    return segments.get(segments.size() - 1);
  }

  /** Whether this parameter lies under {@code layer}. */
  public boolean isIn(LayerPath layer) {
    return layer.contains(this);
  }

  @Override
  public int compareTo(ParameterPath o) {
    return PathOrder.compare(segments, o.segments);
  }

  @Override
  public String toString() {
    return String.join(".", segments);
  }
}
