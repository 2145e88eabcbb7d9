package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed ONNX exports are the unmodified PyTorch export of a GPT written as Hugging
 * Face's GPT-2 is, with what M2.1's importer cannot run in them before preparation: a rank-3
 * {@code MatMul} of activations by a weight ({@code Conv1D} on {@code [b, t, d]}), a 4-D
 * activation × activation {@code MatMul} (attention), {@code Softmax} and {@code Where} (the
 * causal mask).
 */
class OnnxExportShapeTest {
  @ParameterizedTest
  @ValueSource(ints = {14, 17})
  void theExportHoldsWhatTheImporterMeets(int opset) throws Exception {
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(TinyGptFixturesTest.FIXTURES
        .resolve("tiny-gpt-opset" + opset + ".onnx")));
    assertThat(m.getOpsetImportList()).anySatisfy(o -> assertThat(o.getVersion())
        .isEqualTo(opset));
    GraphProto g = m.getGraph();
    OnnxRanks ranks = new OnnxRanks(g);
    Set<String> ops = new TreeSet<>();
    boolean rank3ByWeight = false;
    boolean rank4ByActivation = false;
    for (NodeProto n : g.getNodeList()) {
      ops.add(n.getOpType());
      if (n.getOpType().equals("MatMul")) {
        String a = n.getInput(0);
        String b = n.getInput(1);
        rank3ByWeight |= ranks.of(a) == 3 && ranks.isWeight(b) && ranks.of(b) == 2;
        rank4ByActivation |= ranks.of(a) == 4 && ranks.of(b) == 4 && !ranks.isWeight(a)
            && !ranks.isWeight(b);
      }
    }
    assertThat(rank3ByWeight).as("a [b, t, d] x W MatMul").isTrue();
    assertThat(rank4ByActivation).as("a 4-D activation x activation MatMul").isTrue();
    assertThat(ops).contains("Softmax", "Where", "MatMul", "Gather");
    if (opset >= 17) {
      assertThat(ops).contains("LayerNormalization");
    } else {
      assertThat(ops).contains("ReduceMean", "Pow", "Sqrt").doesNotContain("LayerNormalization");
    }
  }
}
