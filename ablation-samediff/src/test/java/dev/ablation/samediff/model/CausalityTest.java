package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ablation.samediff.data.Example;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Changing a future token leaves earlier outputs exactly unchanged, and changes later ones. */
class CausalityTest {

  private static INDArray logits(ReferenceModel m, Example e) {
    return m.graph().output(ReferenceBatches.of(m).batch(List.of(e)).placeholders(), ReferenceModel.LOGITS)
        .get(ReferenceModel.LOGITS);
  }

  private static INDArray upTo(INDArray logits, int pos) {
    return logits.get(NDArrayIndex.all(), NDArrayIndex.interval(0, pos), NDArrayIndex.all());
  }

  private static INDArray from(INDArray logits, int pos) {
    return logits.get(NDArrayIndex.all(), NDArrayIndex.interval(pos, logits.size(1)),
        NDArrayIndex.all());
  }

  @Test
  void decoderOnlyIsCausal() {
    ReferenceModel m = ReferenceModel.build(TinyModels.decoder());
    int[] a = {1, 2, 3, 4, 5, 6};
    int[] b = a.clone();
    b[3] = 0; // input position 3
    INDArray la = logits(m, Example.of(a));
    INDArray lb = logits(m, Example.of(b));
    assertEquals(upTo(la, 3), upTo(lb, 3));
    assertNotEquals(from(la, 3), from(lb, 3));
  }

  @Test
  void encoderDecoderDecoderIsCausalButSeesTheWholeSource() {
    ReferenceModel m = ReferenceModel.build(TinyModels.encoderDecoderWithProjection());
    int[] src = {1, 2, 3, 4, 5};
    int[] y = {2, 3, 4, 5, 6};
    int[] y2 = y.clone();
    y2[2] = 1; // decoder input position 3 reads y[2]
    INDArray la = logits(m, Example.pair(src, y));
    INDArray lb = logits(m, Example.pair(src, y2));
    assertEquals(upTo(la, 3), upTo(lb, 3));
    assertNotEquals(from(la, 3), from(lb, 3));
    int[] src2 = src.clone();
    src2[4] = 1; // the last source token reaches the first target position
    assertNotEquals(upTo(la, 1), upTo(logits(m, Example.pair(src2, y)), 1));
  }

  @Test
  void encoderOnlyIsBidirectional() {
    ReferenceModel m = ReferenceModel.build(TinyModels.encoder());
    INDArray la = logits(m, Example.of(1, 2, 3, 4, 5));
    INDArray lb = logits(m, Example.of(1, 2, 3, 4, 0));
    assertNotEquals(upTo(la, 1), upTo(lb, 1));
  }
}
