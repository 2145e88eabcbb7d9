package dev.ablation.samediff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * {@link OnnxModels}' rewrite of boolean masks for M2.1's importer: a {@code Where} as
 * arithmetic over a FLOAT condition, and a boolean initializer that only ever conditions a
 * {@code Where} (GPT-2's causal mask) made a FLOAT one under a name of its own.
 */
final class OnnxMasks {
  private OnnxMasks() {}

  /**
   * {@code Where(c, a, b)} as {@code a·c + b·(1 − c)} with {@code c} as 0/1 floats: M2.1's
   * {@code Where} fails unless all three have the same shape ("Op validation failed" for
   * GPT-2's {@code [1, 1, t, t]} mask, {@code [b, h, t, t]} scores and scalar fill), and a
   * boolean initializer arrives with other values than it holds ({@link #floatMasks}). The same
   * values as {@code Where} wherever the branch not taken is finite. A condition carried from a
   * boolean initializer ({@code floatMask}) is used as it is; any other is cast to float first.
   * The product assumes FLOAT branches, what exporters write.
   */
  static void where(GraphProto.Builder b, NodeProto n, boolean floatMask) {
    String out = n.getOutput(0);
    String p = OnnxModels.PREFIX + out + "/";
    String c = n.getInput(0);
    if (!floatMask) {
      b.addNode(OnnxModels.op("Cast", List.of(c), p + "condition").toBuilder()
          .addAttribute(OnnxModels.intAttribute("to", TensorProto.DataType.FLOAT_VALUE)).build());
      c = p + "condition";
    }
    b.addInitializer(OnnxTensors.scalar(p + "one", 1f));
    b.addNode(OnnxModels.op("Sub", List.of(p + "one", c), p + "otherwise"));
    b.addNode(OnnxModels.op("Mul", List.of(n.getInput(1), c), p + "taken"));
    b.addNode(OnnxModels.op("Mul", List.of(n.getInput(2), p + "otherwise"), p + "other"));
    b.addNode(OnnxModels.op("Add", List.of(p + "taken", p + "other"), out));
  }

  /** The ops through which a boolean mask is carried unchanged to a {@code Where}. */
  private static final Set<String> LAYOUT_OPS =
      Set.of("Identity", "Slice", "Reshape", "Unsqueeze", "Squeeze", "Transpose", "Expand");

  /** The prefix of a boolean mask made a FLOAT one by {@link #floatMasks}. */
  static final String MASK_PREFIX = OnnxModels.PREFIX + "mask/";

  /**
   * The graph with each boolean initializer that reaches nothing but the condition of a
   * {@code Where} (directly or through layout ops: GPT-2's causal mask, sliced to the sequence)
   * as a FLOAT initializer of 0s and 1s named {@value #MASK_PREFIX}{@code <name>}, which
   * {@link #where} multiplies by. M2.1 imports a boolean initializer with other values than it
   * holds (a lower-triangular causal mask cast to float gave values up to 246, from
   * {@code raw_data} and from {@code int32_data} alike). The new name keeps the mask out of a
   * layer pattern such as {@code h\.1\.(.*)}: as a float constant a wipe could otherwise take
   * it for a weight and redraw it.
   */
  static GraphProto floatMasks(GraphProto g) {
    Map<String, List<NodeProto>> consumers = consumers(g);
    Set<String> outputs = new HashSet<>();
    g.getOutputList().forEach(o -> outputs.add(o.getName()));
    Map<String, String> renamed = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.BOOL_VALUE
          && onlyConditions(t.getName(), consumers, outputs, new HashSet<>())) {
        renamed.put(t.getName(), MASK_PREFIX + t.getName());
      }
    }
    GraphProto r = OnnxNames.renamed(g, renamed);
    GraphProto.Builder b = r.toBuilder().clearInitializer();
    for (TensorProto t : r.getInitializerList()) {
      b.addInitializer(t.getName().startsWith(MASK_PREFIX) ? OnnxTensors.asFloats(t) : t);
    }
    return b.build();
  }

  /** The {@link #floatMasks} and every value layout ops carry them to. */
  static Set<String> carriedMasks(GraphProto g) {
    Map<String, List<NodeProto>> consumers = consumers(g);
    Set<String> masks = new HashSet<>();
    for (TensorProto t : g.getInitializerList()) {
      if (t.getName().startsWith(MASK_PREFIX)) {
        onlyConditions(t.getName(), consumers, Set.of(), masks);
      }
    }
    return masks;
  }

  private static Map<String, List<NodeProto>> consumers(GraphProto g) {
    Map<String, List<NodeProto>> consumers = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (String in : n.getInputList()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
    }
    return consumers;
  }

  private static boolean onlyConditions(String value, Map<String, List<NodeProto>> consumers,
      Set<String> outputs, Set<String> reached) {
    if (outputs.contains(value)) {
      return false;
    }
    reached.add(value);
    for (NodeProto n : consumers.getOrDefault(value, List.of())) {
      boolean condition = "Where".equals(n.getOpType()) && n.getInput(0).equals(value)
          && !n.getInput(1).equals(value) && !n.getInput(2).equals(value);
      boolean carried = LAYOUT_OPS.contains(n.getOpType()) && n.getInput(0).equals(value)
          && n.getInputList().stream().skip(1).noneMatch(value::equals)
          && onlyConditions(n.getOutput(0), consumers, outputs, reached);
      if (!condition && !carried) {
        return false;
      }
    }
    return true;
  }
}
