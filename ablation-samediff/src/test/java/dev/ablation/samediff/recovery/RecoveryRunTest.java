package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.NothingTrainableException;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.UnknownLayerException;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;

/**
 * One recovery with the library's own loop, through {@link Recovery#run} as every caller takes
 * it (the model is put back when it returns): verdicts, damage, frozen weights, determinism,
 * the same verdict inside a user's {@code sd.fit}, and plans that fail before any change.
 */
class RecoveryRunTest {
  private static final LayerPath MIDDLE = LayerPath.block(1);
  private static final AdamSettings ADAM = AdamSettings.of(1e-2);
  private static TinyOriginal o;

  @BeforeAll
  static void trainOriginal() {
    o = new TinyOriginal(11, 300);
  }

  @AfterEach
  void backToTheOriginal() {
    o.surgeon.restore(o.trained);
  }

  private static Recovery.Plan plan(ReinitScheme scheme, RecoveryCriterion c,
      TrainingBudget budget) {
    return new Recovery.Plan(List.of(MIDDLE), scheme, FreezePolicy.onlyWiped(), 5L,
        RecoverySettings.of(c, budget, o.reference, 5), ADAM);
  }

  private static RecoveryResult run(Recovery.Plan p) {
    return Recovery.of(o.surgeon, p, Map.of("test", "tiny")).run(o.train, o.validation);
  }

