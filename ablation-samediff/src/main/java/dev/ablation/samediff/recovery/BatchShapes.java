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
