package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.Architecture;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SessionMemoryProbe;
import dev.ablation.samediff.SessionMemory;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Off-heap memory goes back when its work ends, not when the garbage collector runs (issue 21):
 * what each owner frees, that it frees nothing it does not own, and that freeing changes no
 * number.
 */
class OffHeapReleaseTest {
  private static final AdamSettings ADAM = AdamSettings.of(1e-2);

  private static TransformerConfig decoder() {
    return TransformerConfig.builder(Architecture.DECODER_ONLY)
        .nLayers(3).dModel(8).nHeads(2).dFf(12).vocab(7).context(5).seed(31).build();
  }

  private static List<Batch> batches(ReferenceModel m, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Example> ex = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] t = new int[6];
      for (int j = 0; j < t.length; j++) {
        t[j] = r.nextInt(7);
      }
      ex.add(Example.of(t));
    }
    return ReferenceBatches.of(m).batches(ex, 4);
  }

  @Test
  void anArenaFreesEveryArrayItHoldsOnClose() {
    StepArena arena = new StepArena();
    ReferenceModel m = ReferenceModel.build(decoder());
    AdamStepper stepper = new AdamStepper(m.model(), m.parameterVariables(), ADAM);
    Batch b = batches(m, 4, 1).get(0);
    stepper.step(b);
    stepper.step(b);
    stepper.close();
    assertThatThrownBy(() -> stepper.step(b)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed after 2 steps");
    // the arena on its own: arrays lent by a run are closed by close()
    List<INDArray> lent = new ArrayList<>();
    arena.run(m.model().graph(), () -> {
      lent.add(m.model().graph().output(b.placeholders(), m.model().lossVariable())
          .get(m.model().lossVariable()));
      return null;
    });
    assertThat(arena.bytes()).isPositive();
    arena.close();
    assertThat(arena.bytes()).isZero();
    assertThat(lent).allSatisfy(a -> assertThat(a.wasClosed()).isTrue());
    // and the model's own parameters are untouched by all of it
    assertThat(m.weights().values()).allSatisfy(a -> assertThat(a.wasClosed()).isFalse());
  }

  @Test
  void closingARecoveryStepperChangesNoNumberAndKeepsTheModelsArrays() {
    ReferenceModel a = ReferenceModel.build(decoder());
    ReferenceModel b = a.copy();
    List<String> names = new ArrayList<>();
    for (ParameterPath p : FreezePolicy.onlyWiped().resolve(a.layers().layout(),
        List.of(LayerPath.parse("blocks.2")), 0)) {
      names.add(a.layers().variable(p));
    }
    assertThat(names).isNotEmpty();
    List<Batch> train = batches(a, 16, 2);
    List<Batch> validation = batches(a, 8, 3);
    double[] first = run(a, names, train, validation, false);
    double[] second = run(b, names, train, validation, true);
    assertThat(second).containsExactly(first);
    assertThat(b.weights().values()).allSatisfy(x -> assertThat(x.wasClosed()).isFalse());
    // the model still evaluates after the stepper's split graphs were released
    assertThat(new LossEvaluator(b.model()).meanLoss(validation))
        .isEqualTo(new LossEvaluator(a.model()).meanLoss(validation));
  }

  /** Steps and evaluations of one fast-path run; closes the stepper at the end if asked. */
  private static double[] run(ReferenceModel m, List<String> names, List<Batch> train,
      List<Batch> validation, boolean close) {
    RecoveryStepper s = RecoveryStepper.create(m.model(), names, ADAM);
    assertThat(s.cut()).hasValue(2);
    double[] out = new double[train.size() + 3];
    for (int i = 0; i < train.size(); i++) {
      out[i] = s.tryStep(train.get(i));
    }
    for (int i = 0; i < 3; i++) {
      out[train.size() + i] = s.meanLoss(validation);
    }
    if (close) {
      s.close();
      s.close(); // idempotent
    }
    return out;
  }

  @Test
  void theActivationCacheKeepsOnlyBatchesSeenBefore() {
    int[] computed = {0};
    ActivationCache cache = new ActivationCache(1L << 20, b -> {
      computed[0]++;
      return Nd4j.ones(4, 8);
    });
    ReferenceModel m = ReferenceModel.build(decoder());
    List<Batch> bs = batches(m, 8, 4);
    Batch once = bs.get(0);
    Batch twice = bs.get(1);
    INDArray first = cache.get(once);
    assertThat(cache.holds(once, first)).as("a first visit is the caller's to free").isFalse();
    assertThat(cache.bytes()).isZero();
    INDArray t1 = cache.get(twice);
    assertThat(cache.holds(twice, t1)).isFalse();
    INDArray t2 = cache.get(twice);
    assertThat(cache.holds(twice, t2)).as("a second visit is cached").isTrue();
    INDArray t3 = cache.get(twice);
    assertThat(t3).isSameAs(t2);
    assertThat(computed[0]).isEqualTo(3);
    cache.close();
    assertThat(t2.wasClosed()).isTrue();
    assertThat(cache.bytes()).isZero();
  }

  @Test
  void theWeakIdentitySetComparesByIdentityAndForgetsOnRemoval() {
    ActivationCache.WeakIdentitySet<int[]> set = new ActivationCache.WeakIdentitySet<>();
    int[] x = {1};
    int[] y = {1}; // equal content, another object
    set.add(x);
    assertThat(set.remove(y)).isFalse();
    assertThat(set.remove(x)).isTrue();
    assertThat(set.remove(x)).isFalse();
    assertThat(set.size()).isZero();
  }

  @Test
  void sessionMemoryForgetsReleasedIdsAndReleasesSessions() {
    ReferenceModel m = ReferenceModel.build(decoder());
    List<Batch> v = batches(m, 8, 5);
    // without clearing, M2.1's session keeps one id per released array, call after call
    m.model().graph().output(v.get(0).placeholders(), m.model().lossVariable());
    m.model().graph().output(v.get(0).placeholders(), m.model().lossVariable());
    int ids = SessionMemoryProbe.releasedIds(m.model().graph());
    assertThat(ids).isPositive();
    LossEvaluator e = new LossEvaluator(m.model());
    double loss = e.meanLoss(v);
    assertThat(SessionMemoryProbe.releasedIds(m.model().graph()))
        .as("the evaluator clears them after each call").isZero();
    SessionMemory.release(m.model().graph());
    assertThat(m.model().graph().getSessions()).isEmpty();
    assertThat(e.meanLoss(v)).as("a released graph evaluates as before").isEqualTo(loss);
  }
}
