package dev.ablation.samediff.surgery;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ModelLayout;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a snapshot's layout differs from a model's, in words a user can act on: a snapshot
 * restores only into the model it was taken from, and "another layout" alone does not say
 * which model that was.
 */
final class LayoutDifference {
  private LayoutDifference() {}

  /**
   * The first parameter (in this model's order) whose presence, shape or kind differs between
   * a snapshot's layout and the model's, named with both sides: what a user needs to see to
   * find the model they took the snapshot from.
   */
  static String first(ModelLayout snapshot, ModelLayout model) {
    // layers first: a model of another depth differs in its layers, and naming the first
    // parameter whose kind differs (the last block's output bias, say) hides that
    if (!snapshot.paths().equals(model.paths())) {
      List<LayerPath> onlySnapshot = new ArrayList<>(snapshot.paths());
      onlySnapshot.removeAll(model.paths());
      List<LayerPath> onlyModel = new ArrayList<>(model.paths());
      onlyModel.removeAll(snapshot.paths());
      long theirBlocks = blocks(snapshot);
      long ourBlocks = blocks(model);
      return (theirBlocks != ourBlocks ? "a model of another depth: the snapshot's has "
          + theirBlocks + " blocks, this model " + ourBlocks + " blocks; " : "")
          + "layers only in the snapshot: " + onlySnapshot + ", only in this model: "
          + onlyModel;
    }
    Map<ParameterPath, ParameterInfo> theirs = snapshot.parameterIndex();
    Map<ParameterPath, ParameterInfo> ours = model.parameterIndex();
    for (ParameterInfo p : model.parameters()) {
      ParameterInfo t = theirs.get(p.path());
      if (t == null) {
        return "parameter " + p.path() + " (shape " + p.shape() + ") is not in the snapshot,"
            + " which has " + theirs.size() + " parameters, e.g. "
            + theirs.keySet().stream().limit(4).toList();
      }
      if (!t.shape().equals(p.shape())) {
        return "parameter " + p.path() + " has shape " + t.shape() + " in the snapshot but "
            + p.shape() + " in this model";
      }
      if (t.kind() != p.kind()) {
        return "parameter " + p.path() + " is " + t.kind() + " in the snapshot but " + p.kind()
            + " in this model";
      }
    }
    for (ParameterInfo t : snapshot.parameters()) {
      if (!ours.containsKey(t.path())) {
        return "the snapshot's parameter " + t.path() + " (shape " + t.shape()
            + ") is not in this model";
      }
    }
    return "the layers differ: snapshot " + snapshot.paths() + " vs this model's "
        + model.paths();
  }

  private static long blocks(ModelLayout layout) {
    return layout.layers().stream().filter(l -> l.kind() == LayerKind.BLOCK).count();
  }
}
