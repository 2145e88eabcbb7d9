package dev.ablation.samediff;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * Which graph constants a layer pattern may adopt as weights. A graph that holds its weights as
 * constants (imported, or saved frozen) holds other constants too: ids, shapes, attention masks.
 * A pattern broad enough to find the weights may find those, and a wipe that redrew a mask
 * would quietly make attention see the future; so a constant matched by a pattern must look
 * like a weight by its values and its place in the graph, which this class alone judges.
 */
final class ConstantAdoption {
  private ConstantAdoption() {}

  /** What an attention mask holds: −1e9, −∞ (no trained weight comes near). */
  private static final double MASKING_MAGNITUDE = 1e4;

  /**
   * Why a constant that {@link LayerMap.Builder#includeConstants()} would adopt through a
   * pattern cannot be a weight, if it cannot: it is not floating-point (ids, shapes, boolean
   * masks), it holds masking values ({@code |x| ≥ 1e4} or non-finite: an additive attention
   * mask, whose wipe would make attention non-causal), or no gradient reaches it (every path to
   * the loss passes a non-floating value or a stop-gradient). Named explicitly, it is adopted
   * anyway.
   */
  static Optional<String> whyNotAWeight(SameDiff sd, String name) {
    SDVariable v = sd.getVariable(name);
    if (!v.dataType().isFPType()) {
      return Optional.of("it is " + v.dataType() + ", not floating-point");
    }
    INDArray arr = v.getArr();
    if (arr != null && arr.length() > 0) {
      double max = arr.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
      if (!(max < MASKING_MAGNITUDE)) {
        return Optional.of("it holds masking values (|x| up to " + max + "), as an attention"
            + " mask does; a wipe would redraw it");
      }
    }
    if (!gradientReaches(sd, name)) {
      return Optional.of("no gradient reaches it (every path from it to "
          + (sd.getLossVariables().isEmpty() ? "an output" : "the loss "
              + sd.getLossVariables()) + " passes a non-floating value or a stop-gradient)");
    }
    return Optional.empty();
  }

  /**
   * Whether a gradient can flow from the loss (or, with none declared, from some output) back
   * to {@code name}: a path of floating-point values through ops other than stop-gradient.
   */
  private static boolean gradientReaches(SameDiff sd, String name) {
    Set<String> targets = new HashSet<>(sd.getLossVariables());
    Deque<String> todo = new ArrayDeque<>(List.of(name));
    Set<String> seen = new HashSet<>(todo);
    while (!todo.isEmpty()) {
      String var = todo.pop();
      if (targets.contains(var)) {
        return true;
      }
      List<String> consumers = sd.getVariables().get(var).getInputsForOp();
      if (consumers == null || consumers.isEmpty()) {
        if (targets.isEmpty() && !var.equals(name)) {
          return true; // no loss declared: any output counts
        }
        continue;
      }
      for (String op : consumers) {
        SameDiffOp o = sd.getOps().get(op);
        if (o.getOp() instanceof StopGradient || o.getOutputsOfOp() == null) {
          continue;
        }
        for (String out : o.getOutputsOfOp()) {
          if (sd.getVariable(out).dataType().isFPType() && seen.add(out)) {
            todo.add(out);
          }
        }
      }
    }
    return false;
  }
}
