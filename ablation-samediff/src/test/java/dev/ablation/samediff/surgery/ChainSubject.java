package dev.ablation.samediff.surgery;

import dev.ablation.api.LayerPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SameDiffModel;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A tiny model for the property chain: the graph, how to make a batch, which placeholders feed
 * {@code sd.fit} as features and labels, and which layer groups the chain may wipe.
 *
 * @param name for reports
 * @param model the model
 * @param batches seed → a training batch
 * @param features placeholder names fed as {@code MultiDataSet} features, in order
 * @param labels placeholder names fed as labels, in order
 * @param wipeTargets the layer groups a wipe may choose (a group is wiped at once)
 * @param identityTargets groups whose ZERO_OUTPUT wipe is exactly the deleted layer (pre-LN)
 * @param copySources target layer → a layer of the same shape it may copy from
 */
record ChainSubject(String name, SameDiffModel model, LongFunction<Batch> batches,
    List<String> features, List<String> labels, List<List<LayerPath>> wipeTargets,
    List<List<LayerPath>> identityTargets, Map<LayerPath, LayerPath> copySources) {

  @Override
  public String toString() {
    return name;
  }

  static ChainSubject of(String name, ToyGraphs.Toy toy) {
    List<List<LayerPath>> targets = new java.util.ArrayList<>();
    List<List<LayerPath>> identity = new java.util.ArrayList<>();
    toy.blocks().forEach(b -> {
      targets.add(List.of(b));
      identity.add(List.of(b));
    });
    toy.sublayers().forEach(s -> {
      targets.add(List.of(s));
      identity.add(List.of(s));
    });
    if (toy.sublayers().size() > 1) {
      targets.add(toy.sublayers());
      identity.add(toy.sublayers());
    }
    targets.add(List.of(toy.model().layers().layout().paths().get(0)));
    Map<LayerPath, LayerPath> copy = new java.util.LinkedHashMap<>();
    for (LayerPath a : toy.blocks()) {
      for (LayerPath b : toy.blocks()) {
        if (!a.equals(b) && a.stack().equals(b.stack())) {
          copy.putIfAbsent(a, b);
        }
      }
    }
    return new ChainSubject(name, toy.model(), toy::batch, toy.inputs(), List.of("labels"),
        targets, identity, copy);
  }
}
