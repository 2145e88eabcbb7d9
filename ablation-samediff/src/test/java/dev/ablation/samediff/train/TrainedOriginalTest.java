package dev.ablation.samediff.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainedOriginalTest {
  @TempDir Path cache;

  private static final TransformerConfig CONFIG = TransformerConfig.decoderOnly(2, 16, 2, 6, 8,
      9);
  private static final TrainingPlan PLAN = TrainingPlan.of(2, 16, 1e-2, 3).evaluatingEvery(3);

  @Test
  void recordsThetaZeroBudgetCurveAndRoundTripsThroughTheCache() throws IOException {
    Split split = new MarkovChain(6, 1, 1.0, 2).split(40, 20, 9, 4);
    List<ValidationPoint> reported = new ArrayList<>();
    TrainedOriginal t = OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN, split, reported::add);
    assertEquals(ReferenceModel.build(CONFIG).weights(), t.initialWeights());
    assertNotEquals(t.initialWeights(), t.model().weights());
    assertEquals(80, t.budget().examples());
    assertEquals(80 * 8, t.budget().tokens());
    assertEquals(t.curve(), reported);
    assertEquals(0, t.curve().get(0).step());
    assertEquals(6, t.curve().get(t.curve().size() - 1).step()); // 2 epochs × 3 batches
    assertEquals(List.of(0L, 3L, 6L), t.curve().stream().map(ValidationPoint::step).toList());
    assertEquals(t.finalLoss(), t.curve().get(t.curve().size() - 1).validationLoss());

    List<ValidationPoint> second = new ArrayList<>();
    TrainedOriginal loaded = OriginalTrainer.trainOrLoad(cache, CONFIG, PLAN, split,
        second::add);
    assertTrue(second.isEmpty(), "the second call must load, not train");
    assertEquals(t.initialWeights(), loaded.initialWeights());
    assertEquals(t.model().weights(), loaded.model().weights());
    assertEquals(t.budget(), loaded.budget());
    assertEquals(t.curve().subList(1, t.curve().size()),
        loaded.curve().subList(1, loaded.curve().size()));
    assertTrue(Double.isNaN(loaded.curve().get(0).trainLoss()));
    assertEquals(t.finalLoss(), loaded.finalLoss());
    assertEquals(t.plan(), loaded.plan());
    assertEquals(t.cacheKey(), loaded.cacheKey());
    Batch b = ReferenceBatches.of(t.model()).batch(split.validation());
    assertEquals(t.model().graph().output(b.placeholders(), ReferenceModel.LOGITS),
        loaded.model().graph().output(b.placeholders(), ReferenceModel.LOGITS));

    // a different seed, plan or data is a different original
    assertNotEquals(t.cacheKey(), OriginalTrainer.cacheKey(CONFIG.withSeed(10), PLAN, split));
    assertNotEquals(t.cacheKey(), OriginalTrainer.cacheKey(CONFIG,
        PLAN.evaluatingEvery(4), split));
    assertNotEquals(t.cacheKey(), OriginalTrainer.cacheKey(CONFIG, PLAN,
        new MarkovChain(6, 1, 1.0, 2).split(40, 20, 9, 5)));
  }

  @Test
  void trainingIsDeterministic() {
    Split split = new MarkovChain(6, 1, 1.0, 2).split(32, 16, 9, 4);
    TrainedOriginal a = new OriginalTrainer(PLAN).train(ReferenceModel.build(CONFIG), split);
    TrainedOriginal b = new OriginalTrainer(PLAN).train(ReferenceModel.build(CONFIG), split);
    assertEquals(a.model().weights(), b.model().weights());
    assertEquals(a.finalLoss(), b.finalLoss());
  }
}
