package dev.ablation.samediff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Each of {@link OnnxModels}' rewrites on a model of one op (or a few), built with ONNX's
 * protobuf classes the way PyTorch 1.13 writes it (scalars and masks in {@code raw_data},
 * constants as {@code Constant} nodes, names with {@code ::}), imported with SameDiff's own
 * importer (M2.1) and run: the prepared model computes the values computed here in Java. Each
 * test also pins what the importer does with the model as exported, so that it fails, and says
 * which rewrite may go, once a newer importer takes the op itself.
 */
class OnnxModelsImportTest {
  @TempDir
  Path dir;

  @Test
  void namesWithColonsAreRenamedInInitializersNodesAndOutputs() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3))
        .addInitializer(floats("onnx::Add_1", new long[] {3}, 1f, 2f, 3f))
        .addNode(node("Add", List.of("x", "onnx::Add_1"), "y::sum"))
        .addNode(node("Identity", List.of("y::sum"), "out::y"))
        .addOutput(input("out::y", 1, -1, 3)).build();
    byte[] model = model(g, 14);
    assertThatThrownBy(() -> importModel(model, Map.of("x", x)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No variable name found for onnx::Add_1");

    byte[] prepared = OnnxModels.prepareForImport(model);
    GraphProto p = ModelProto.parseFrom(prepared).getGraph();
    assertThat(p.getInitializer(0).getName()).isEqualTo("onnx__Add_1");
    assertThat(p.getNode(0).getInputList()).containsExactly("x", "onnx__Add_1");
    assertThat(p.getOutput(0).getName()).isEqualTo("out__y");
    INDArray y = run(prepared, Map.of("x", x), "out__y");
    assertThat(y).isEqualTo(x.addRowVector(Nd4j.createFromArray(1f, 2f, 3f)));
  }

  @Test
  void powerBySmallIntegersBecomesProducts() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4).subi(0.5);
    for (float e : new float[] {2f, 3f}) {
      GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
          .addNode(constant("e", rawScalar(e)))
          .addNode(node("Pow", List.of("x", "e"), "y")).build();
      byte[] model = model(g, 14);
      assertThatThrownBy(() -> importModel(model, Map.of("x", x)))
          .as("Pow(x, %s) as exported", e).isInstanceOf(IndexOutOfBoundsException.class);
      byte[] prepared = OnnxModels.prepareForImport(model);
      assertThat(ModelProto.parseFrom(prepared).getGraph().getNodeList())
          .extracting(NodeProto::getOpType).containsOnly("Mul");
      INDArray want = e == 2f ? x.mul(x) : x.mul(x).mul(x);
      assertClose(run(prepared, Map.of("x", x), "y"), want, "x^" + e);
    }
    // an exponent products do not give is left for the importer (and fails there)
    GraphProto root = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
        .addNode(constant("e", rawScalar(0.5f)))
        .addNode(node("Pow", List.of("x", "e"), "y")).build();
    assertThat(ModelProto.parseFrom(OnnxModels.prepareForImport(model(root, 14))).getGraph()
        .getNodeList()).extracting(NodeProto::getOpType).containsExactly("Pow");
  }

  @Test
  void splitWithSizesAsAnInputBecomesSlices() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 6);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 6))
        .addNode(constant("sizes", longs(new long[] {3}, 1, 2, 3)))
        .addNode(NodeProto.newBuilder().setOpType("Split").setName("split").addInput("x")
            .addInput("sizes").addOutput("a").addOutput("b").addOutput("c")
            .addAttribute(intAttribute("axis", 2))).build();
    byte[] model = model(g, 14);
    assertThatThrownBy(() -> importModel(model, Map.of("x", x)))
        .hasMessageContaining("Could not determine number of output variables for op split");

    byte[] prepared = OnnxModels.prepareForImport(model);
    assertThat(ModelProto.parseFrom(prepared).getGraph().getNodeList())
        .extracting(NodeProto::getOpType).containsExactly("Slice", "Slice", "Slice");
    Map<String, INDArray> out = importModel(prepared, Map.of("x", x)).output(Map.of("x", x),
        "a", "b", "c");
    assertThat(out.get("a")).isEqualTo(lastAxis(x, 0, 1));
    assertThat(out.get("b")).isEqualTo(lastAxis(x, 1, 3));
    assertThat(out.get("c")).isEqualTo(lastAxis(x, 3, 6));
  }

  /**
   * GPT-2's head shape: {@code Concat(Unsqueeze(Gather(Shape(x), 0)), [4])}, with the index and
   * axes as PyTorch writes them (scalars in {@code raw_data}; here as initializers, so that the
   * {@code Constant}-node failure does not come first).
   */
  @Test
  void shapeArithmeticOnScalarsKeepsItsRanks() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
    for (long i : new long[] {0, 1}) {
      GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
          .addInitializer(rawLong("i", i)).addInitializer(named("axes", 0))
          .addInitializer(named("four", 4))
          .addNode(node("Relu", List.of("x"), "h"))
          .addNode(node("Shape", List.of("h"), "shape"))
          .addNode(node("Gather", List.of("shape", "i"), "size", intAttribute("axis", 0)))
          .addNode(node("Unsqueeze", List.of("size", "axes"), "size1"))
          .addNode(node("Concat", List.of("size1", "four"), "heads", intAttribute("axis", 0)))
          .build();
      byte[] model = model(g, 14);
      assertThatThrownBy(() -> importModel(model, Map.of("x", x)))
          .hasMessageContaining("Op concat with name").hasMessageContaining("failed to execute");
      INDArray heads = run(OnnxModels.prepareForImport(model), Map.of("x", x), "heads");
      assertThat(heads.toLongVector()).containsExactly(x.size((int) i), 4L);
    }
  }

  /** Attention's products {@code q·kᵀ} and {@code att·v}: 4-D by 4-D, both activations. */
  @Test
  void matMulOfTwo4DActivationsIsABatchedProduct() throws Exception {
    INDArray q = Nd4j.rand(DataType.FLOAT, 2, 4, 3, 5);
    INDArray k = Nd4j.rand(DataType.FLOAT, 2, 4, 5, 3);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("q", 1, -1, 4, -1, 5))
        .addInput(input("k", 1, -1, 4, 5, -1))
        .addNode(node("MatMul", List.of("q", "k"), "s")).build();
    byte[] model = model(g, 14);
    INDArray want = Nd4j.zeros(DataType.FLOAT, 2, 4, 3, 3);
    for (int b = 0; b < 2; b++) {
      for (int h = 0; h < 4; h++) {
        want.slice(b).slice(h).assign(q.slice(b).slice(h).mmul(k.slice(b).slice(h)));
      }
    }
    Map<String, INDArray> in = Map.of("q", q, "k", k);
    assertThat(maxDifference(run(model, in, "s"), want)).as("raw import").isGreaterThan(0.1);
    assertClose(run(OnnxModels.prepareForImport(model), in, "s"), want, "q·k");
  }

  /**
   * GPT-2's causal mask: {@code Where(bias[:, :, :t, :t], scores, masked_bias)} with the mask a
   * boolean initializer {@code [1, 1, 5, 5]}, sliced to {@code t}, broadcast over
   * {@code [batch, heads, t, t]} scores and a scalar fill.
   */
  @Test
  void whereOverABooleanMaskBecomesArithmeticOnAFloatMask() throws Exception {
    INDArray scores = Nd4j.rand(DataType.FLOAT, 2, 4, 3, 3);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("s", 1, -1, 4, 3, 3))
        .addInitializer(causalMask("h.0.attn.bias", 5))
        .addInitializer(rawScalar(-1e4f).toBuilder().setName("fill").build())
        .addInitializer(named("zero", 0))
        .addInitializer(named("three", 3))
        .addInitializer(named("rows", 2))
        .addInitializer(named("cols", 3))
        .addNode(node("Slice", List.of("h.0.attn.bias", "zero", "three", "rows"), "m1"))
        .addNode(node("Slice", List.of("m1", "zero", "three", "cols"), "m2"))
        .addNode(node("Where", List.of("m2", "s", "fill"), "y")).build();
    byte[] model = model(g, 14);
    assertThatThrownBy(() -> importModel(model, Map.of("s", scores)))
        .hasMessageContaining("Op [Where] execution failed");
    // the boolean initializer itself arrives with other values than it holds
    GraphProto cast = GraphProto.newBuilder().setName("g")
        .addInitializer(causalMask("bias", 5))
        .addNode(node("Cast", List.of("bias"), "f", intAttribute("to", 1))).build();
    INDArray tri5 = Nd4j.ones(DataType.FLOAT, 5, 5);
    for (int i = 0; i < 5; i++) {
      for (int j = i + 1; j < 5; j++) {
        tri5.putScalar(i, j, 0f);
      }
    }
    assertThat(run(model(cast, 14), Map.of(), "f").reshape(5, 5)).isNotEqualTo(tri5);

    byte[] prepared = OnnxModels.prepareForImport(model);
    GraphProto p = ModelProto.parseFrom(prepared).getGraph();
    assertThat(p.getInitializerList()).extracting(TensorProto::getName)
        .contains(OnnxMasks.MASK_PREFIX + "h.0.attn.bias").doesNotContain("h.0.attn.bias");
    INDArray want = scores.dup();
    for (int i = 0; i < 3; i++) {
      for (int j = i + 1; j < 3; j++) {
        want.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i),
            NDArrayIndex.point(j)).assign(-1e4f);
      }
    }
    assertThat(run(prepared, Map.of("s", scores), "y")).isEqualTo(want);
  }

  /** A condition computed in the graph (not a mask initializer) is cast to 0/1 first. */
  @Test
  void whereOverAComputedConditionBecomesArithmeticOnItsCast() throws Exception {
    INDArray a = Nd4j.rand(DataType.FLOAT, 2, 3);
    INDArray b = Nd4j.rand(DataType.FLOAT, 2, 3);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("a", 1, -1, 3))
        .addInput(input("b", 1, -1, 3))
        .addNode(node("Less", List.of("a", "b"), "c"))
        .addNode(node("Where", List.of("c", "a", "b"), "y")).build();
    byte[] prepared = OnnxModels.prepareForImport(model(g, 14));
    assertThat(ModelProto.parseFrom(prepared).getGraph().getNodeList())
        .extracting(NodeProto::getOpType).contains("Cast").doesNotContain("Where");
    assertThat(run(prepared, Map.of("a", a, "b", b), "y"))
        .isEqualTo(org.nd4j.linalg.ops.transforms.Transforms.min(a, b));
  }

  @Test
  void reduceMeanOverTheLastAxisIsWrittenWithAPositiveAxis() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
        .addNode(node("ReduceMean", List.of("x"), "m", intsAttribute("axes", -1),
            intAttribute("keepdims", 1))).build();
    byte[] model = model(g, 14);
    INDArray want = x.mean(true, 2);
    assertThat(maxDifference(run(model, Map.of("x", x), "m"), want)).as("raw import")
        .isGreaterThan(1e-3);
    byte[] prepared = OnnxModels.prepareForImport(model);
    assertThat(ModelProto.parseFrom(prepared).getGraph().getNode(0).getAttributeList())
        .filteredOn(a -> a.getName().equals("axes")).singleElement()
        .satisfies(a -> assertThat(a.getIntsList()).containsExactly(2L));
    assertClose(run(prepared, Map.of("x", x), "m"), want, "mean over the last axis");
  }

  @Test
  void layerNormalizationBecomesTheOpset14Decomposition() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4).muli(3);
    float[] gamma = {1f, 2f, 0.5f, -1f};
    float[] beta = {0f, 0.1f, -0.2f, 0.3f};
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
        .addInitializer(floats("ln.weight", new long[] {4}, gamma))
        .addInitializer(floats("ln.bias", new long[] {4}, beta))
        .addNode(node("LayerNormalization", List.of("x", "ln.weight", "ln.bias"), "y",
            intAttribute("axis", -1), AttributeProto.newBuilder().setName("epsilon")
                .setType(AttributeProto.AttributeType.FLOAT).setF(1e-5f).build())).build();
    byte[] model = model(g, 17);
    assertThatThrownBy(() -> importModel(model, Map.of("x", x)))
        .hasMessageContaining("No import process defined for LayerNormalization");

    INDArray centred = x.sub(x.mean(true, 2));
    INDArray deviation = org.nd4j.linalg.ops.transforms.Transforms.sqrt(
        centred.mul(centred).mean(true, 2).add(1e-5), false);
    INDArray want = centred.div(deviation).reshape(6, 4)
        .mulRowVector(Nd4j.createFromArray(gamma)).addRowVector(Nd4j.createFromArray(beta))
        .reshape(2, 3, 4);
    assertClose(run(OnnxModels.prepareForImport(model), Map.of("x", x), "y"), want,
        "layer norm");
  }

  @Test
  void reshapeLosesItsDefaultAllowzero() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
        .addInitializer(named("shape", -1, 12))
        .addNode(node("Reshape", List.of("x", "shape"), "y", intAttribute("allowzero", 0)))
        .build();
    byte[] model = model(g, 14);
    assertThatThrownBy(() -> importModel(model, Map.of("x", x)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("kotlin.collections.List");
    assertThat(run(OnnxModels.prepareForImport(model), Map.of("x", x), "y"))
        .isEqualTo(x.reshape(2, 12));
  }

  /**
   * PyTorch names a node {@code /Reshape} and its output {@code /Reshape_output_0}; prepared,
   * every node is named as its output, and the imported graph's links hold: each op a
   * variable lists as its consumer exists ({@code LayerMap} walks them).
   */
  @Test
  void nodesAreNamedAsTheirOutputsSoTheImportedGraphLinksUp() throws Exception {
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 1, -1, 3, 4))
        .addInitializer(named("shape", -1, 12))
        .addNode(node("Reshape", List.of("x", "shape"), "y"))
        .addNode(node("Relu", List.of("y"), "z")).build();
    byte[] model = model(g, 14);
    assertThat(missingConsumers(importModel(model, Map.of("x", x)))).as("raw import").isNotEmpty();
    byte[] prepared = OnnxModels.prepareForImport(model);
    assertThat(ModelProto.parseFrom(prepared).getGraph().getNodeList())
        .allSatisfy(n -> assertThat(n.getName()).isEqualTo(n.getOutput(0)));
    SameDiff sd = importModel(prepared, Map.of("x", x));
    assertThat(missingConsumers(sd)).isEmpty();
    assertThat(sd.output(Map.of("x", x), "z").get("z"))
        .isEqualTo(org.nd4j.linalg.ops.transforms.Transforms.relu(x.reshape(2, 12), true));
  }

  /** The op names variables list as their consumers that the graph does not hold. */
  private static java.util.Set<String> missingConsumers(SameDiff sd) {
    java.util.Set<String> missing = new java.util.TreeSet<>();
    sd.getVariables().values().forEach(v -> {
      if (v.getInputsForOp() != null) {
        v.getInputsForOp().stream().filter(op -> !sd.getOps().containsKey(op))
            .forEach(missing::add);
      }
    });
    return missing;
  }

  // ---- helpers: models as PyTorch writes them, the importer, values

  private INDArray run(byte[] model, Map<String, INDArray> in, String output) throws Exception {
    return importModel(model, in).output(in, output).get(output);
  }

  private SameDiff importModel(byte[] model, Map<String, INDArray> in) throws Exception {
    Path f = Files.createTempFile(dir, "model", ".onnx");
    Files.write(f, model);
    return new OnnxFrameworkImporter().runImport(f.toString(), in, false);
  }

  private static void assertClose(INDArray got, INDArray want, String what) {
    assertThat(got.shape()).as("%s: shape", what).containsExactly(want.shape());
    double scale = Math.max(1, want.amaxNumber().doubleValue());
    assertThat(maxDifference(got, want)).as("%s: max |difference|", what)
        .isLessThanOrEqualTo(1e-5 * scale);
  }

  private static double maxDifference(INDArray got, INDArray want) {
    if (!java.util.Arrays.equals(got.shape(), want.shape())) {
      return Double.POSITIVE_INFINITY;
    }
    return got.castTo(DataType.DOUBLE).sub(want.castTo(DataType.DOUBLE)).amaxNumber()
        .doubleValue();
  }

  private static INDArray lastAxis(INDArray x, int from, int to) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to));
  }

  static byte[] model(GraphProto g, int opset) {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(g).build().toByteArray();
  }

  /** A graph input; negative dims are dynamic. */
  static ValueInfoProto input(String name, int type, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("d").build()
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d).build());
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
  }

  /** A node named as PyTorch names it: not as its output. */
  static NodeProto node(String op, List<String> in, String out, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName("/" + op + "_" + out)
        .addAllInput(in).addOutput(out);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    return n.build();
  }

  static NodeProto constant(String out, TensorProto value) {
    return node("Constant", List.of(), out, AttributeProto.newBuilder().setName("value")
        .setType(AttributeProto.AttributeType.TENSOR).setT(value).build());
  }

  static AttributeProto intAttribute(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(v).build();
  }

  static AttributeProto intsAttribute(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  static TensorProto floats(String name, long[] dims, float... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
    for (long d : dims) {
      t.addDims(d);
    }
    for (float x : v) {
      t.addFloatData(x);
    }
    return t.build();
  }

  /** A named 1-D INT64 initializer. */
  static TensorProto named(String name, long... v) {
    return longs(new long[] {v.length}, v).toBuilder().setName(name).build();
  }

  static TensorProto longs(long[] dims, long... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(7);
    for (long d : dims) {
      t.addDims(d);
    }
    for (long x : v) {
      t.addInt64Data(x);
    }
    return t.build();
  }

  /** A rank-0 FLOAT in {@code raw_data}, as PyTorch writes a constant exponent or fill. */
  static TensorProto rawScalar(float v) {
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
    return TensorProto.newBuilder().setDataType(1).setRawData(ByteString.copyFrom(b.array()))
        .build();
  }

  /** A rank-0 INT64 initializer in {@code raw_data}, as PyTorch writes an index. */
  static TensorProto rawLong(String name, long v) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    return TensorProto.newBuilder().setName(name).setDataType(7)
        .setRawData(ByteString.copyFrom(b.array())).build();
  }

  /** GPT-2's {@code attn.bias}: a lower-triangular BOOL {@code [1, 1, n, n]} in raw_data. */
  static TensorProto causalMask(String name, int n) {
    byte[] raw = new byte[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        raw[i * n + j] = 1;
      }
    }
    return TensorProto.newBuilder().setName(name).setDataType(9).addDims(1).addDims(1)
        .addDims(n).addDims(n).setRawData(ByteString.copyFrom(raw)).build();
  }
}
