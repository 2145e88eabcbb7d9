package dev.ablation.samediff.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.InitRule;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.SameDiffModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamStepperTest {

  /** Softmax regression: small enough to check Adam by hand. */
  static SameDiffModel softmaxRegression() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
    SDVariable y = sd.placeHolder("y", DataType.DOUBLE, -1, 3);
    SDVariable w = sd.var("head/W", InitRule.normalFanIn(4, 1).sample(new long[] {4, 3},
        DataType.DOUBLE, 7));
    SDVariable b = sd.var("head/b", Nd4j.zeros(DataType.DOUBLE, 3));
    SDVariable logits = x.mmul(w).add("logits", b);
    sd.loss().softmaxCrossEntropy("loss", y, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT,
        0.0);
    LayerPath head = LayerPath.parse("head");
    LayerMap map = LayerMap.builder().layer(head, LayerKind.HEAD, List.of(
        new ParameterSpec(ParameterPath.parse("head.W"), "head/W", ParameterKind.WEIGHT,
            InitRule.normalFanIn(4, 1)),
        new ParameterSpec(ParameterPath.parse("head.b"), "head/b", ParameterKind.BIAS,
            InitRule.zeros()))).build(sd);
    return new SameDiffModel(sd, map, "loss", Optional.of("logits"));
  }

  static Batch batch(int seed) {
    java.util.Random r = new java.util.Random(seed);
    double[][] x = new double[5][4];
    double[][] y = new double[5][3];
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i][r.nextInt(3)] = 1;
    }
    return new Batch(Map.of("x", Nd4j.create(x), "y", Nd4j.create(y)), 5, 5);
  }

  @Test
  void matchesAdamWithBiasCorrectionComputedByHand() {
    SameDiffModel m = softmaxRegression();
    SameDiffModel ref = softmaxRegression();
    AdamSettings s = new AdamSettings(0.05, 0.9, 0.99, 1e-8);
    AdamStepper stepper = new AdamStepper(m, List.of("head/W", "head/b"), s);
    double[] w = ref.graph().getArrForVarName("head/W").dup().data().asDouble();
    double[] mom = new double[w.length];
    double[] vel = new double[w.length];
    for (int t = 1; t <= 3; t++) {
      Batch b = batch(t);
      INDArray g = m.graph().calculateGradients(b.placeholders(), "head/W").get("head/W");
      double[] gd = g.dup().data().asDouble();
      double loss = stepper.step(b);
      assertTrue(loss > 0 && Double.isFinite(loss));
      for (int i = 0; i < w.length; i++) {
        mom[i] = 0.9 * mom[i] + 0.1 * gd[i];
        vel[i] = 0.99 * vel[i] + 0.01 * gd[i] * gd[i];
        double mHat = mom[i] / (1 - Math.pow(0.9, t));
        double vHat = vel[i] / (1 - Math.pow(0.99, t));
        w[i] -= 0.05 * mHat / (Math.sqrt(vHat) + 1e-8);
      }
      double[] got = m.graph().getArrForVarName("head/W").dup().data().asDouble();
      assertArrayEquals(w, got, 1e-6, "step " + t);
    }
    assertEquals(3, stepper.steps());
    assertEquals(15, stepper.examples());
  }

  @Test
  void leavesVariablesOutsideTheSetBitIdentical() {
    SameDiffModel m = softmaxRegression();
    INDArray before = m.graph().getArrForVarName("head/W").dup();
    INDArray biasBefore = m.graph().getArrForVarName("head/b").dup();
    AdamStepper stepper = new AdamStepper(m, List.of("head/b"), AdamSettings.of(0.1));
    for (int t = 0; t < 5; t++) {
      stepper.step(batch(t));
    }
    assertEquals(before, m.graph().getArrForVarName("head/W"));
    assertNotEquals(biasBefore, m.graph().getArrForVarName("head/b"));
    assertEquals(java.util.Set.of("head/W"), stepper.untouched());
  }

  @Test
  void lossDecreasesOnAFixedBatch() {
    SameDiffModel m = softmaxRegression();
    AdamStepper stepper = new AdamStepper(m, AdamStepper.trainableVariablesOf(m.graph()),
        AdamSettings.of(0.1));
    Batch b = batch(1);
    double first = stepper.step(b);
    double last = first;
    for (int t = 0; t < 30; t++) {
      last = stepper.step(b);
    }
    assertTrue(last < first * 0.7, "loss " + first + " -> " + last);
    assertEquals(last, new LossEvaluator(m).meanLoss(List.of(b)), 0.2);
  }

  @Test
  void rejectsUnknownAndEmptySetsNamingTheProblem() {
    SameDiffModel m = softmaxRegression();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new AdamStepper(m, List.of("head/W", "nope"), AdamSettings.of(0.1)));
    assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("head/b"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new AdamStepper(m, List.of("x"), AdamSettings.of(0.1)));
    assertTrue(e.getMessage().contains("PLACEHOLDER"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new AdamStepper(m, List.of(), AdamSettings.of(0.1)));
    assertThrows(IllegalArgumentException.class, () -> AdamSettings.of(-1));
  }

  @Test
  void evaluatorWeightsBatchesByTokensAndComparesLogits() {
    SameDiffModel m = softmaxRegression();
    LossEvaluator ev = new LossEvaluator(m);
    Batch a = batch(1);
    Batch b = batch(2);
    Batch small = new Batch(Map.of("x", a.placeholders().get("x").get(
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), "y",
        a.placeholders().get("y").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup()), 2, 2);
    double expected = (ev.loss(b) * 5 + ev.loss(small) * 2) / 7;
    assertEquals(expected, ev.meanLoss(List.of(b, small)), 1e-12);
    var same = ev.fidelity(m, List.of(a, b));
    assertEquals(1.0, same.top1Agreement());
    assertEquals(0.0, same.klToOriginal(), 1e-12);
    SameDiffModel other = softmaxRegression();
    other.graph().getArrForVarName("head/W").muli(-1);
    var diff = ev.fidelity(other, List.of(a, b));
    assertTrue(diff.klToOriginal() > 0.01 && diff.top1Agreement() < 1, diff.toString());
    assertThrows(IllegalArgumentException.class, () -> ev.meanLoss(List.of()));
  }
}
