package dev.ablation.samediff;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * Rewrites an ONNX model so that SameDiff 1.0.0-M2.1's ONNX importer
 * ({@code org.nd4j:samediff-import-onnx}) accepts what PyTorch exports, without changing what
 * the model computes. Each rewrite was found by importing a model of one op (or a few) built as
 * PyTorch 1.13 writes it, and checked against values computed in Java (OnnxModelsImportTest);
 * together they import PyTorch's export of a GPT-2-style model (opsets 14 and 17) with
 * PyTorch's logits (OnnxGptImportTest; docs/own-model.md has the op-by-op table):
 * <ul>
 *   <li>Names with {@code :} ({@code onnx::Where_314}) become names with {@code _}
 *       ({@code OnnxNames}).
 *   <li>{@code Constant} nodes become initializers of the same name. The importer reads an
 *       {@code Unsqueeze}'s axes (opset 13, where they are an input) and a {@code Gather}'s
 *       indices only from initializers: from a {@code Constant} node the first fails with a
 *       {@code NullPointerException} in {@code Unsqueeze.kt:46}, the second (e.g.
 *       {@code Gather(Shape(x), 0)}) with "output op named … did not have any ops associated
 *       with it". Scalars move from {@code raw_data} to typed fields
 *       ({@code OnnxTensors.scalarTyped}): the importer reads a rank-0 {@code raw_data} tensor
 *       as {@code [1, 1]}.
 *   <li>Boolean initializers that only mask a {@code Where} become FLOAT 0/1 initializers
 *       named {@code prepared/mask/<name>}, and {@code Where(c, a, b)} becomes
 *       {@code a·c + b·(1 − c)} ({@code where}).
 *   <li>Reductions get {@code keepdims} explicit (ONNX's default 1, which the importer otherwise
 *       ignores: it drops the reduced axis) and their axes non-negative where the input's rank
 *       follows from the graph ({@code OnnxShapes}): {@code ReduceMean(axes=[-1], keepdims=1)}
 *       of a rank-3 input computes wrong means.
 *   <li>{@code LayerNormalization} (opset 17) becomes its opset-14 decomposition,
 *       {@code Pow(x, 2)} and {@code Pow(x, 3)} become products, {@code Split} becomes
 *       {@code Slice}s, {@code Reshape} loses a default {@code allowzero=0}: each is an op the
 *       importer cannot take as exported (see each method).
 *   <li>{@code MatMul} becomes {@code Gemm} with {@code alpha=1}, {@code beta=0} and no
 *       transposes, all explicit: the importer computes a 2-D {@code MatMul} as zeros
 *       (silently), a 4-D one wrongly, and a {@code Gemm} whose attributes are left to their
 *       defaults as zeros (it takes a missing {@code alpha} as 0). As a {@code Gemm}, a 4-D
 *       product of two activations (attention's {@code q·kᵀ}, {@code att·v}) is computed as
 *       ONNX's batched {@code MatMul}. A {@code Gemm} with a bias {@code C} becomes a
 *       {@code Gemm} without it followed by an {@code Add}: the importer drops {@code C}.
 *   <li>{@code MatMul(A, W)} with {@code W} a 2-D initializer {@code [k, n]} and {@code A} not
 *       known to be 2-D (a transformer's {@code [batch, pos, d]} projection; PyTorch's export
 *       records no ranks for intermediate values) becomes {@code Reshape(A, [-1, k])}, that
 *       {@code Gemm}, and a {@code Reshape} back to {@code Shape(A)[:-1] ++ [n]}, so the leading
 *       dimensions stay dynamic: the importer fails on a rank-3 {@code MatMul} ("Op matmul …
 *       failed to execute"). In ONNX's terms it is {@code MatMul} for any rank of {@code A}
 *       (imported and checked for ranks 3 and 4 in it/onnx-import).
 *   <li>Every node is named as its first output ({@code namedAsOutputs}).
 * </ul>
 * What the rewrites add is named {@code prepared/<output>/…}, outside the model's own names.
 * The imported graph holds the weights as constants: map it with
 * {@code LayerMap.builder().includeConstants()}. It comes back in eager mode: call
 * {@code sd.disableEagerMode()} before adding a loss on new placeholders.
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
    GraphProto named = OnnxNames.withoutColons(graph);
    GraphProto g = OnnxMasks.floatMasks(constantsAsInitializers(named));
    Map<String, TensorProto> initializers = new HashMap<>();
    g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    OnnxShapes shapes = OnnxShapes.of(g, initializers);
    Set<String> floatMasks = OnnxMasks.carriedMasks(g);
    GraphProto.Builder b = g.toBuilder().clearNode();
    for (NodeProto n : g.getNodeList()) {
      String op = n.getOpType();
      if ("MatMul".equals(op) && n.getInputCount() == 2
          && initializers.containsKey(n.getInput(1))
          && initializers.get(n.getInput(1)).getDimsCount() == 2
          && shapes.rank(n.getInput(0)) != 2) {
        byWeight(b, n, initializers.get(n.getInput(1)));
      } else if (op.startsWith("Reduce") && n.getInputCount() == 1) {
        b.addNode(reduction(n, shapes.rank(n.getInput(0))));
      } else if ("LayerNormalization".equals(op) && layerNorm(b, n, shapes)
          || "Pow".equals(op) && power(b, n, initializers)
          || "Split".equals(op) && split(b, n, shapes, initializers)) {
        continue; // written as other ops
      } else if ("Where".equals(op) && n.getInputCount() == 3) {
        OnnxMasks.where(b, n, floatMasks.contains(n.getInput(0)));
      } else if ("Reshape".equals(op) && OnnxShapes.intAttribute(n, "allowzero", 1) == 0) {
        b.addNode(withoutAttribute(n, "allowzero"));
      } else if ("MatMul".equals(op) && n.getInputCount() == 2) {
        b.addNode(gemm(n.toBuilder().clearAttribute().setOpType("Gemm"), 1f, 0f));
      } else if ("Gemm".equals(op)) {
        float alpha = floatAttribute(n, "alpha", 1f);
        float beta = floatAttribute(n, "beta", 1f);
        NodeProto.Builder gm = n.toBuilder().clearAttribute();
        for (AttributeProto a : n.getAttributeList()) {
          if (!"alpha".equals(a.getName()) && !"beta".equals(a.getName())) {
            gm.addAttribute(a);
          }
        }
        if (n.getInputCount() < 3 || n.getInput(2).isEmpty() || beta != 1f) {
          b.addNode(gemm(gm, alpha, beta)); // beta != 1: not rewritten (documented above)
        } else {
          String product = n.getOutput(0) + "__ab";
          gm.clearInput().addInput(n.getInput(0)).addInput(n.getInput(1))
              .clearOutput().addOutput(product);
          b.addNode(gemm(gm, alpha, 0f));
          b.addNode(NodeProto.newBuilder().setOpType("Add").setName(n.getName() + "__c")
              .addInput(product).addInput(n.getInput(2)).addOutput(n.getOutput(0)));
        }
      } else {
        b.addNode(n);
      }
    }
    return namedAsOutputs(b.build());
  }

  /**
   * The graph with every node named as its first output (PyTorch names a node
   * {@code /h.0/attn/Reshape} and its output {@code /h.0/attn/Reshape_output_0}). M2.1's
   * importer renames some ops ({@code Reshape}, {@code Slice}, …) after their output but leaves
   * their inputs listing the node's own name as their consumer, so a walk of the imported graph
   * ({@code LayerMap}'s check that a gradient reaches a weight) meets ops that do not exist. And
   * with PyTorch's names the tiny GPT's import returned without {@code logits}: it adds a
   * variable named after each {@code Identity} node ({@code Identity_1}, which shares
   * {@code h.0.attn.bias} as {@code h.1.attn.bias}), and every node downstream of that
   * {@code Identity} was missing, silently.
   */
  private static GraphProto namedAsOutputs(GraphProto g) {
    GraphProto.Builder b = g.toBuilder();
    for (int i = 0; i < b.getNodeCount(); i++) {
      NodeProto n = b.getNode(i);
      if (n.getOutputCount() > 0 && !n.getOutput(0).isEmpty()) {
        b.setNode(i, n.toBuilder().setName(n.getOutput(0)));
      }
    }
    return b.build();
  }

  /**
   * Every {@code Constant} node holding a tensor as an initializer of its output's name, and
   * every scalar in typed fields ({@link OnnxTensors#scalarTyped}).
   */
  private static GraphProto constantsAsInitializers(GraphProto graph) {
    GraphProto.Builder b = graph.toBuilder().clearNode().clearInitializer();
    graph.getInitializerList().forEach(t -> b.addInitializer(OnnxTensors.scalarTyped(t)));
    for (NodeProto n : graph.getNodeList()) {
      if ("Constant".equals(n.getOpType()) && n.getOutputCount() == 1
          && n.getAttributeCount() == 1 && "value".equals(n.getAttribute(0).getName())) {
        b.addInitializer(OnnxTensors.scalarTyped(
            n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)).build()));
      } else {
        b.addNode(n);
      }
    }
    return b.build();
  }

  /**
   * A reduction with its attribute axes written as non-negative ones where the input's rank is
   * known, and {@code keepdims} explicit. M2.1 computes {@code ReduceMean(axes=[-1],
   * keepdims=1)} of a rank-3 input wrongly, silently (layer norm's mean and variance); with
   * {@code keepdims=0}, or the axis written as 2, it is exact. The importer also ignores a
   * missing {@code keepdims} (ONNX's default is 1) and drops the axis.
   */
  private static NodeProto reduction(NodeProto n, int rank) {
    long[] axes = OnnxShapes.intsAttribute(n, "axes");
    NodeProto.Builder r = n.toBuilder().clearAttribute();
    for (AttributeProto a : n.getAttributeList()) {
      if (!"axes".equals(a.getName()) && !"keepdims".equals(a.getName())) {
        r.addAttribute(a);
      }
    }
    if (axes != null) {
      AttributeProto.Builder positive = AttributeProto.newBuilder().setName("axes")
          .setType(AttributeProto.AttributeType.INTS);
      for (long a : axes) {
        positive.addInts(OnnxShapes.positive(a, rank).orElse(a));
      }
      r.addAttribute(positive);
    }
    r.addAttribute(intAttribute("keepdims", OnnxShapes.intAttribute(n, "keepdims", 1)));
    return r.build();
  }

  /**
   * {@code LayerNormalization(X, γ, β, axis, epsilon)} (opset 17; M2.1 has no importer rule for
   * it) as the graph PyTorch exports for {@code nn.LayerNorm} at opset 14: {@code m = mean(X)},
   * {@code d = X − m}, {@code v = mean(d·d)}, {@code Y = d / sqrt(v + ε) · γ + β}, the means over
   * the axes from {@code axis} on, written as non-negative ones. False (the node left alone) where
   * the input's rank is not known or the node asks for its optional mean or inverse-deviation
   * outputs.
   */
  private static boolean layerNorm(GraphProto.Builder b, NodeProto n, OnnxShapes shapes) {
    int rank = shapes.rank(n.getInput(0));
    Optional<Long> axis = OnnxShapes.positive(OnnxShapes.intAttribute(n, "axis", -1), rank);
    boolean extraOutputs = n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty());
    if (axis.isEmpty() || extraOutputs || n.getInputCount() < 2) {
      return false;
    }
    String x = n.getInput(0);
    String out = n.getOutput(0);
    String p = PREFIX + out + "/";
    AttributeProto.Builder axes = AttributeProto.newBuilder().setName("axes")
        .setType(AttributeProto.AttributeType.INTS);
    for (long a = axis.get(); a < rank; a++) {
      axes.addInts(a);
    }
    float epsilon = floatAttribute(n, "epsilon", 1e-5f);
    b.addInitializer(OnnxTensors.scalar(p + "epsilon", epsilon));
    b.addNode(op("ReduceMean", List.of(x), p + "mean").toBuilder().addAttribute(axes)
        .addAttribute(intAttribute("keepdims", 1)).build());
    b.addNode(op("Sub", List.of(x, p + "mean"), p + "centred"));
    b.addNode(op("Mul", List.of(p + "centred", p + "centred"), p + "squared"));
    b.addNode(op("ReduceMean", List.of(p + "squared"), p + "variance").toBuilder()
        .addAttribute(axes).addAttribute(intAttribute("keepdims", 1)).build());
    b.addNode(op("Add", List.of(p + "variance", p + "epsilon"), p + "shifted"));
    b.addNode(op("Sqrt", List.of(p + "shifted"), p + "deviation"));
    b.addNode(op("Div", List.of(p + "centred", p + "deviation"), p + "normalised"));
    boolean biased = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
    b.addNode(op("Mul", List.of(p + "normalised", n.getInput(1)), biased ? p + "scaled" : out));
    if (biased) {
      b.addNode(op("Add", List.of(p + "scaled", n.getInput(2)), out));
    }
    return true;
  }

  /** The largest integer exponent {@link #power} writes as products. */
  static final int MAX_PRODUCT_EXPONENT = 4;

  /**
   * {@code Pow(x, c)} with {@code c} a constant integer from 1 to {@value #MAX_PRODUCT_EXPONENT}
   * (layer norm's square, the tanh GELU's cube) as {@code x·x·…·x}: M2.1 maps {@code Pow} to
   * {@code pow_pairwise} and fails at import ("IndexOutOfBoundsException: Index 1 out of bounds
   * for length 1"). False (the node left alone) for any other exponent.
   */
  private static boolean power(GraphProto.Builder b, NodeProto n,
      Map<String, TensorProto> initializers) {
    TensorProto e = n.getInputCount() == 2 ? initializers.get(n.getInput(1)) : null;
    double[] v = e == null ? null : OnnxTensors.doubles(e);
    if (v == null || v.length != 1 || v[0] != Math.rint(v[0]) || v[0] < 1
        || v[0] > MAX_PRODUCT_EXPONENT) {
      return false;
    }
    String x = n.getInput(0);
    String out = n.getOutput(0);
    int k = (int) v[0];
    if (k == 1) {
      b.addNode(op("Identity", List.of(x), out));
      return true;
    }
    String product = x;
    for (int i = 2; i <= k; i++) {
      String next = i == k ? out : PREFIX + out + "/power" + i;
      b.addNode(op("Mul", List.of(product, x), next));
      product = next;
    }
    return true;
  }

  /**
   * {@code Split(x, sizes)} (the sizes an input from opset 13, an attribute before) as one
   * {@code Slice} per output, with constant starts, ends and axis: M2.1 cannot tell how many
   * outputs its {@code split} has ("ND4UnresolvedOutputVariables: Could not determine number of
   * output variables for op split"). Without sizes (equal parts) the axis' length must be known.
   * False (the node left alone) where the sizes are not constant.
   */
  private static boolean split(GraphProto.Builder b, NodeProto n, OnnxShapes shapes,
      Map<String, TensorProto> initializers) {
    String x = n.getInput(0);
    int rank = shapes.rank(x);
    long axis = OnnxShapes.positive(OnnxShapes.intAttribute(n, "axis", 0), rank)
        .orElse(OnnxShapes.intAttribute(n, "axis", 0));
    long[] sizes = OnnxShapes.intsAttribute(n, "split");
    if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
      TensorProto t = initializers.get(n.getInput(1));
      sizes = t == null ? null : OnnxTensors.longs(t);
    } else if (sizes == null && axis >= 0) {
      long length = shapes.dims(x).filter(d -> axis < d.length).map(d -> d[(int) axis])
          .orElse(OnnxShapes.UNKNOWN);
      int parts = n.getOutputCount();
      if (length != OnnxShapes.UNKNOWN && length % parts == 0) {
        sizes = new long[parts];
        Arrays.fill(sizes, length / parts);
      }
    }
    if (sizes == null || sizes.length != n.getOutputCount()) {
      return false;
    }
    long start = 0;
    for (int i = 0; i < sizes.length; i++) {
      String out = n.getOutput(i);
      String p = PREFIX + out + "/";
      b.addInitializer(OnnxTensors.longs(p + "start", start));
      b.addInitializer(OnnxTensors.longs(p + "end", start + sizes[i]));
      b.addInitializer(OnnxTensors.longs(p + "axis", axis));
      b.addNode(op("Slice", List.of(x, p + "start", p + "end", p + "axis"), out));
      start += sizes[i];
    }
    return true;
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
    b.addInitializer(OnnxTensors.longs(p + "flat", -1, k));
    b.addInitializer(OnnxTensors.longs(p + "start", 0));
    b.addInitializer(OnnxTensors.longs(p + "end", -1));
    b.addInitializer(OnnxTensors.longs(p + "axis", 0));
    b.addInitializer(OnnxTensors.longs(p + "n", cols));
    b.addNode(op("Shape", List.of(a), p + "shape"));
    b.addNode(op("Slice", List.of(p + "shape", p + "start", p + "end", p + "axis"), p + "lead"));
    b.addNode(op("Concat", List.of(p + "lead", p + "n"), p + "outshape").toBuilder()
        .addAttribute(AttributeProto.newBuilder().setName("axis")
            .setType(AttributeProto.AttributeType.INT).setI(0)).build());
    b.addNode(op("Reshape", List.of(a, p + "flat"), p + "2d"));
    b.addNode(gemm(op("Gemm", List.of(p + "2d", n.getInput(1)), p + "mm").toBuilder(), 1f, 0f));
    b.addNode(op("Reshape", List.of(p + "mm", p + "outshape"), out));
  }

  /**
   * The node without that attribute. Used for {@code Reshape}'s {@code allowzero=0} (opset 14,
   * ONNX's default, which PyTorch writes out): M2.1's {@code Reshape} takes any attribute as the
   * old {@code shape} attribute and fails ("NullPointerException: null cannot be cast to
   * non-null type kotlin.collections.List", {@code Reshape.kt:53}).
   */
  private static NodeProto withoutAttribute(NodeProto n, String name) {
    NodeProto.Builder r = n.toBuilder().clearAttribute();
    n.getAttributeList().stream().filter(a -> !name.equals(a.getName())).forEach(r::addAttribute);
    return r.build();
  }

  /** A node named as its one output. */
  static NodeProto op(String type, List<String> inputs, String output) {
    return NodeProto.newBuilder().setOpType(type).setName(output).addAllInput(inputs)
        .addOutput(output).build();
  }

  static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(value).build();
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
