package dev.ablation.samediff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ablation.api.LayerKind;
import dev.ablation.api.Architecture;
import dev.ablation.api.LayerPath;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fidelity counts only the positions a batch predicts. Two hand-built "models" whose logits are
 * identical at the labelled positions and disagree (arg-max flipped) at every unlabelled one
 * must agree completely: agreement 1.0, KL 0. The old second implementation
 * ({@code StepZeroDamage.fidelity}) counted every position and reported the unlabelled
 * disagreement; the same data without a label mask shows that number here, so the test tells
 * the two behaviours apart.
 */
class LossEvaluatorFidelityTest {
  private static final int B = 3;
  private static final int T = 4;
  private static final int V = 5;

  /** logits = x + w + offset; loss = Σ logits·labels / Σ labels (any scalar serves). */
  private static SameDiffModel model(INDArray offset) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, B, T, V);
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, B * T, V);
    SDVariable w = sd.var("w", Nd4j.zeros(DataType.FLOAT, V));
    SDVariable logits = x.add(w).add(sd.constant("offset", offset)).rename("logits");
    SDVariable flat = logits.reshape(B * T, V);
    flat.mul(labels).sum().div(labels.sum()).rename("loss");
    sd.setLossVariables("loss");
    LayerMap map = LayerMap.builder()
        .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD, List.of("w"))
        .inferInitFromValues().build(sd);
    return new SameDiffModel(sd, map, "loss", Optional.of("logits"));
  }

  @Test
  void unlabelledPositionsDoNotCount() {
    SplittableRandom r = new SplittableRandom(7);
    float[][][] x = new float[B][T][V];
    double[] mask = new double[B * T];
    float[][] labels = new float[B * T][V];
    float[][][] flip = new float[B][T][V];
    int labelled = 0;
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        int best = 0;
        for (int v = 0; v < V; v++) {
          x[b][t][v] = (float) r.nextDouble();
          if (x[b][t][v] > x[b][t][best]) {
            best = v;
          }
        }
        boolean predicted = (b + t) % 2 == 0; // half the positions, as an MLM's masked ones
        if (predicted) {
          mask[b * T + t] = 1;
          labels[b * T + t][r.nextInt(V)] = 1;
          labelled++;
        } else {
          flip[b][t][(best + 1) % V] = 100f; // another token wins here
        }
      }
    }
    Map<String, INDArray> ph = Map.of("x", Nd4j.createFromArray(x), "labels",
        Nd4j.createFromArray(labels));
    SameDiffModel original = model(Nd4j.zeros(DataType.FLOAT, B, T, V));
    SameDiffModel other = model(Nd4j.createFromArray(flip));

    Batch masked = new Batch(ph, B, labelled, Optional.of(Nd4j.createFromArray(mask)));
    Fidelity f = new LossEvaluator(other).fidelity(original, List.of(masked));
    assertThat(f.top1Agreement()).isEqualTo(1.0);
    assertThat(f.klToOriginal()).isEqualTo(0.0);
    // through the evaluations the recovery routes keep: the same answer
    Fidelity g = LossEvaluator.fidelity(new LossEvaluator(original).evaluate(List.of(masked)),
        new LossEvaluator(other).evaluate(List.of(masked)));
    assertThat(g).isEqualTo(f);

    // every position counted (what the removed implementation did): the flips show
    Batch all = new Batch(ph, B, (long) B * T);
    Fidelity everything = new LossEvaluator(other).fidelity(original, List.of(all));
    assertThat(everything.top1Agreement()).isEqualTo((double) labelled / (B * T));
    assertThat(everything.klToOriginal()).isGreaterThan(1.0);
  }

  @Test
  void referenceMaskedLmBatchesMarkExactlyTheirMaskedPositions() {
    TransformerConfig c = TransformerConfig.builder(Architecture.ENCODER_ONLY)
        .nLayers(1).dModel(8).nHeads(2).dFf(12).vocab(7).context(6).seed(3).build();
    ReferenceModel m = ReferenceModel.build(c);
    List<Example> examples = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 5; i++) {
      int[] s = new int[i == 0 ? 3 : 6];
      for (int p = 0; p < s.length; p++) {
        s[p] = r.nextInt(6);
      }
      examples.add(Example.of(s));
    }
    Batch b = ReferenceBatches.of(m).batch(examples);
    INDArray rows = b.placeholders().get(ReferenceModel.LABELS);
    double[] mask = b.labelMask().orElseThrow().toDoubleVector();
    assertThat(mask).hasSize((int) rows.size(0));
    long set = 0;
    for (int i = 0; i < mask.length; i++) {
      boolean labelled = rows.getRow(i).sumNumber().doubleValue() != 0;
      assertThat(mask[i] != 0).as("position %d", i).isEqualTo(labelled);
      set += labelled ? 1 : 0;
    }
    assertThat(b.tokens()).isEqualTo(set).isLessThan(mask.length);
  }

  @Test
  void aMaskThatDisagreesWithTheTokenCountIsRefused() {
    Map<String, INDArray> ph = Map.of("x", Nd4j.zeros(2, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Batch(ph, 1, 3, Optional.of(Nd4j.createFromArray(1.0, 0.0, 1.0, 0.0))));
    assertThat(e.getMessage()).contains("marks 2 of 4 positions").contains("3 tokens");
  }
}
