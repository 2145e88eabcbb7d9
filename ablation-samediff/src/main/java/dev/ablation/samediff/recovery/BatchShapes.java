package dev.ablation.samediff.recovery;

import dev.ablation.samediff.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batches tried on the graph before a recovery changes anything: a label of the wrong width
 * otherwise fails deep inside libnd4j ("Reshape: lengths …", "not suitable for broadcast")
 * after the wipe, leaving a damaged, half-materialised graph behind.
 *
 * <p>The graph decides: each distinct set of array shapes runs forward to the loss once,
 * without gradients and without changing a weight. The shapes the placeholders declare only
 * explain a failure (importers declare shapes the graph does not hold to, e.g. a fixed batch of
 * 2 for an ONNX input of any batch size, so a mismatch alone is no error).
 */
final class BatchShapes {
  private final SameDiff sd;
  private final String loss;
  private final String what;
  /** The shape sets that ran. */
  private final Set<String> ran = new HashSet<>();

  /**
   * @param loss the variable a forward pass runs to
   * @param what which batches, for messages ("training", "validation")
   */
  BatchShapes(SameDiff sd, String loss, String what) {
    this.sd = sd;
    this.loss = loss;
    this.what = what;
  }

  /** Tries each batch whose set of shapes has not run yet. */
  void check(List<Map<String, INDArray>> batches) {
    for (int i = 0; i < batches.size(); i++) {
      check(i, batches.get(i));
    }
  }

  /**
   * Tries {@code arrays} (the {@code index}-th batch) unless a batch of the same shapes ran.
   *
   * @throws IllegalArgumentException naming each placeholder whose array does not have the
   *     declared shape (both shapes), the batch's arrays, and libnd4j's complaint
   */
  void check(int index, Map<String, INDArray> arrays) {
    String shapes = describe(arrays);
    if (ran.contains(shapes)) {
      return;
    }
    try {
      sd.output(arrays, loss);
    } catch (RuntimeException e) {
      throw failure(index, arrays, e);
    }
    ran.add(shapes);
  }

  /** The error for a batch that did not run: declared-shape mismatches first, then the rest. */
  IllegalArgumentException failure(int index, Map<String, INDArray> arrays, RuntimeException e) {
    List<String> mismatches = mismatches(sd, arrays, what + " batch " + index);
    return new IllegalArgumentException("the " + what + " batch " + index + " does not run"
        + " through the graph to '" + loss + "'; nothing was changed. "
        + (mismatches.isEmpty() ? "" : String.join("; ", mismatches) + ". ")
        + "Its arrays: " + shapes(arrays) + "; libnd4j says: " + e, e);
  }

  /** Each placeholder whose array differs from its declared shape, with both shapes. */
  static List<String> mismatches(SameDiff sd, Map<String, INDArray> arrays, String where) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      String name = e.getKey();
      if (e.getValue() == null || !sd.hasVariable(name)) {
        continue;
      }
      SDVariable v = sd.getVariable(name);
      long[] declared = v.getVariableType() == VariableType.PLACEHOLDER ? v.getShape() : null;
      if (declared == null) {
        continue;
      }
      long[] actual = e.getValue().shape();
      boolean fits = declared.length == actual.length;
      for (int d = 0; fits && d < declared.length; d++) {
        fits = declared[d] < 0 || declared[d] == actual[d];
      }
      if (!fits) {
        out.add("placeholder '" + name + "' is declared " + Arrays.toString(declared)
            + " (-1: any size), but the " + where + " has " + Arrays.toString(actual));
      }
    }
    return out;
  }

  /** The arrays a {@code MultiDataSet} feeds to {@code names}, by name. */
  static Map<String, INDArray> byName(List<String> names, INDArray[] arrays) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size() && arrays != null && i < arrays.length; i++) {
      out.put(names.get(i), arrays[i]);
    }
    return out;
  }

  /** {@code 'name' [shape]} for each array, for messages. */
  static String shapes(Map<String, INDArray> arrays) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      out.add("'" + e.getKey() + "' "
          + (e.getValue() == null ? "null" : Arrays.toString(e.getValue().shape())));
    }
    return String.join(", ", out);
  }

  private static String describe(Map<String, INDArray> arrays) {
    return shapes(arrays);
  }

  /** Each batch's placeholder arrays, in order. */
  static List<Map<String, INDArray>> placeholders(List<Batch> batches) {
    return batches.stream().map(Batch::placeholders).toList();
  }

  /** A recovery needs batches: {@code batches} must be non-null and non-empty. */
  static void requireBatches(String what, List<Batch> batches) {
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("recovery needs at least one " + what + " batch, got "
          + batches);
    }
  }
}
