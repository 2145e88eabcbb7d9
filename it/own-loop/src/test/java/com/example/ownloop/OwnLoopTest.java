package com.example.ownloop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.recovery.RecoveryFit;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * What a user does from outside: a small model of their own (an MLP of residual blocks named
 * {@code h.<i>.fc}/{@code h.<i>.out}, trained with sd.fit), block h.1 wiped and retrained in
 * their own sd.fit loop through the library's one entry point.
 */
class OwnLoopTest {
  static final int D = 8;
  static final int CLASSES = 4;

  @Test
  void wipeAndRecoverBlockOneInMyOwnSdFit() {
    Nd4j.getRandom().setSeed(3);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, D);
    SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, CLASSES);
    SDVariable h = x;
    for (int i = 0; i < 3; i++) {
      SDVariable fc = sd.var("h." + i + ".fc", new XavierInitScheme('c', D, D), DataType.FLOAT, D, D);
      SDVariable out = sd.var("h." + i + ".out", new XavierInitScheme('c', D, D), DataType.FLOAT, D, D);
      h = h.add(sd.nn().tanh(h.mmul(fc)).mmul(out));
    }
    SDVariable w = sd.var("readout", new XavierInitScheme('c', D, CLASSES), DataType.FLOAT, D, CLASSES);
    SDVariable logits = h.mmul(w);
    // mean cross-entropy by hand (M2.1's softmaxCrossEntropy ignores upstream gradients)
    sd.math().neg(sd.sum(y.mul(sd.nn().logSoftmax(logits)))).div("xent", sd.sizeAt(x, 0).castTo(DataType.FLOAT));
    sd.setLossVariables("xent");

    List<Batch> train = batches(1, 32);
    List<Batch> validation = batches(2, 4);
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2))
        .dataSetFeatureMapping("x").dataSetLabelMapping("y").build());
    for (int epoch = 0; epoch < 4; epoch++) {
      for (Batch b : train) {
        sd.fit(new MultiDataSet(b.placeholders().get("x"), b.placeholders().get("y")));
      }
    }

    LayerMap map = LayerMap.builder()
        .blocks("h", 3, "h\\.%d\\.(.*)")
        .layerOfVariables(LayerPath.parse("head"), LayerKind.HEAD, List.of("readout"))
        .build(sd);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(new SameDiffModel(sd, map, "xent", Optional.empty()));
    WeightSnapshot trained = surgeon.snapshot();
    RecoveryFit fit = Recovery.builder(surgeon)
        .wipe(LayerPath.block("h", 1), ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.05), ReferenceCost.of(32L * 16, 4, 1))
        .optimiser(AdamSettings.of(1e-2))
        .budget(TrainingBudget.ofSteps(64))
        .evaluateEvery(8)
        .seed(11)
        .build()
        .startFit(validation);
    sd.fit(fit.iterator(train), 1, fit.listener());
    RecoveryResult r = fit.result();

    assertFalse(r.curve().isEmpty());
    assertEquals(11L, r.manifest().seeds().get(SeedStream.WIPE).orElseThrow());
    WeightSnapshot after = surgeon.snapshot();
    for (var p : surgeon.layout().parameterPaths()) {
      if (!p.toString().startsWith("h.1.")) {
        assertArrayEquals(trained.values(p), after.values(p), "frozen " + p + " changed");
      }
    }
    surgeon.restore(trained);
    for (var p : surgeon.layout().parameterPaths()) {
      assertArrayEquals(trained.values(p), surgeon.snapshot().values(p));
    }
    System.out.println("own-loop: " + r.verdict() + " rho=" + r.rho());
  }

  /** Points in D dimensions labelled by which quarter their first two coordinates' angle is in. */
  static List<Batch> batches(long seed, int n) {
    Random r = new Random(seed);
    List<Batch> out = new ArrayList<>();
    for (int b = 0; b < n; b++) {
      float[][] xs = new float[16][D];
      float[][] ys = new float[16][CLASSES];
      for (int i = 0; i < 16; i++) {
        for (int j = 0; j < D; j++) {
          xs[i][j] = (float) r.nextGaussian();
        }
        int c = (xs[i][0] > 0 ? 1 : 0) + (xs[i][1] > 0 ? 2 : 0);
        ys[i][c] = 1f;
      }
      out.add(new Batch(Map.of("x", Nd4j.createFromArray(xs), "y", Nd4j.createFromArray(ys)),
          16, 16));
    }
    return out;
  }
}
