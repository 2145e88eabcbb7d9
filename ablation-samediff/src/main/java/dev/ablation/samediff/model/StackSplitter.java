package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterInfo;
import dev.ablation.samediff.BlockSplitter;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Splits a single-stack reference model (decoder-only or encoder-only: no dropout, no
 * sampling) at a block, rebuilding both parts with {@link Transformers}'s own code on the
 * model graph's arrays, and keeps them per cut for the next recovery on the same model (rebuilt
 * if the model's arrays were replaced). Not thread-safe, like the graph. An encoder-decoder has no splitter: its decoder blocks also read the
 * encoder's output.
 */
final class StackSplitter implements BlockSplitter {
  /** The placeholder of the upper part that takes the residual stream. */
  static final String RESIDUAL = "residual_in";

  private final TransformerConfig config;
  private final DataType type;
  private final SameDiff graph;
  private final LayerMap layers;
  /**
   * Parts already built, by cut: a study runs many recoveries on one model, and each new graph
   * costs a gradient-graph build (seconds) and its own session array cache (native memory).
   */
  private final Map<Integer, Parts> built = new HashMap<>();

  private StackSplitter(TransformerConfig config, DataType type, SameDiff graph,
      LayerMap layers) {
    this.config = config;
    this.type = type;
    this.graph = graph;
    this.layers = layers;
  }

  static Optional<BlockSplitter> of(TransformerConfig config, DataType type, SameDiff graph,
      LayerMap layers) {
    if (config.architecture() == Architecture.ENCODER_DECODER) {
      return Optional.empty();
    }
    return Optional.of(new StackSplitter(config, type, graph, layers));
  }

  @Override
  public int blocks() {
    return config.nLayers();
  }

  @Override
  public Set<String> variablesBelow(int cut) {
    check(cut);
    Set<String> names = new LinkedHashSet<>();
    for (LayerInfo l : layers.layout().layers()) {
      boolean below = l.kind() == LayerKind.EMBEDDING;
      for (int i = 0; i < cut && !below; i++) {
        below = l.path().equals(LayerPath.block(i));
      }
      if (below) {
        for (ParameterInfo p : l.parameters()) {
          names.add(layers.variable(p.path()));
        }
      }
    }
    return names;
  }

  @Override
  public Parts split(int cut) {
    check(cut);
    Parts p = built.get(cut);
    if (p == null || !sharesArrays(p)) {
      p = build(cut);
      built.put(cut, p);
    }
    return p;
  }

  /** Whether the parts still read the model's arrays (a replaced array would desynchronise). */
  private boolean sharesArrays(Parts p) {
    for (SameDiff part : List.of(p.below(), p.above().graph())) {
      for (SDVariable v : part.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE && (!graph.hasVariable(v.name())
            || graph.getVariable(v.name()).getArr() != v.getArr())) {
          return false;
        }
      }
    }
    return true;
  }

  private Parts build(int cut) {
    SameDiff below = SameDiff.create();
    String residual = Transformers.writeBelow(new GraphWriter(below, type, graph), config, cut)
        .name();
    SameDiff above = SameDiff.create();
    GraphWriter g = new GraphWriter(above, type, graph);
    Transformers.writeFrom(g, config, cut, RESIDUAL);
    above.setLossVariables(ReferenceModel.LOSS);
    SameDiffModel model = new SameDiffModel(above, g.layerMap(), ReferenceModel.LOSS,
        Optional.of(ReferenceModel.LOGITS));
    return new Parts(below, residual, model, RESIDUAL);
  }

  private void check(int cut) {
    if (cut < 0 || cut >= config.nLayers()) {
      throw new IllegalArgumentException("cut must be a block index in [0, " + config.nLayers()
          + "), got " + cut);
    }
  }
}
