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
    assertThat(g.getNode(0)).isEqualTo(unsqueeze);
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
  void bytesThatAreNotAModelAreRefused() {
    assertThatThrownBy(() -> OnnxModels.prepareForImport(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ONNX model");
  }
}
