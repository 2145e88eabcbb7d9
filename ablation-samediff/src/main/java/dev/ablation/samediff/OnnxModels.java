package dev.ablation.samediff;

import java.util.Objects;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
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
 *       A {@code MatMul} of a 3-D input (a transformer's {@code [batch, pos, d]}) still fails
 *       in the importer ("Op matmul … failed to execute"), before and after.
 * </ul>
 * The imported graph holds the weights as constants: map it with
 * {@code LayerMap.builder().includeConstants()}.
 */
public final class OnnxModels {
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
    for (NodeProto n : graph.getNodeList()) {
      if ("Constant".equals(n.getOpType()) && n.getOutputCount() == 1
          && n.getAttributeCount() == 1 && "value".equals(n.getAttribute(0).getName())) {
        b.addInitializer(n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)));
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
