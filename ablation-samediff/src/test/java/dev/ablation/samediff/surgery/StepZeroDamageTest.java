package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StepZeroDamageTest {
  private static final LayerPath B1 = LayerPath.parse("blocks.1");
  private ToyGraphs.Toy toy;
  private SameDiffSurgeon surgeon;
  private List<Batch> validation;

  @BeforeEach
  void trained() {
    toy = ToyGraphs.foreignDecoder(21);
    toy.fit(15, 1);
    surgeon = SameDiffSurgeon.of(toy.model());
    validation = List.of(toy.batch(900), toy.batch(901, 2));
  }

  @Test
  void lossIsTokenWeightedOverBatches() {
    double a = new LossEvaluator(toy.model()).evaluate(List.of(validation.get(0))).loss();
    double b = new LossEvaluator(toy.model()).evaluate(List.of(validation.get(1))).loss();
    LossEvaluator.Evaluation both = new LossEvaluator(toy.model()).evaluate(validation);
    assertEquals(30, both.tokens());
    assertEquals((20 * a + 10 * b) / 30, both.loss(), 1e-12);
    assertTrue(Math.abs(both.loss() - (a + b) / 2) > 1e-6, "indistinguishable from a plain mean");
  }

  @Test
  void damageAfterAFreshWipe() {
    WeightSnapshot original = surgeon.snapshot();
    double lStar = new LossEvaluator(toy.model()).evaluate(validation).loss();
    surgeon.wipe(B1, ReinitScheme.fresh(), 4);
    WeightSnapshot wiped = surgeon.snapshot();
    double l0 = new LossEvaluator(toy.model()).evaluate(validation).loss();
    Damage d = StepZeroDamage.measure(surgeon, List.of(B1), original, validation);
    assertEquals(lStar, d.lossOriginal(), 0);
    assertEquals(l0, d.lossAfterWipe(), 0);
    assertTrue(d.lossAfterWipe() > d.lossOriginal(), d.toString());
    assertTrue(d.lossDeleted().isPresent());
    assertTrue(d.fidelity().orElseThrow().klToOriginal() > 1e-3, d.toString());
    assertEquals(Set.of(), Bits.changed(wiped, surgeon.snapshot()), "measuring changed the model");
    assertEquals(wiped.trainable(), surgeon.trainable());
  }

  @Test
  void zeroOutputLossEqualsDeletedLayerLossExactly() {
    WeightSnapshot original = surgeon.snapshot();
    OptionalDoubleHolder deletedBefore = new OptionalDoubleHolder(
        StepZeroDamage.lossDeleted(surgeon, List.of(B1), validation).orElseThrow());
    assertEquals(Set.of(), Bits.changed(original, surgeon.snapshot()), "lossDeleted leaked");
    INDArray deletedLogits = logitsWithOutputsZeroed(original);
    surgeon.wipe(B1, ReinitScheme.zeroOutput(), 4);
    Damage d = StepZeroDamage.measure(surgeon, List.of(B1), original, validation);
    assertEquals(deletedBefore.value, d.lossAfterWipe(), 0);
    assertEquals(d.lossDeleted().orElseThrow(), d.lossAfterWipe(), 0);
    assertEquals(deletedLogits, toy.logits(validation.get(0)));
  }

  private INDArray logitsWithOutputsZeroed(WeightSnapshot original) {
    surgeon.wipe(B1, ReinitScheme.shrinkPerturb(0, 0), 0); // zero the whole block
    INDArray out = toy.logits(validation.get(0)).dup();
    surgeon.restore(original);
    return out;
  }

  @Test
  void anUnchangedModelAgreesFully() {
    LossEvaluator.Evaluation e = new LossEvaluator(toy.model()).evaluate(validation);
    Fidelity f = LossEvaluator.fidelity(e, new LossEvaluator(toy.model()).evaluate(validation));
    assertEquals(1.0, f.top1Agreement());
    assertEquals(0.0, f.klToOriginal());
  }

  @Test
  void layersWithoutOutputsHaveNoDeletedLoss() {
    assertTrue(StepZeroDamage.lossDeleted(surgeon, List.of(LayerPath.parse("embed")), validation)
        .isEmpty());
  }

  @Test
  void badInputsAreNamed() {
    LossEvaluator.Evaluation one = new LossEvaluator(toy.model()).evaluate(validation.subList(0, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StepZeroDamage.measure(surgeon, List.of(B1), one, validation));
    assertEquals("the original was evaluated on 20 tokens but the validation batches hold 30;"
        + " evaluate both on the same batches", e.getMessage());
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> new LossEvaluator(toy.model()).evaluate(List.of()));
    assertEquals("need at least one batch to evaluate, got none", e2.getMessage());
    LossEvaluator.Evaluation both = new LossEvaluator(toy.model()).evaluate(validation);
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
        () -> LossEvaluator.fidelity(one, both));
    assertEquals("fidelity needs logits of the same batches, got 1 and 2 batches",
        e3.getMessage());
  }

  private record OptionalDoubleHolder(double value) {}
}
