package dev.ablation.samediff.recovery;

import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny decoder-only original trained in the test itself: 3 blocks, width 16, on strings of a
 * noisy "count up by 1 or 2" language over 8 tokens. Small enough to train in seconds.
 */
final class TinyOriginal {
  static final int VOCAB = 8;
  static final int CONTEXT = 8;
  static final int BATCH = 16;
  final ReferenceModel model;
  final SameDiffSurgeon surgeon;
  final WeightSnapshot trained;
  final List<Batch> train;
  final List<Batch> validation;
  final ReferenceCost reference;
  final double lossOriginal;
  /** θ₀ by variable name, for a surgeon that can RESTORE_INITIAL. */
  final java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> initial;

  TinyOriginal(long seed, int steps) {
    model = ReferenceModel.build(TransformerConfig.decoderOnly(3, 16, 2, VOCAB, CONTEXT, seed));
    initial = model.weights();
    train = ReferenceBatches.of(model).batches(strings(seed, 256), BATCH);
    validation = ReferenceBatches.of(model).batches(strings(seed + 1_000_003, 64), 64);
    AdamStepper s = new AdamStepper(model.model(), AdamStepper.trainableVariablesOf(model.graph()),
        AdamSettings.of(1e-2));
    for (int i = 0; i < steps; i++) {
      s.step(train.get(i % train.size()));
    }
    reference = ReferenceCost.of(256, Math.max(1, steps * BATCH / 256), CONTEXT);
    surgeon = SameDiffSurgeon.of(model.model());
    trained = surgeon.snapshot();
    lossOriginal = new LossEvaluator(model.model()).meanLoss(validation);
  }

  static List<Example> strings(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] s = new int[CONTEXT + 1];
      s[0] = r.nextInt(VOCAB);
      for (int p = 1; p < s.length; p++) {
        s[p] = (s[p - 1] + (r.nextDouble() < 0.8 ? 1 : 2)) % VOCAB;
      }
      out.add(Example.of(s));
    }
    return out;
  }
}
