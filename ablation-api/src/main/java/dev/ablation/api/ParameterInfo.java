package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * One parameter as a model exposes it: its path, shape and kind.
 *
 * @param path where it lives, e.g. {@code blocks.3.attn.W_Q}
 * @param shape its dimensions, e.g. {@code [d_model, d_model]}
 * @param kind what it does, see {@link ParameterKind}
 */
public record ParameterInfo(ParameterPath path, List<Long> shape, ParameterKind kind) {

  /** Validates the fields. */
  public ParameterInfo {
    if (path == null || shape == null || kind == null) {
      throw new IllegalArgumentException("path, shape and kind are required, got " + path + ", "
          + shape + ", " + kind);
    }
    for (Long d : shape) {
      if (d == null || d < 0) {
        throw new IllegalArgumentException("parameter " + path + ": bad dimension in shape " + shape);
      }
    }
    shape = ImmutableList.copyOf(shape);
  }

  /** The number of scalars in the parameter. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
