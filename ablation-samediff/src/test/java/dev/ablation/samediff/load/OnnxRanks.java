package dev.ablation.samediff.load;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;

/**
 * The rank of every value of an ONNX graph, propagated from its inputs and initializers through
 * the ops a PyTorch GPT export uses (the export carries no value_info): what a test needs to
 * tell a rank-3 MatMul from a 2-D one. An op it does not know fails, naming it.
 */
final class OnnxRanks {
  private final Map<String, Integer> rank = new HashMap<>();
  /** Static lengths of 1-D values (shape arithmetic feeding Reshape). */
  private final Map<String, Integer> length = new HashMap<>();
  private final Set<String> weights = new java.util.HashSet<>();

  OnnxRanks(GraphProto g) {
    for (ValueInfoProto v : g.getInputList()) {
      rank.put(v.getName(), v.getType().getTensorType().getShape().getDimCount());
    }
    for (TensorProto t : g.getInitializerList()) {
      constant(t.getName(), t);
      weights.add(t.getName());
    }
    for (NodeProto n : g.getNodeList()) {
      node(n);
    }
  }

  int of(String value) {
    Integer r = rank.get(value);
    if (r == null) {
      throw new IllegalStateException("no rank for " + value);
    }
    return r;
  }

  /** Whether the value is an initializer (a weight), not an activation. */
  boolean isWeight(String value) {
    return weights.contains(value);
  }

  private void constant(String name, TensorProto t) {
    rank.put(name, t.getDimsCount());
    if (t.getDimsCount() == 1) {
      length.put(name, (int) t.getDims(0));
    }
  }

  private void node(NodeProto n) {
    String out = n.getOutputCount() > 0 ? n.getOutput(0) : null;
    int in0 = n.getInputCount() > 0 && !n.getInput(0).isEmpty() ? of(n.getInput(0)) : -1;
    switch (n.getOpType()) {
      case "Constant" -> constant(out, attribute(n, "value").getT());
      case "Identity", "Cast", "Softmax", "Tanh", "Sqrt", "Transpose", "Slice",
          "LayerNormalization", "Neg", "Relu", "Erf" -> {
        rank.put(out, in0);
        if (length.containsKey(n.getInput(0))) {
          length.put(out, length.get(n.getInput(0)));
        }
      }
      case "ReduceMean" -> rank.put(out, in0); // keepdims defaults to 1
      case "Split" -> n.getOutputList().forEach(o -> rank.put(o, in0));
      case "Add", "Sub", "Mul", "Div", "Pow", "Where", "Equal" -> rank.put(out,
          n.getInputList().stream().mapToInt(this::of).max().orElseThrow());
      case "MatMul" -> rank.put(out, Math.max(in0, of(n.getInput(1))));
      case "Gather" -> rank.put(out, in0 + of(n.getInput(1)) - 1);
      case "Shape" -> {
        rank.put(out, 1);
        length.put(out, in0);
      }
      case "Range" -> rank.put(out, 1);
      case "Unsqueeze" -> {
        int axes = n.getInputCount() > 1 ? length.get(n.getInput(1))
            : attribute(n, "axes").getIntsCount();
        rank.put(out, in0 + axes);
        if (in0 + axes == 1) {
          length.put(out, 1);
        }
      }
      case "Concat" -> {
        rank.put(out, in0);
        if (in0 == 1) {
          length.put(out, n.getInputList().stream().mapToInt(length::get).sum());
        }
      }
      case "Reshape" -> {
        Integer r = length.get(n.getInput(1));
        if (r == null) {
          throw new IllegalStateException("Reshape " + n.getName() + ": unknown target rank");
        }
        rank.put(out, r);
      }
      default -> throw new IllegalStateException("no rank rule for " + n.getOpType());
    }
  }

  private static AttributeProto attribute(NodeProto n, String name) {
    return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException(n.getOpType() + " without " + name));
  }
}
