package dev.ablation.samediff.load;

import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.SameDiffModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads weights by parameter path into a model built separately — a checkpoint into a graph of
 * its layout, or a snapshot of one model into another of the same layout — the way PyTorch's
 * {@code load_state_dict(strict=True)} does: every parameter of the model must be given, nothing
 * else may be, each of the model's shape; every mismatch is named in one
 * {@link CheckpointException} before any weight is written. Values are written in place (M2.1
 * desynchronises training and inference when a variable's array is replaced) and cast to each
 * parameter's data type.
 *
 * <p>Unlike {@code SameDiffSurgeon.restore}, which takes back a snapshot of the very graph it was
 * taken from (wipes and trainable set included), this moves values only, between graphs.
 */
public final class NamedWeights {
  private NamedWeights() {}

  /**
   * Writes {@code values} into {@code model}'s parameters.
   *
   * @param values one array per parameter of the model, by its path
   * @throws CheckpointException naming each parameter missing (with the shape it needs), each
   *     path the model does not have, and each array of another shape (with both)
   */
  public static void load(SameDiffModel model, Map<ParameterPath, INDArray> values) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(values, "values");
    Map<ParameterPath, List<Long>> given = new LinkedHashMap<>();
    values.forEach((p, a) -> given.put(Objects.requireNonNull(p, "a null path"),
        Arrays.stream(Objects.requireNonNull(a, () -> "no array for " + p).shape()).boxed()
            .toList()));
    check(model, given, "weights");
    for (Map.Entry<ParameterPath, INDArray> e : values.entrySet()) {
      INDArray target = model.graph().getVariable(model.layers().variable(e.getKey())).getArr();
      target.assign(e.getValue().castTo(target.dataType()));
    }
  }

  /**
   * Writes the values of {@code snapshot} — taken from another model of the same layout — into
   * {@code model}'s parameters. The model's trainable set is left as it is.
   *
   * @throws CheckpointException naming each parameter missing from the snapshot, each it has
   *     that the model has not, and each of another shape (or element count, for a snapshot
   *     that does not record shapes)
   */
  public static void load(SameDiffModel model, WeightSnapshot snapshot) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(snapshot, "snapshot");
    Map<ParameterPath, List<Long>> given = new LinkedHashMap<>();
    Map<ParameterPath, double[]> flat = new LinkedHashMap<>();
    Map<ParameterPath, ParameterInfo> index = model.layers().layout().parameterIndex();
    for (ParameterPath p : snapshot.parameters()) {
      double[] v = snapshot.values(p);
      flat.put(p, v);
      Optional<List<Long>> shape = snapshot.shape(p);
      given.put(p, shape.orElseGet(() -> shapeIfCountMatches(index, p, v.length)));
    }
    check(model, given, "snapshot " + snapshot);
    for (Map.Entry<ParameterPath, double[]> e : flat.entrySet()) {
      INDArray target = model.graph().getVariable(model.layers().variable(e.getKey())).getArr();
      target.assign(Nd4j.create(e.getValue(), target.shape(), target.dataType()));
    }
  }

  /** The model's shape where the flat count fits it (values only), else the count alone. */
  private static List<Long> shapeIfCountMatches(Map<ParameterPath, ParameterInfo> index,
      ParameterPath p, long n) {
    ParameterInfo info = index.get(p);
    return info != null && info.size() == n ? info.shape() : List.of(n);
  }

  /**
   * Checks paths and shapes of {@code given} against {@code model}'s layout.
   *
   * @throws CheckpointException naming every mismatch
   */
  static void check(SameDiffModel model, Map<ParameterPath, List<Long>> given, String what) {
    Map<ParameterPath, ParameterInfo> index = model.layers().layout().parameterIndex();
    List<String> problems = new ArrayList<>();
    for (ParameterInfo p : model.layers().layout().parameters()) {
      List<Long> shape = given.get(p.path());
      if (shape == null) {
        problems.add("missing " + p.path() + " " + p.shape());
      } else if (!shape.equals(p.shape())) {
        problems.add(p.path() + " has shape " + shape + ", but the model's is " + p.shape());
      }
    }
    TreeSet<ParameterPath> unexpected = new TreeSet<>(given.keySet());
    unexpected.removeAll(index.keySet());
    unexpected.forEach(p -> problems.add("unexpected " + p + " " + given.get(p)
        + ": the model has no such parameter"));
    if (!problems.isEmpty()) {
      if (!unexpected.isEmpty()) {
        problems.add("the model's parameters are " + index.keySet());
      }
      throw new CheckpointException("cannot load " + what, problems);
    }
  }

}
