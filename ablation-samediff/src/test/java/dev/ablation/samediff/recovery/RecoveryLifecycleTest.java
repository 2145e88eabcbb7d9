package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.AblationException;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.train.AdamSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The lifecycle of one {@link Recovery}: what it refuses (a second start on the graph it
 * wiped, a result before any step, batches that do not fit the graph) and that a refusal
 * leaves the model exactly as it was.
 */
class RecoveryLifecycleTest {
  private static final LayerPath MIDDLE = LayerPath.block(1);
  private static TinyOriginal o;

  @BeforeAll
  static void trainOriginal() {
    o = new TinyOriginal(23, 200);
  }

  @AfterEach
  void backToTheOriginal() {
    o.model.graph().setListeners();
    o.surgeon.restore(o.trained);
  }

  private static Recovery recovery() {
    SameDiff sd = o.model.graph();
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3))
        .dataSetFeatureMapping(ReferenceModel.TOKENS).dataSetLabelMapping(ReferenceModel.LABELS)
        .build());
    return Recovery.builder(o.surgeon)
        .wipe(MIDDLE, ReinitScheme.shrinkPerturb(0.0, 0.5))
        .target(RecoveryCriterion.withinNats(0.05), o.reference)
        .optimiser(AdamSettings.of(1e-2))
        .evaluateEvery(5)
        .seed(5L)
        .build();
  }

  private static void assertTrainedWeights() {
    WeightSnapshot now = o.surgeon.snapshot();
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(now.values(p)).as("%s", p).isEqualTo(o.trained.values(p));
    }
  }

  /**
   * The trap: a second start measured L* on the already wiped graph and gave a verdict
   * against the wrong reference. Refused, whichever route, with the remedy named.
   */
  @Test
  void aSecondStartOnTheGraphItWipedIsRefusedWithTheRemedy() {
    Recovery recovery = recovery();
    recovery.startFit(o.validation);
    WeightSnapshot wiped = o.surgeon.snapshot();

    assertThatThrownBy(() -> recovery.startFit(o.validation))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(MIDDLE.toString()).hasMessageContaining("restore");
    assertThatThrownBy(() -> recovery().startFit(o.validation))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("restore");
    assertThatThrownBy(() -> recovery().run(o.train, o.validation))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("restore");
    // the refusals changed nothing
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(o.surgeon.snapshot().values(p)).as("%s", p).isEqualTo(wiped.values(p));
    }

    // once restored, a new start is accepted
    o.surgeon.restore(o.trained);
    assertThat(recovery().startFit(o.validation).isFinished()).isFalse();
  }

  /**
   * Issue 23: a second recovery with its own surgeon (a second builder over the same graph)
   * cannot see the first one's wipe in its surgeon, and used to start on the damaged graph.
   * Refused, whichever route, naming both remedies; accepted once the first is restored.
   */
  @Test
  void aRecoveryThroughAnotherSurgeonOnAGraphAnotherRecoveryWipedIsRefused() {
    RecoveryFit first = recovery().startFit(o.validation);
    WeightSnapshot wiped = o.surgeon.snapshot();
    Recovery second = secondBuilder();

    assertThatThrownBy(() -> second.startFit(o.validation))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RecoveryFit").hasMessageContaining(MIDDLE.toString())
        .hasMessageContaining("fit.restore()").hasMessageContaining("rebuild the graph");
    assertThatThrownBy(() -> second.run(o.train, o.validation))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("fit.restore()");
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(o.surgeon.snapshot().values(p)).as("%s", p).isEqualTo(wiped.values(p));
    }

    first.restore();
    assertUntouched();
    RecoveryResult r = second.run(o.train, o.validation);
    assertThat(r.damage().lossOriginal()).isEqualTo(recovery().run(o.train, o.validation)
        .damage().lossOriginal());
    assertUntouched();
  }

  /** A first recovery put back by hand through its surgeon holds the graph no longer. */
  @Test
  void aGraphRestoredThroughTheFirstSurgeonTakesASecondRecovery() {
    recovery().startFit(o.validation);
    o.surgeon.restore(o.trained);
    try (RecoveryFit fit = secondBuilder().startFit(o.validation)) {
      assertThat(fit.isFinished()).isFalse();
    }
    assertUntouched();
  }

  /** A recovery of the same graph through a surgeon of its own. */
  private static Recovery secondBuilder() {
    return Recovery.builder(o.model.model()) // a new surgeon over the same graph
        .wipe(LayerPath.block(0), ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.05), o.reference)
        .optimiser(AdamSettings.of(1e-2))
        .evaluateEvery(5)
        .build();
  }

  /**
   * startFit's safety net: a failure after the wipe (here the listener, called with the step-0
   * point once the graph is wiped, frozen into constants and given its new optimiser) leaves
   * no Fit to restore, so startFit puts the model back itself and lets the graph go.
   */
  @Test
  void aStartFitThatFailsAfterTheWipePutsTheModelBack() {
    RuntimeException boom = new IllegalStateException("listener failed");
    Recovery failing = Recovery.builder(o.surgeon)
        .wipe(MIDDLE, ReinitScheme.shrinkPerturb(0.0, 0.5))
        .target(RecoveryCriterion.withinNats(0.05), o.reference)
        .optimiser(AdamSettings.of(1e-2))
        .listener(new dev.ablation.api.recovery.RecoveryListener() {
          @Override
          public void onEvaluation(dev.ablation.api.recovery.CurvePoint point) {
            throw boom;
          }
        })
        .build();
    recovery(); // sets the graph's training configuration that startFit reads
    assertThatThrownBy(() -> failing.startFit(o.validation)).isSameAs(boom);
    assertUntouched();
    assertThat(o.surgeon.pendingWipes()).isEmpty();
    try (RecoveryFit fit = secondBuilder().startFit(o.validation)) {
      assertThat(fit.isFinished()).as("the graph was let go").isFalse();
    }
    assertUntouched();
  }

  /** Before any step nothing was decided: not BUDGET_EXHAUSTED but an error saying why. */
  @Test
  void aResultBeforeAnyFitIsAnError() {
    RecoveryFit fit = recovery().startFit(o.validation);
    assertThatThrownBy(fit::result)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sd.fit");
  }

  /** Labels one column too wide in the validation batches: one error, before any change. */
  @Test
  void validationLabelsOfAnotherShapeAreNamedBeforeAnythingChanges() {
    List<Batch> bad = List.of(withLabelColumns(o.validation.get(0), TinyOriginal.VOCAB + 1));
    long rows = o.validation.get(0).placeholders().get(ReferenceModel.LABELS).size(0);
    assertThatThrownBy(() -> recovery().startFit(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + ReferenceModel.LABELS + "'")
        .hasMessageContaining("[-1, " + TinyOriginal.VOCAB + "]")
        .hasMessageContaining("[" + rows + ", " + (TinyOriginal.VOCAB + 1) + "]");
    assertUntouched();
    assertThatThrownBy(() -> recovery().run(o.train, bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + ReferenceModel.LABELS + "'");
    assertUntouched();
  }

  /** Training labels of another shape, through the library's loop and through sd.fit. */
  @Test
  void trainingLabelsOfAnotherShapeAreNamedBeforeTheFirstStep() {
    List<Batch> bad = List.of(o.train.get(0),
        withLabelColumns(o.train.get(1), TinyOriginal.VOCAB - 1));
    assertThatThrownBy(() -> recovery().run(bad, o.validation))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + ReferenceModel.LABELS + "'")
        .hasMessageContaining("[-1, " + TinyOriginal.VOCAB + "]");
    assertUntouched();

    RecoveryFit fit = recovery().startFit(o.validation);
    WeightSnapshot started = o.surgeon.snapshot();
    assertThatThrownBy(() -> fit.iterator(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + ReferenceModel.LABELS + "'")
        .hasMessageContaining("[-1, " + TinyOriginal.VOCAB + "]");
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(o.surgeon.snapshot().values(p)).as("%s", p).isEqualTo(started.values(p));
    }
  }

  /** learningRate(x) is optimiser(AdamSettings.of(x)), and a bad rate is one of build's problems. */
  @Test
  void learningRateIsAFreshAdamWithThatRate() {
    RecoveryResult r = Recovery.builder(o.surgeon)
        .wipe(MIDDLE, ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.05), o.reference)
        .learningRate(4e-3)
        .budget(TrainingBudget.ofSteps(0))
        .build()
        .run(o.train, o.validation);
    assertThat(r.manifest().configuration()).containsEntry("adam", AdamSettings.of(4e-3).toString());
    assertThatThrownBy(() -> Recovery.builder(o.surgeon).wipe(MIDDLE, ReinitScheme.fresh())
            .target(RecoveryCriterion.withinNats(0.05), o.reference).learningRate(-1).build())
        .isInstanceOf(AblationException.class).hasMessageContaining("-1");
  }

  /** run() measures and puts the model back: a second run starts from the trained weights. */
  @Test
  void runPutsTheTrainedModelBackSoItCanRunAgain() {
    Recovery recovery = recovery();
    RecoveryResult first = recovery.run(o.train, o.validation);
    assertUntouched();
    assertThat(o.surgeon.pendingWipes()).isEmpty();
    RecoveryResult second = recovery.run(o.train, o.validation);
    assertThat(second.damage()).isEqualTo(first.damage());
    assertThat(second.spent().examples()).isEqualTo(first.spent().examples());
    assertThat(second.curve()).isEqualTo(first.curve());
  }

  /** A Fit in try-with-resources leaves the model as trained; its result outlives it. */
  @Test
  void closingAFitPutsTheTrainedModelBack() {
    RecoveryResult r;
    RecoveryFit kept;
    try (RecoveryFit fit = recovery().startFit(o.validation)) {
      kept = fit;
      o.model.graph().fit(fit.iterator(o.train), 1, fit.listener());
      r = fit.result();
      assertThat(fit.isFinished()).isTrue();
      assertThat(o.surgeon.pendingWipes()).hasSize(1);
    }
    assertUntouched();
    assertThat(o.surgeon.pendingWipes()).isEmpty();
    assertThat(kept.result()).isSameAs(r);
    assertThatThrownBy(() -> kept.iterator(o.train))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("restored");
    // restored, the model takes the next recovery
    RecoveryFit next = recovery().startFit(o.validation);
    next.restore();
    next.restore();
    assertUntouched();
  }

  /**
   * Labels of the declared width but one row short of the tokens': no declared shape says so,
   * the graph does. Found by a forward pass on the unchanged model, before anything changes.
   */
  @Test
  void labelsWithRowsThatDisagreeWithTheTokensAreRefusedBeforeAnythingChanges() {
    Batch good = o.train.get(1);
    long rows = good.placeholders().get(ReferenceModel.LABELS).size(0);
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> ph = new LinkedHashMap<>(good.placeholders());
    ph.put(ReferenceModel.LABELS, good.placeholders().get(ReferenceModel.LABELS)
        .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows - 1),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
    List<Batch> bad = List.of(new Batch(ph, good.examples(), good.tokens()));
    String shape = "[" + (rows - 1) + ", " + TinyOriginal.VOCAB + "]";
    assertThatThrownBy(() -> recovery().run(bad, o.validation))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(shape);
    assertUntouched();
    assertThatThrownBy(() -> recovery().startFit(bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(shape);
    assertUntouched();
    assertThat(o.surgeon.pendingWipes()).isEmpty();
    try (RecoveryFit fit = recovery().startFit(o.validation)) {
      assertThatThrownBy(() -> fit.iterator(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(shape);
    }
    assertUntouched();
  }

  /** Weights as trained, and no parameter turned into a constant (no half materialised graph). */
  private static void assertUntouched() {
    assertTrainedWeights();
    List<String> constants = o.surgeon.model().layers().parameters().stream()
        .map(s -> o.model.graph().getVariable(s.variable()))
        .filter(v -> v.getVariableType() != VariableType.VARIABLE)
        .map(SDVariable::name).toList();
    assertThat(constants).isEmpty();
    assertThat(o.surgeon.trainable()).isEqualTo(o.surgeon.layout().parameterPaths());
  }

  private static Batch withLabelColumns(Batch b, int columns) {
    long rows = b.placeholders().get(ReferenceModel.LABELS).size(0);
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> ph = new LinkedHashMap<>(b.placeholders());
    ph.put(ReferenceModel.LABELS, Nd4j.zeros(DataType.FLOAT, rows, columns));
    return new Batch(ph, b.examples(), b.tokens());
  }
}
