package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerKind;
import dev.ablation.api.ParameterInfo;
import dev.ablation.samediff.Batch;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameter kinds mean what ZERO_OUTPUT relies on: in a pre-LN model, a block whose
 * OUTPUT_WEIGHT and OUTPUT_BIAS parameters are zero is the identity, whatever its other
 * parameters hold.
 */
class OutputKindsTest {

  static List<TransformerConfig> preLn() {
    return List.of(TinyModels.decoder(), TinyModels.encoder(),
        TinyModels.encoderDecoderWithProjection());
  }

  @ParameterizedTest
  @MethodSource("preLn")
  void aPreLnBlockWithZeroOutputsIsTheIdentity(TransformerConfig config) {
    ReferenceModel m = ReferenceModel.build(config);
    Batch b = ReferenceBatches.of(m).batch(TinyModels.examples(config, 3, 8));
    List<LayerInfo> blocks = m.layers().layout().layersOf(LayerKind.BLOCK);
    assertTrue(blocks.size() >= 2);
    for (LayerInfo block : blocks) {
      for (ParameterInfo p : block.parameters()) {
        if (p.kind().isOutput()) {
          arr(m, p).assign(0);
        }
      }
      INDArray before = logits(m, b);
      int scrambled = 0;
      for (ParameterInfo p : block.parameters()) {
        if (!p.kind().isOutput()) {
          arr(m, p).assign(Nd4j.rand(arr(m, p).dataType(), arr(m, p).shape()).subi(0.5));
          scrambled++;
        }
      }
      // ln1, the fused W_QKV/b_QKV, ln2 and the MLP input at least
      assertTrue(scrambled >= 8);
      assertEquals(before, logits(m, b), block.path() + " is not the identity");
    }
    // and the test can fail: an output weight does matter
    // (the last block: with every cross-attention output zero, the encoder reaches nothing)
    ParameterInfo out = blocks.get(blocks.size() - 1).parameters().stream()
        .filter(p -> p.kind().isOutput())
        .findFirst().orElseThrow();
    INDArray before = logits(m, b);
    // (random, not constant: a constant W_O adds the same value to every feature, which the
    // next layer norm subtracts again)
    arr(m, out).assign(Nd4j.rand(arr(m, out).dataType(), arr(m, out).shape()));
    assertNotEquals(before, logits(m, b));
  }

  private static INDArray arr(ReferenceModel m, ParameterInfo p) {
    return m.graph().getVariable(m.layers().variable(p.path())).getArr();
  }

  private static INDArray logits(ReferenceModel m, Batch b) {
    return m.graph().output(b.placeholders(), ReferenceModel.LOGITS).get(ReferenceModel.LOGITS);
  }
}
