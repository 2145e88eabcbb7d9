package dev.ablation.samediff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** The rewrite that lets M2.1's ONNX importer take what PyTorch exports (it/onnx-import runs it). */
class OnnxModelsTest {

  @Test
  void constantNodesBecomeInitializersAndReduceMeanGetsItsDefaultKeepdims() throws Exception {
    TensorProto axes = TensorProto.newBuilder().setDataType(7).addDims(1).addInt64Data(1).build();
    NodeProto constant = NodeProto.newBuilder().setOpType("Constant").addOutput("axes")
        .addAttribute(AttributeProto.newBuilder().setName("value")
            .setType(AttributeProto.AttributeType.TENSOR).setT(axes)).build();
    NodeProto unsqueeze = NodeProto.newBuilder().setOpType("Unsqueeze").addInput("x")
        .addInput("axes").addOutput("y").build();
    NodeProto mean = NodeProto.newBuilder().setOpType("ReduceMean").addInput("y")
        .addOutput("m").build();
    ModelProto model = ModelProto.newBuilder().setGraph(GraphProto.newBuilder()
        .addNode(constant).addNode(unsqueeze).addNode(mean)).build();

    GraphProto g = ModelProto.parseFrom(OnnxModels.prepareForImport(model.toByteArray()))
        .getGraph();

    assertThat(g.getNodeList()).extracting(NodeProto::getOpType)
        .containsExactly("Unsqueeze", "ReduceMean");
    assertThat(g.getInitializerList()).singleElement()
        .satisfies(t -> assertThat(t.getName()).isEqualTo("axes"))
        .satisfies(t -> assertThat(t.getInt64DataList()).containsExactly(1L));
    assertThat(g.getNode(0)).isEqualTo(unsqueeze.toBuilder().setName("y").build());
    assertThat(g.getNode(1).getAttributeList()).singleElement()
        .satisfies(a -> assertThat(a.getName()).isEqualTo("keepdims"))
        .satisfies(a -> assertThat(a.getI()).isEqualTo(1L));
  }

  @Test
  void matMulAndGemmGetExplicitAttributesAndGemmsBiasBecomesAnAdd() throws Exception {
    NodeProto matmul = NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w")
        .addOutput("h").build();
    NodeProto gemm = NodeProto.newBuilder().setOpType("Gemm").setName("fc").addInput("h")
        .addInput("w2").addInput("b").addOutput("y").build();
    ModelProto model = ModelProto.newBuilder().setGraph(GraphProto.newBuilder()
        .addNode(matmul).addNode(gemm)).build();

    GraphProto g = ModelProto.parseFrom(OnnxModels.prepareForImport(model.toByteArray()))
        .getGraph();

    assertThat(g.getNodeList()).extracting(NodeProto::getOpType)
        .containsExactly("Gemm", "Gemm", "Add");
    assertThat(g.getNode(0).getAttributeList()).extracting(AttributeProto::getName)
        .containsExactlyInAnyOrder("alpha", "beta", "transA", "transB");
    assertThat(g.getNode(0).getAttributeList()).filteredOn(a -> a.getName().equals("beta"))
        .singleElement().satisfies(a -> assertThat(a.getF()).isEqualTo(0f));
    assertThat(g.getNode(1).getInputList()).containsExactly("h", "w2");
    assertThat(g.getNode(2).getInputList()).containsExactly(g.getNode(1).getOutput(0), "b");
    assertThat(g.getNode(2).getOutputList()).containsExactly("y");
  }

  @Test
  void matMulByA2DWeightOfAnInputNotKnownToBe2DIsReshapedAroundAGemm() throws Exception {
    TensorProto w = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4).addDims(5)
        .build();
    NodeProto matmul = NodeProto.newBuilder().setOpType("MatMul").setName("proj").addInput("x")
        .addInput("w").addOutput("y").build();
    NodeProto flat = NodeProto.newBuilder().setOpType("MatMul").addInput("x2").addInput("w")
        .addOutput("y2").build();
    NodeProto attention = NodeProto.newBuilder().setOpType("MatMul").addInput("y").addInput("k")
        .addOutput("s").build();
    ModelProto model = ModelProto.newBuilder().setGraph(GraphProto.newBuilder()
        .addInput(rankOf("x2", 2)).addInitializer(w)
        .addNode(matmul).addNode(flat).addNode(attention)).build();