  /** {@code p} with a listener that keeps the weights as the run ends, before the restore. */
  private static Recovery.Plan keeping(Recovery.Plan p, AtomicReference<WeightSnapshot> end) {
    return new Recovery.Plan(p.layers(), p.scheme(), p.freeze(), p.seed(),
        p.settings().withListener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult result) {
            end.set(o.surgeon.snapshot());
          }
        }), p.adam());
  }

  @Test
  void middleLayerZeroOutputRecoversWithRhoInUnitInterval() {
    // a fraction of the damage: a target the wipe cannot already meet, however small the damage
    // this tiny original shows (an absolute ε could make the wipe UNDAMAGED)
    RecoveryResult r = run(plan(ReinitScheme.zeroOutput(), RecoveryCriterion.damageRecovered(0.9),
        TrainingBudget.ofReferenceFraction(1.0)));
    assertThat(r.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(r.rho().orElseThrow()).isGreaterThan(0).isLessThanOrEqualTo(1);
    assertThat(r.damage().lossOriginal()).isCloseTo(o.lossOriginal, org.assertj.core.data.Offset.offset(1e-6));
    // ZERO_OUTPUT makes the pre-LN block the identity: step-0 loss is the deleted-layer loss
    assertThat(r.damage().lossAfterWipe()).isEqualTo(r.damage().lossDeleted().orElseThrow());
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.targetLoss());
    assertThat(r.targetLoss()).isGreaterThan(o.lossOriginal);
    assertThat(r.curve().get(r.curve().size() - 1).smoothedLoss()).isLessThanOrEqualTo(r.targetLoss());
    assertThat(r.finalFidelity()).isPresent();
    assertThat(r.manifest().configuration()).containsEntry("scheme", "ZERO_OUTPUT")
        .containsEntry("freeze", "onlyWiped").containsEntry("test", "tiny")
        .containsEntry("route", "run");
  }

  @Test
  void frozenLayersAreBitIdenticalAfterRecovery() {
    AtomicReference<WeightSnapshot> end = new AtomicReference<>();
    run(keeping(plan(ReinitScheme.fresh(), RecoveryCriterion.withinNats(0.05),
        TrainingBudget.ofSteps(30)), end));
    WeightSnapshot now = end.get();
    int changed = 0;
    for (var p : o.surgeon.layout().parameterPaths()) {
      if (!MIDDLE.contains(p)) {
        assertThat(now.values(p)).as(p.toString()).isEqualTo(o.trained.values(p));
      } else if (!java.util.Arrays.equals(now.values(p), o.trained.values(p))) {
        changed++;
      }
    }
    assertThat(changed).as("the wiped block's parameters changed").isPositive();
    // and the run put the trained weights back
    var after = o.surgeon.snapshot();
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(after.values(p)).as(p.toString()).isEqualTo(o.trained.values(p));
    }
  }

  @Test
  void anUnreachableTargetEndsAsConfigured() {
    // L* itself can be reached by an under-trained tiny original's retrained layer; a streak of
    // 1000 evaluations cannot be within 12 steps
    RecoveryResult budget = run(plan(ReinitScheme.fresh(),
        RecoveryCriterion.withinNats(0).requiring(1000), TrainingBudget.ofSteps(12)));
    assertThat(budget.verdict()).isEqualTo(Verdict.BUDGET_EXHAUSTED);
    assertThat(budget.budgetCap()).contains(BudgetCap.STEPS);
    assertThat(budget.spent().steps()).isEqualTo(12);
    o.surgeon.restore(o.trained);
    // improvements of 10 nats per evaluation are impossible: patience runs out
    RecoveryResult plateau = run(plan(ReinitScheme.fresh(),
        RecoveryCriterion.withinNats(0).requiring(1000).withPatience(2, 10),
        TrainingBudget.ofSteps(1000)));
    var points = plateau.curve();
    boolean touched = points.stream().skip(1).anyMatch(p -> p.loss() <= plateau.targetLoss());
    if (!touched) {
      // L0 is never judged (issue 12): the evaluation at step 5 sets the best loss, then the
      // two at steps 10 and 15 without 10 nats of improvement spend the patience
      assertThat(plateau.verdict()).isEqualTo(Verdict.PLATEAUED);
      assertThat(plateau.spent().steps()).isEqualTo(15);
    } else if (plateau.verdict() == Verdict.PLATEAUED) {
      // issue 12: never PLATEAUED while a raw loss within the patience sits at the target
      assertThat(points.subList(points.size() - 2, points.size()))
          .allMatch(p -> p.loss() > plateau.targetLoss());
    }
  }

  @Test
  void anInjectedNanEndsDivergedWithoutAnException() {
    List<Batch> poisoned = new ArrayList<>(o.train.subList(0, 7));
    Batch b = o.train.get(7);
    Map<String, INDArray> ph = new HashMap<>(b.placeholders());
    INDArray labels = ph.get(ReferenceModel.LABELS).dup();
    labels.putScalar(0, Double.NaN);
    ph.put(ReferenceModel.LABELS, labels);
    poisoned.add(new Batch(ph, b.examples(), b.tokens()));
    RecoveryResult r = Recovery.of(o.surgeon, plan(ReinitScheme.fresh(),
            RecoveryCriterion.withinNats(0).requiring(1000), TrainingBudget.ofSteps(100)),
        Map.of()).run(poisoned.iterator(), o.validation);
    assertThat(r.verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(r.divergence().orElseThrow().step()).isEqualTo(8);
    assertThat(r.divergence().orElseThrow().lastGoodLoss()).isFinite();
    assertThat(r.lossFinal()).isFinite();
    assertThat(r.finalFidelity()).isEmpty();
  }

  @Test
  void sameSeedSameNumbers() {
    Recovery.Plan p = plan(ReinitScheme.fresh(), RecoveryCriterion.withinNats(0.05),
        TrainingBudget.ofSteps(40));
    RecoveryResult a = run(p);
    o.surgeon.restore(o.trained);
    RecoveryResult b = run(p);
    assertThat(b.curve()).isEqualTo(a.curve());
    assertThat(b.damage()).isEqualTo(a.damage());
    assertThat(b.verdict()).isEqualTo(a.verdict());
  }

  @Test
  void listenerInsideSdFitGivesTheSameVerdictAndTime() {
    Recovery.Plan p = plan(ReinitScheme.zeroOutput(),
        RecoveryCriterion.damageRecovered(0.9), TrainingBudget.ofReferenceFraction(1.0));
    RecoveryResult stepApi = run(p);
    o.surgeon.restore(o.trained);

    // the same protocol by hand in a user's sd.fit loop
    var sd = o.model.graph();
    var before = new LossEvaluator(o.model.model()).evaluate(o.validation);
    o.surgeon.wipe(List.of(MIDDLE), ReinitScheme.zeroOutput(), 5L);
    var damage = StepZeroDamage.measure(o.surgeon, List.of(MIDDLE), before, o.validation);
    o.surgeon.freeze(FreezePolicy.onlyWiped(), List.of(MIDDLE), 0);
    o.surgeon.materializeForFit(); // the sd.fit route: frozen parameters become constants
    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Adam(ADAM.learningRate(), ADAM.beta1(), ADAM.beta2(), ADAM.epsilon()))
        .dataSetFeatureMapping(ReferenceModel.TOKENS).dataSetLabelMapping(ReferenceModel.LABELS)
        .build());
    o.surgeon.resetOptimizerState();
    RecoveryMonitor monitor = RecoveryMonitor.start(p.settings(), damage,
        RunManifest.of(Map.of(), Map.of(), SameDiffEnvironment.current()));
    RecoveryFitListener l = new RecoveryFitListener(monitor,
        () -> new LossEvaluator(o.model.model()).meanLoss(o.validation));
    sd.setListeners(l);
    List<MultiDataSet> data = new ArrayList<>();
    for (Batch b : o.train) {
      data.add(new org.nd4j.linalg.dataset.MultiDataSet(
          new INDArray[] {b.placeholders().get(ReferenceModel.TOKENS)},
          new INDArray[] {b.placeholders().get(ReferenceModel.LABELS)}));
    }
    List<Batch> train = o.train;
    MultiDataSetIterator cycling = new CyclingMultiDataSetIterator(data);
    sd.fit(l.wrap(cycling, mds -> {
      long ex = mds.getFeatures(0).size(0);
      long tok = train.get(0).tokens() / train.get(0).examples() * ex;
      return new Cost(1, ex, tok, 0);
    }), 1);  // one endless epoch: the wrapped iterator ends it
    sd.setListeners();
    RecoveryResult fit = monitor.result(Optional.empty());
    o.surgeon.unfreezeAll();

    assertThat(fit.verdict()).isEqualTo(stepApi.verdict());
    assertThat(fit.recoveredAt().orElseThrow().examples())
        .isEqualTo(stepApi.recoveredAt().orElseThrow().examples());
  }

  @Test
  void badPlansFailBeforeAnyChange() {
    assertThatThrownBy(() -> run(new Recovery.Plan(List.of(LayerPath.block(9)),
            ReinitScheme.fresh(), FreezePolicy.onlyWiped(), 1L,
            RecoverySettings.of(RecoveryCriterion.withinNats(0.1), TrainingBudget.ofSteps(1),
                o.reference, 1), ADAM)))
        .isInstanceOf(UnknownLayerException.class).hasMessageContaining("blocks.9")
        .hasMessageContaining("blocks.2");
    // a plan also describes recoveries that wipe nothing (after the caller's surgery, from
    // scratch); a wipe without layers is refused when the recovery is made, before any change
    assertThatThrownBy(() -> run(new Recovery.Plan(List.of(), ReinitScheme.fresh(),
        FreezePolicy.onlyWiped(), 1L, RecoverySettings.of(RecoveryCriterion.withinNats(0.1),
            TrainingBudget.ofSteps(1), o.reference, 1), ADAM)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a wipe needs a scheme and at least one layer");
    var unchanged = o.surgeon.snapshot();
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(unchanged.values(p)).isEqualTo(o.trained.values(p));
    }
  }
}
