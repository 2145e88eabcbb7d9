package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryMonitor;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The traps of a user's own {@code sd.fit} loop: a run decided before its first step must not
 * crash {@code fit} (M2.1 fails at the end of an empty epoch: "lastLoss is null"), and must
 * leave every weight as it was.
 */
class FitTrapsTest {
  private static final LayerPath MIDDLE = LayerPath.block(1);
  private static TinyOriginal o;

  @BeforeAll
  static void trainOriginal() {
    o = new TinyOriginal(13, 120);
  }

  @AfterEach
  void backToTheOriginal() {
    o.model.graph().setListeners();
    o.surgeon.restore(o.trained);
  }

  @Test
  void aBudgetOfZeroEndsSdFitWithoutAStepAndWithoutChangingAWeight() {
    // noise instead of the weights: certain damage, so only the budget can end the run
    RecoveryResult r = fitListener(ReinitScheme.shrinkPerturb(0.0, 1.0),
        RecoveryCriterion.withinNats(1e-4),
        TrainingBudget.ofSteps(0));
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal() + 1e-4);
    assertThat(r.verdict()).isEqualTo(Verdict.BUDGET_EXHAUSTED);
    assertThat(r.spent().steps()).isZero();
  }

  @Test
  void aWipeThatDidNoDamageEndsSdFitAsUndamagedAtZeroCost() {
    // lambda 1, sigma 0: the wipe writes the same values back; L0 meets the target, so the run
    // is UNDAMAGED (issue 12), decided before sd.fit's first step
    RecoveryResult r = fitListener(ReinitScheme.shrinkPerturb(1.0, 0.0),
        RecoveryCriterion.withinNats(0.05), TrainingBudget.ofReferenceFraction(1.0));
    assertThat(r.verdict()).isEqualTo(Verdict.UNDAMAGED);
    assertThat(r.rho()).isEmpty();
    assertThat(r.spent().steps()).isZero();
  }

  /** The protocol by hand around the listener, as a user's sd.fit loop does it. */
  private static RecoveryResult fitListener(ReinitScheme scheme, RecoveryCriterion criterion,
      TrainingBudget budget) {
    var sd = o.model.graph();
    var before = new LossEvaluator(o.model.model()).evaluate(o.validation);
    o.surgeon.wipe(List.of(MIDDLE), scheme, 5L);
    var damage = StepZeroDamage.measure(o.surgeon, List.of(MIDDLE), before, o.validation);
    o.surgeon.freeze(FreezePolicy.onlyWiped(), List.of(MIDDLE), 0);
    WeightSnapshot wiped = o.surgeon.snapshot();
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2))
        .dataSetFeatureMapping(ReferenceModel.TOKENS).dataSetLabelMapping(ReferenceModel.LABELS)
        .build());
    RecoveryMonitor monitor = RecoveryMonitor.start(RecoverySettings.of(
            criterion, budget, o.reference, 5), damage,
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
    sd.fit(l.wrap(new CyclingMultiDataSetIterator(data), mds -> new Cost(1, 16, 128, 0)), 1);
    sd.setListeners();
    RecoveryResult r = monitor.result(Optional.empty());
    WeightSnapshot after = o.surgeon.snapshot();
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(after.values(p)).as("%s", p).isEqualTo(wiped.values(p));
    }
    o.surgeon.unfreezeAll();
    return r;
  }
}