    GraphProto g = ModelProto.parseFrom(OnnxModels.prepareForImport(model.toByteArray()))
        .getGraph();

    assertThat(g.getNodeList()).extracting(NodeProto::getOpType).containsExactly(
        "Shape", "Slice", "Concat", "Reshape", "Gemm", "Reshape", "Gemm", "Gemm");
    NodeProto shape = g.getNode(0);
    NodeProto lead = g.getNode(1);
    NodeProto outShape = g.getNode(2);
    NodeProto to2d = g.getNode(3);
    NodeProto gemm = g.getNode(4);
    NodeProto back = g.getNode(5);
    assertThat(shape.getInputList()).containsExactly("x");
    assertThat(lead.getInput(0)).isEqualTo(shape.getOutput(0));
    assertThat(ints(g, lead.getInput(1))).containsExactly(0L);
    assertThat(ints(g, lead.getInput(2))).containsExactly(-1L);
    assertThat(ints(g, lead.getInput(3))).containsExactly(0L);
    assertThat(outShape.getInput(0)).isEqualTo(lead.getOutput(0));
    assertThat(ints(g, outShape.getInput(1))).containsExactly(5L);
    assertThat(outShape.getAttributeList()).singleElement()
        .satisfies(a -> assertThat(a.getName()).isEqualTo("axis"))
        .satisfies(a -> assertThat(a.getI()).isEqualTo(0L));
    assertThat(to2d.getInput(0)).isEqualTo("x");
    assertThat(ints(g, to2d.getInput(1))).containsExactly(-1L, 4L);
    assertThat(gemm.getInputList()).containsExactly(to2d.getOutput(0), "w");
    assertThat(gemm.getAttributeList()).filteredOn(a -> a.getName().equals("beta"))
        .singleElement().satisfies(a -> assertThat(a.getF()).isEqualTo(0f));
    assertThat(back.getInputList()).containsExactly(gemm.getOutput(0), outShape.getOutput(0));
    assertThat(back.getOutputList()).containsExactly("y");
    assertThat(g.getNodeList().subList(0, 6)).allSatisfy(n -> assertThat(n.getName())
        .as("node named as its output").isEqualTo(n.getOutput(0)));
    assertThat(g.getNodeList().subList(0, 5)).allSatisfy(n -> assertThat(n.getOutput(0))
        .startsWith("prepared/y/"));
    assertThat(g.getInitializerList()).extracting(TensorProto::getName)
        .filteredOn(n -> !n.equals("w")).hasSize(5).allMatch(n -> n.startsWith("prepared/y/"));
    // x2 is declared 2-D: the plain Gemm; two activations: the plain Gemm too
    assertThat(g.getNode(6).getInputList()).containsExactly("x2", "w");
    assertThat(g.getNode(6).getOutputList()).containsExactly("y2");
    assertThat(g.getNode(7).getInputList()).containsExactly("y", "k");
  }

  /** A graph input of the given rank, every dimension dynamic. */
  private static onnx.Onnx.ValueInfoProto rankOf(String name, int rank) {
    onnx.Onnx.TensorShapeProto.Builder s = onnx.Onnx.TensorShapeProto.newBuilder();
    for (int i = 0; i < rank; i++) {
      s.addDim(onnx.Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("d" + i));
    }
    return onnx.Onnx.ValueInfoProto.newBuilder().setName(name).setType(onnx.Onnx.TypeProto
        .newBuilder().setTensorType(onnx.Onnx.TypeProto.Tensor.newBuilder().setElemType(1)
            .setShape(s))).build();
  }

  /** The INT64 values of the initializer of that name. */
  private static java.util.List<Long> ints(GraphProto g, String name) {
    return g.getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no initializer " + name))
        .getInt64DataList();
  }

  @Test
  void bytesThatAreNotAModelAreRefused() {
    assertThatThrownBy(() -> OnnxModels.prepareForImport(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ONNX model");
  }
}
