package dev.ablation.samediff.recovery;

import dev.ablation.samediff.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batches checked against the shapes the graph declares for its placeholders, before a
 * recovery changes anything: a label of the wrong width otherwise fails deep inside libnd4j
 * ("Reshape: lengths …", "not suitable for broadcast") after the wipe, leaving a damaged,
 * half-materialised graph behind.
 */
final class BatchShapes {
  private BatchShapes() {}

  /**
   * @param what which batches, for the message ("training", "validation")
   * @throws IllegalArgumentException naming each placeholder whose arrays do not fit, with the
   *     declared and the actual shape
   */
  static void check(SameDiff sd, String what, List<Batch> batches) {
    Map<String, String> problems = new LinkedHashMap<>();
    for (int i = 0; i < batches.size(); i++) {
      for (Map.Entry<String, INDArray> e : batches.get(i).placeholders().entrySet()) {
        check(sd, e.getKey(), e.getValue(), what + " batch " + i, problems);
      }
    }
    throwIfAny(what, problems);
  }

  /** The arrays an {@code sd.fit} batch feeds to {@code names}, in order. */
  static void check(SameDiff sd, String what, List<String> names, INDArray[] arrays) {
    Map<String, String> problems = new LinkedHashMap<>();
    for (int i = 0; i < names.size() && arrays != null && i < arrays.length; i++) {
      check(sd, names.get(i), arrays[i], what, problems);
    }
    throwIfAny(what, problems);
  }

  /**
   * Runs {@code placeholders} forward to {@code loss} once, without gradients and without
   * changing a weight: what the declared shapes cannot say (labels with as many columns as
   * declared but rows that do not match the tokens', say) fails here, before the recovery
   * changes anything, instead of inside a training step.
   *
   * @throws IllegalArgumentException naming the batch's shapes and libnd4j's complaint
   */
  static void dryRun(SameDiff sd, String loss, String what, Map<String, INDArray> placeholders) {
    try {
      sd.output(placeholders, loss);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the first " + what + " batch does not run through"
          + " the graph to '" + loss + "'; nothing was changed. Its arrays: "
          + describe(placeholders) + "; libnd4j says: " + e, e);
    }
  }

  /** {@code name [shape]} for each array, for messages. */
  static String describe(Map<String, INDArray> placeholders) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
      out.add("'" + e.getKey() + "' " + Arrays.toString(e.getValue().shape()));
    }
    return String.join(", ", out);
  }

  private static void check(SameDiff sd, String name, INDArray array, String where,
      Map<String, String> problems) {
    if (problems.containsKey(name) || array == null || !sd.hasVariable(name)) {
      return;
    }
    SDVariable v = sd.getVariable(name);
    long[] declared = v.getVariableType() == VariableType.PLACEHOLDER ? v.getShape() : null;
    if (declared == null) {
      return;
    }
    long[] actual = array.shape();
    boolean fits = declared.length == actual.length;
    for (int d = 0; fits && d < declared.length; d++) {
      fits = declared[d] < 0 || declared[d] == actual[d];
    }
    if (!fits) {
      problems.put(name, "placeholder '" + name + "' is declared " + Arrays.toString(declared)
          + " (-1: any size), but the " + where + " has " + Arrays.toString(actual));
    }
  }

  private static void throwIfAny(String what, Map<String, String> problems) {
    if (!problems.isEmpty()) {
      List<String> all = new ArrayList<>(problems.values());
      throw new IllegalArgumentException("the " + what + " batches do not fit the graph;"
          + " nothing was changed: " + String.join("; ", all));
    }
  }
}
