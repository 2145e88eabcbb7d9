package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The layers of a model and their parameters: what {@link LayerSurgeon#layout()} reports and
 * what {@link FreezePolicy} resolves against. Every parameter belongs to exactly one top-level
 * layer (embedding, block, head…); sublayers may name a subset of a block's parameters.
 *
 * @param layers the layers in model order
 */
public record ModelLayout(List<LayerInfo> layers) {

  /** Validates: unique layer paths, and no parameter in two non-nested layers. */
  public ModelLayout {
    if (layers == null || layers.isEmpty()) {
      throw new IllegalArgumentException("a model layout needs at least one layer");
    }
    List<String> problems = new ArrayList<>();
    Map<LayerPath, LayerInfo> byPath = new LinkedHashMap<>();
    Map<ParameterPath, LayerPath> owner = new LinkedHashMap<>();
    for (LayerInfo l : layers) {
      if (byPath.put(l.path(), l) != null) {
        problems.add("layer " + l.path() + " is declared twice");
      }
      if (l.kind() == LayerKind.SUBLAYER) {
        continue;
      }
      for (ParameterInfo p : l.parameters()) {
        LayerPath prev = owner.put(p.path(), l.path());
        if (prev != null) {
          problems.add("parameter " + p.path() + " is in both " + prev + " and " + l.path());
        }
      }
    }
    for (LayerInfo l : layers) {
      if (l.kind() == LayerKind.SUBLAYER) {
        for (ParameterInfo p : l.parameters()) {
          if (!owner.containsKey(p.path())) {
            problems.add("sublayer " + l.path() + " names " + p.path()
                + ", which no enclosing layer holds");
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new LayerMapException(problems, byPath.keySet());
    }
    layers = ImmutableList.copyOf(layers);
  }

  /** The layer at {@code path}, or an {@link UnknownLayerException} listing the layers that exist. */
  public LayerInfo layer(LayerPath path) {
    return find(path).orElseThrow(() -> new UnknownLayerException(path, paths()));
  }

  /** The layer at {@code path}, if the model has one. */
  public Optional<LayerInfo> find(LayerPath path) {
    return layers.stream().filter(l -> l.path().equals(path)).findFirst();
  }

  /** All layer paths in model order. */
  public List<LayerPath> paths() {
    return layers.stream().map(LayerInfo::path).toList();
  }

  /** The layers of one kind, in model order. */
  public List<LayerInfo> layersOf(LayerKind kind) {
    return layers.stream().filter(l -> l.kind() == kind).toList();
  }

  /** The blocks of one stack ({@code blocks}, {@code encoder.blocks}), ordered by index. */
  public List<LayerInfo> stack(String stack) {
    return layers.stream()
        .filter(l -> l.kind() == LayerKind.BLOCK && l.path().stack().orElse("").equals(stack))
        .sorted((a, b) -> a.path().compareTo(b.path()))
        .toList();
  }

  /** Every parameter once, in model order. */
  public List<ParameterInfo> parameters() {
    Map<ParameterPath, ParameterInfo> all = new LinkedHashMap<>();
    for (LayerInfo l : layers) {
      if (l.kind() != LayerKind.SUBLAYER) {
        l.parameters().forEach(p -> all.putIfAbsent(p.path(), p));
      }
    }
    return ImmutableList.copyOf(all.values());
  }

  /** Every parameter path, sorted. */
  public Set<ParameterPath> parameterPaths() {
    return parameters().stream().map(ParameterInfo::path)
        .collect(ImmutableSortedSet.toImmutableSortedSet(ParameterPath::compareTo));
  }

  /** The parameters of the given layers, sorted; unknown layers fail with the list of known ones. */
  public Set<ParameterPath> parametersOf(Collection<LayerPath> layerPaths) {
    return layerPaths.stream()
        .flatMap(p -> layer(p).parameters().stream())
        .map(ParameterInfo::path)
        .collect(ImmutableSortedSet.toImmutableSortedSet(ParameterPath::compareTo));
  }

  /** Parameters by path. */
  public Map<ParameterPath, ParameterInfo> parameterIndex() {
    return parameters().stream()
        .collect(ImmutableMap.toImmutableMap(ParameterInfo::path, p -> p));
  }

  /** The total number of scalars. */
  public long size() {
    return parameters().stream().mapToLong(ParameterInfo::size).sum();
  }

  @Override
  public String toString() {
    return layers.stream().map(l -> l.path() + "(" + l.kind() + ")")
        .collect(Collectors.joining(", ", "ModelLayout[", "]"));
  }
}
