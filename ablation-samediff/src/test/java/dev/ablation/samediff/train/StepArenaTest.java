package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arena changes where op outputs live, never what they hold: gradient calls through it give
 * the bits the plain calls give, it serves a repeated call from the previous call's arrays, and
 * it leaves the session's own memory manager in place for everyone else.
 */
class StepArenaTest {

  private static final TransformerConfig CONFIG =
      TransformerConfig.decoderOnly(2, 16, 2, 8, 8, 3);

  private static List<Batch> batches(ReferenceModel m, int size) {
    return ReferenceBatches.of(m).batches(new MarkovChain(CONFIG.vocab(), 2, 2.0, 5)
        .sample(size * 3, CONFIG.context() + 1, 6), size);
  }

  private static Map<String, INDArray> gradients(SameDiff sd, Batch b, List<String> names) {
    Map<String, INDArray> g = sd.calculateGradients(b.placeholders(), names);
    g.replaceAll((k, v) -> v.dup()); // keep them past the next call
    return g;
  }

  @Test
  void gradientsThroughTheArenaAreBitIdenticalToPlainOnes() {
    ReferenceModel m = ReferenceModel.build(CONFIG);
    SameDiff sd = m.model().graph();
    sd.setLossVariables(m.model().lossVariable());
    List<String> names = m.parameterVariables();
    List<Batch> batches = batches(m, 4);
    sd.createGradFunction();
    StepArena arena = new StepArena();
    for (int round = 0; round < 3; round++) {
      for (Batch b : batches) {
        Map<String, INDArray> plain = gradients(sd, b, names);
        Map<String, INDArray> pooled = arena.run(sd.getFunction("grad"),
            () -> gradients(sd, b, names));
        for (String n : names) {
          assertThat(pooled.get(n).data().asFloat()).as(n)
              .containsExactly(plain.get(n).data().asFloat());
        }
      }
    }
    assertThat(arena.hits()).as("calls after the first reuse arrays").isPositive();
    assertThat(arena.misses()).as("misses only while the arena fills")
        .isLessThan(arena.hits());
  }

  @Test
  void aRepeatedCallIsServedEntirelyFromThePreviousCallsArrays() {
    ReferenceModel m = ReferenceModel.build(CONFIG);
    SameDiff sd = m.model().graph();
    sd.setLossVariables(m.model().lossVariable());
    sd.createGradFunction();
    Batch b = batches(m, 4).get(0);
    StepArena arena = new StepArena();
    arena.run(sd.getFunction("grad"), () -> sd.calculateGradients(b.placeholders(),
        m.parameterVariables()));
    long firstMisses = arena.misses();
    long bytes = arena.bytes();
    assertThat(firstMisses).isPositive();
    for (int i = 0; i < 3; i++) {
      arena.run(sd.getFunction("grad"), () -> sd.calculateGradients(b.placeholders(),
          m.parameterVariables()));
    }
    assertThat(arena.misses()).isEqualTo(firstMisses);
    assertThat(arena.hits()).isEqualTo(3 * firstMisses);
    assertThat(arena.bytes()).as("holds one call's arrays, not one per call").isEqualTo(bytes);
  }

  @Test
  void shapesTheLastCallDidNotUseAreLetGo() {
    ReferenceModel m = ReferenceModel.build(CONFIG);
    SameDiff sd = m.model().graph();
    sd.setLossVariables(m.model().lossVariable());
    sd.createGradFunction();
    Batch big = batches(m, 8).get(0);
    Batch small = batches(m, 2).get(0);
    StepArena arena = new StepArena();
    arena.run(sd.getFunction("grad"), () -> sd.calculateGradients(small.placeholders(),
        m.parameterVariables()));
    long smallOnly = arena.bytes();
    arena.run(sd.getFunction("grad"), () -> sd.calculateGradients(big.placeholders(),
        m.parameterVariables()));
    arena.run(sd.getFunction("grad"), () -> sd.calculateGradients(big.placeholders(),
        m.parameterVariables()));
    long bigOnly = arena.bytes();
    arena.run(sd.getFunction("grad"), () -> sd.calculateGradients(big.placeholders(),
        m.parameterVariables()));
    assertThat(arena.bytes()).as("the small batch's arrays are gone").isEqualTo(bigOnly);
    assertThat(bigOnly).isGreaterThan(smallOnly);
  }

  @Test
  void theSessionsOwnMemoryManagerIsBackAfterEveryCall() {
    ReferenceModel m = ReferenceModel.build(CONFIG);
    SameDiff sd = m.model().graph();
    sd.setLossVariables(m.model().lossVariable());
    sd.createGradFunction();
    SameDiff grad = sd.getFunction("grad");
    Batch b = batches(m, 4).get(0);
    sd.calculateGradients(b.placeholders(), m.parameterVariables());
    InferenceSession session = grad.getSessions().get(Thread.currentThread().getId());
    SessionMemMgr own = session.getMmgr();
    StepArena arena = new StepArena();
    arena.run(grad, () -> sd.calculateGradients(b.placeholders(), m.parameterVariables()));
    assertThat(session.getMmgr()).isSameAs(own);
    try {
      arena.run(grad, () -> {
        throw new IllegalStateException("boom");
      });
    } catch (IllegalStateException expected) {
      // the manager must be restored on the way out of a failed call too
    }
    assertThat(session.getMmgr()).isSameAs(own);
  }
}
