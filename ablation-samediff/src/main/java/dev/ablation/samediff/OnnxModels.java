package dev.ablation.samediff;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * Rewrites an ONNX model so that SameDiff 1.0.0-M2.1's ONNX importer
 * ({@code org.nd4j:samediff-import-onnx}) accepts what PyTorch exports, without changing what
 * the model computes. Found by importing small hand-built models (docs/own-model.md):
 * <ul>
 *   <li>{@code Constant} nodes become initializers of the same name. The importer reads an
 *       {@code Unsqueeze}'s axes (opset 13, where they are an input) and a {@code Gather}'s
 *       indices only from initializers: from a {@code Constant} node the first fails with a
 *       {@code NullPointerException} in {@code Unsqueeze.kt:46}, the second (e.g.
 *       {@code Gather(Shape(x), 0)}) with "output op named … did not have any ops associated
 *       with it".
 *   <li>{@code ReduceMean} without a {@code keepdims} attribute gets {@code keepdims=1}, ONNX's
 *       default, which the importer otherwise ignores (it drops the reduced axis).
 *   <li>{@code MatMul} becomes {@code Gemm} with {@code alpha=1}, {@code beta=0} and no
 *       transposes, all explicit: the importer computes a 2-D {@code MatMul} as zeros
 *       (silently), and a {@code Gemm} whose attributes are left to their defaults likewise
 *       (it takes a missing {@code alpha} as 0). A {@code Gemm} with a bias {@code C} becomes a
 *       {@code Gemm} without it followed by an {@code Add}: the importer drops {@code C}.
 *   <li>{@code MatMul(A, W)} with {@code W} a 2-D initializer {@code [k, n]} and {@code A} not
 *       known to be 2-D (a transformer's {@code [batch, pos, d]} projection; PyTorch's export
 *       records no ranks for intermediate values) becomes {@code Reshape(A, [-1, k])}, that
 *       {@code Gemm}, and a {@code Reshape} back to {@code Shape(A)[:-1] ++ [n]}, so the leading
 *       dimensions stay dynamic: the importer fails on a rank-3 {@code MatMul} ("Op matmul …
 *       failed to execute"). In ONNX's terms it is {@code MatMul} for any rank of {@code A}
 *       (imported and checked for ranks 3 and 4 in it/onnx-import);
 *       what it adds is named {@code prepared/<output>/…}.
 *       A {@code MatMul} of two activations (attention's 4-D products) is only given the
 *       {@code Gemm} form above.
 * </ul>
 * The imported graph holds the weights as constants: map it with
 * {@code LayerMap.builder().includeConstants()}.
 */
public final class OnnxModels {
  /** The prefix of every value, node and initializer the rewrites add. */
  static final String PREFIX = "prepared/";

  private OnnxModels() {}

  /**
   * The model with the rewrites above applied.
   *
   * @throws IllegalArgumentException if the bytes are not an ONNX model
   */
  public static byte[] prepareForImport(byte[] onnxModel) {
    Objects.requireNonNull(onnxModel, "onnxModel");
    ModelProto model;
    try {
      model = ModelProto.parseFrom(onnxModel);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    return model.toBuilder().setGraph(prepare(model.getGraph())).build().toByteArray();
  }

  static GraphProto prepare(GraphProto graph) {
    GraphProto.Builder b = graph.toBuilder().clearNode();
    Map<String, TensorProto> initializers = new HashMap<>();
    graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    Map<String, Integer> ranks = knownRanks(graph);
    for (NodeProto n : graph.getNodeList()) {
      if ("Constant".equals(n.getOpType()) && n.getOutputCount() == 1
          && n.getAttributeCount() == 1 && "value".equals(n.getAttribute(0).getName())) {
        TensorProto t = n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)).build();
        b.addInitializer(t);
        initializers.put(t.getName(), t);
      } else if ("MatMul".equals(n.getOpType()) && n.getInputCount() == 2
          && initializers.containsKey(n.getInput(1))
          && initializers.get(n.getInput(1)).getDimsCount() == 2
          && ranks.getOrDefault(n.getInput(0), -1) != 2) {
        byWeight(b, n, initializers.get(n.getInput(1)));
      } else if ("ReduceMean".equals(n.getOpType())
          && n.getAttributeList().stream().noneMatch(a -> "keepdims".equals(a.getName()))) {
        b.addNode(n.toBuilder().addAttribute(AttributeProto.newBuilder().setName("keepdims")
            .setType(AttributeProto.AttributeType.INT).setI(1)));
      } else if ("MatMul".equals(n.getOpType()) && n.getInputCount() == 2) {
        b.addNode(gemm(n.toBuilder().clearAttribute().setOpType("Gemm"), 1f, 0f));
      } else if ("Gemm".equals(n.getOpType())) {
        float alpha = floatAttribute(n, "alpha", 1f);
        float beta = floatAttribute(n, "beta", 1f);
        NodeProto.Builder g = n.toBuilder().clearAttribute();
        for (AttributeProto a : n.getAttributeList()) {
          if (!"alpha".equals(a.getName()) && !"beta".equals(a.getName())) {
            g.addAttribute(a);
          }
        }
        if (n.getInputCount() < 3 || n.getInput(2).isEmpty() || beta != 1f) {
          b.addNode(gemm(g, alpha, beta)); // beta != 1: not rewritten (documented above)
        } else {
          String product = n.getOutput(0) + "__ab";
          g.clearInput().addInput(n.getInput(0)).addInput(n.getInput(1))
              .clearOutput().addOutput(product);
          b.addNode(gemm(g, alpha, 0f));
          b.addNode(NodeProto.newBuilder().setOpType("Add").setName(n.getName() + "__c")
              .addInput(product).addInput(n.getInput(2)).addOutput(n.getOutput(0)));
        }
      } else {
        b.addNode(n);
      }
    }
    return b.build();
  }

  /**
   * {@code MatMul(A, W)}, W {@code [k, n]}, as {@code Reshape(Gemm(Reshape(A, [-1, k]), W),
   * Concat(Slice(Shape(A), 0, -1), [n]))}. The output keeps its name; every new value, node and
   * initializer is named {@code prepared/<output>/…}, outside the model's own names, so a layer
   * pattern such as {@code block0\.(.*)} does not take the new INT64 shape constants for
   * weights. Each node is named as its output: the importer renames a {@code Reshape} or
   * {@code Slice} op after its output but leaves its inputs listing the node's own name as their
   * consumer, which breaks a walk of the imported graph ({@code LayerMap}'s gradient check) when
   * the two differ.
   */
  private static void byWeight(GraphProto.Builder b, NodeProto n, TensorProto w) {
    String a = n.getInput(0);
    String out = n.getOutput(0);
    String p = PREFIX + out + "/";
    long k = w.getDims(0);
    long cols = w.getDims(1);
    b.addInitializer(longs(p + "flat", -1, k));
    b.addInitializer(longs(p + "start", 0));
    b.addInitializer(longs(p + "end", -1));
    b.addInitializer(longs(p + "axis", 0));
    b.addInitializer(longs(p + "n", cols));
    b.addNode(op("Shape", List.of(a), p + "shape"));
    b.addNode(op("Slice", List.of(p + "shape", p + "start", p + "end", p + "axis"), p + "lead"));
    b.addNode(op("Concat", List.of(p + "lead", p + "n"), p + "outshape").toBuilder()
        .addAttribute(AttributeProto.newBuilder().setName("axis")
            .setType(AttributeProto.AttributeType.INT).setI(0)).build());
    b.addNode(op("Reshape", List.of(a, p + "flat"), p + "2d"));
    b.addNode(gemm(op("Gemm", List.of(p + "2d", n.getInput(1)), p + "mm").toBuilder(), 1f, 0f));
    b.addNode(op("Reshape", List.of(p + "mm", p + "outshape"), out));
  }

  /** A node named as its one output. */
  private static NodeProto op(String type, List<String> inputs, String output) {
    return NodeProto.newBuilder().setOpType(type).setName(output).addAllInput(inputs)
        .addOutput(output).build();
  }

  /** A 1-D INT64 initializer. */
  private static TensorProto longs(String name, long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  /** The ranks the graph states: of its inputs, outputs and value_info entries with a shape. */
  private static Map<String, Integer> knownRanks(GraphProto graph) {
    Map<String, Integer> ranks = new HashMap<>();
    for (List<ValueInfoProto> values : List.of(graph.getInputList(), graph.getOutputList(),
        graph.getValueInfoList())) {
      for (ValueInfoProto v : values) {
        if (v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
          ranks.put(v.getName(), v.getType().getTensorType().getShape().getDimCount());
        }
      }
    }
    return ranks;
  }

  /** The node with alpha and beta, and transA/transB where missing, explicit. */
  private static NodeProto gemm(NodeProto.Builder n, float alpha, float beta) {
    n.addAttribute(AttributeProto.newBuilder().setName("alpha")
        .setType(AttributeProto.AttributeType.FLOAT).setF(alpha));
    n.addAttribute(AttributeProto.newBuilder().setName("beta")
        .setType(AttributeProto.AttributeType.FLOAT).setF(beta));
    for (String t : new String[] {"transA", "transB"}) {
      if (n.getAttributeList().stream().noneMatch(a -> t.equals(a.getName()))) {
        n.addAttribute(AttributeProto.newBuilder().setName(t)
            .setType(AttributeProto.AttributeType.INT).setI(0));
      }
    }
    return n.build();
  }

  private static float floatAttribute(NodeProto n, String name, float otherwise) {
    for (AttributeProto a : n.getAttributeList()) {
      if (name.equals(a.getName())) {
        return a.getF();
      }
    }
    return otherwise;
  }
}
