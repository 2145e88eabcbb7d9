package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * One layer of a model and the parameters in it. A {@link LayerKind#SUBLAYER} such as
 * {@code decoder.blocks.0.cross_attn} shares its parameters with its enclosing block.
 *
 * @param path the layer's address
 * @param kind its role
 * @param parameters the parameters under it, in a stable order
 */
public record LayerInfo(LayerPath path, LayerKind kind, List<ParameterInfo> parameters) {

  /** Validates that every parameter lies under the layer's path. */
  public LayerInfo {
    if (path == null || kind == null || parameters == null) {
      throw new IllegalArgumentException("path, kind and parameters are required");
    }
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException("layer " + path + " has no parameters");
    }
    for (ParameterInfo p : parameters) {
      if (!path.contains(p.path())) {
        throw new IllegalArgumentException(
            "parameter " + p.path() + " does not lie under layer " + path);
      }
    }
    parameters = ImmutableList.copyOf(parameters);
  }

  /** The number of scalars in the layer. */
  public long size() {
    return parameters.stream().mapToLong(ParameterInfo::size).sum();
  }
}
