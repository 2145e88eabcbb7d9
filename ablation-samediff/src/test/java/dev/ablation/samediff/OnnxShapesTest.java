package dev.ablation.samediff;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ranks {@link OnnxShapes} finds in an export that declares none but its input's: every
 * input of a reduction, a layer norm, a softmax or a split of the tiny GPT (whose axes the
 * rewrites make non-negative), and the shapes of its shape arithmetic.
 */
class OnnxShapesTest {
  private static final Set<String> NEEDS_RANK =
      Set.of("ReduceMean", "LayerNormalization", "Softmax", "Split");

  @ParameterizedTest
  @ValueSource(ints = {14, 17})
  void everyAxisTheTinyGptReducesOverHasAKnownRank(int opset) throws Exception {
    GraphProto g = ModelProto.parseFrom(Files.readAllBytes(Path.of(
        "../fixtures/tiny-gpt/tiny-gpt-opset" + opset + ".onnx"))).getGraph();
    OnnxShapes shapes = OnnxShapes.of(g, initializersAndConstants(g));
    int checked = 0;
    for (NodeProto n : g.getNodeList()) {
      if (NEEDS_RANK.contains(n.getOpType())) {
        assertThat(shapes.rank(n.getInput(0))).as("rank of %s's input", n.getName())
            .isEqualTo(n.getOpType().equals("Softmax") ? 4 : 3);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(opset == 14 ? 10 + 2 + 2 : 5 + 2 + 2);
    assertThat(shapes.dims("/h.0/attn/c_attn/Add_output_0")).hasValueSatisfying(d ->
        assertThat(d).containsExactly(OnnxShapes.UNKNOWN, 32, 192));
    assertThat(shapes.dims("/h.0/attn/Split_output_1")).hasValueSatisfying(d ->
        assertThat(d).containsExactly(OnnxShapes.UNKNOWN, 32, 64));
    assertThat(shapes.dims("/h.0/attn/Concat_output_0")).hasValueSatisfying(d ->
        assertThat(d).containsExactly(4));
    assertThat(shapes.rank("/h.0/attn/Transpose_2_output_0")).isEqualTo(4);
    assertThat(shapes.rank("/h.0/attn/MatMul_output_0")).isEqualTo(4);
    assertThat(shapes.dims("logits")).hasValueSatisfying(d ->
        assertThat(d).containsExactly(OnnxShapes.UNKNOWN, 32, 34));
  }

  @Test
  void negativeAxesAreCountedFromTheRank() {
    assertThat(OnnxShapes.positive(-1, 3)).contains(2L);
    assertThat(OnnxShapes.positive(1, -1)).contains(1L);
    assertThat(OnnxShapes.positive(-1, -1)).isEmpty();
    assertThat(OnnxShapes.positive(-4, 3)).isEmpty();
    assertThat(OnnxShapes.positive(3, 3)).isEmpty();
  }

  private static Map<String, TensorProto> initializersAndConstants(GraphProto g) {
    Map<String, TensorProto> out = new HashMap<>();
    g.getInitializerList().forEach(t -> out.put(t.getName(), t));
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("Constant")) {
        out.put(n.getOutput(0), n.getAttribute(0).getT());
      }
    }
    return out;
  }
}
