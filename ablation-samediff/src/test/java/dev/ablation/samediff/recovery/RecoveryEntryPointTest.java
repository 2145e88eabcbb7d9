package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ablation.api.AblationException;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.learning.config.Adam;

/** {@link Recovery}: one expression for a recovery, run by the library or inside sd.fit. */
class RecoveryEntryPointTest {
  private static final LayerPath MIDDLE = LayerPath.block(1);
  private static TinyOriginal o;

  @BeforeAll
  static void trainOriginal() {
    o = new TinyOriginal(17, 300);
  }

  @AfterEach
  void backToTheOriginal() {
    o.model.graph().setListeners();
    o.surgeon.restore(o.trained);
  }

  /** Noise in place of the middle block's weights: damage the tiny original cannot shrug off. */
  private static RecoveryBuilder noiseInTheMiddle() {
    return Recovery.builder(o.surgeon)
        .wipe(MIDDLE, ReinitScheme.shrinkPerturb(0.0, 0.5))
        .target(RecoveryCriterion.withinNats(0.05), o.reference)
        .optimiser(AdamSettings.of(1e-2))
        .evaluateEvery(5)
        .seed(5L);
  }

  @Test
  void buildReportsEveryMissingChoiceAndUnknownLayerAtOnce() {
    assertThatThrownBy(() -> Recovery.builder(o.surgeon).evaluateEvery(0).build())
        .isInstanceOf(AblationException.class)
        .hasMessageContaining("no layer to wipe").hasMessageContaining("no target")
        .hasMessageContaining("no optimiser").hasMessageContaining("evaluateEvery must be >= 1");
    assertThatThrownBy(() -> noiseInTheMiddle().wipe(LayerPath.block("h", 1),
            ReinitScheme.fresh()).build())
        .hasMessageContaining("unknown layer h.1").hasMessageContaining("blocks.2");
    for (var p : o.surgeon.layout().parameterPaths()) {
      assertThat(o.surgeon.snapshot().values(p)).isEqualTo(o.trained.values(p));
    }
  }

  @Test
  void runAndSdFitGiveTheSameRecoveryAndEveryFrozenWeightStaysBitIdentical() {
    RecoveryResult run = noiseInTheMiddle().build().run(o.train, o.validation);
    assertThat(run.damage().lossAfterWipe()).isGreaterThan(run.damage().lossOriginal() + 0.05);
    assertThat(run.verdict()).isEqualTo(Verdict.RECOVERED);
    assertThat(run.manifest().seeds().get(SeedStream.WIPE)).hasValue(5L);
    assertThat(run.manifest().configuration()).containsEntry("route", "run");
    o.surgeon.restore(o.trained);

    SameDiff sd = o.model.graph();
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3))
        .dataSetFeatureMapping(ReferenceModel.TOKENS).dataSetLabelMapping(ReferenceModel.LABELS)
        .build());
    RecoveryFit fit = noiseInTheMiddle().build().startFit(o.validation);
    sd.fit(fit.iterator(o.train), 1, fit.listener());
    RecoveryResult viaFit = fit.result();

    assertThat(viaFit.verdict()).isEqualTo(run.verdict());
    assertThat(viaFit.recoveredAt().orElseThrow().examples())
        .isEqualTo(run.recoveredAt().orElseThrow().examples());
    assertThat(viaFit.manifest().configuration()).containsEntry("route", "sd.fit");
    WeightSnapshot after = o.surgeon.snapshot();
    Set<ParameterPath> wiped = o.surgeon.layout().parametersOf(List.of(MIDDLE));
    for (var p : o.surgeon.layout().parameterPaths()) {
      if (!wiped.contains(p)) {
        assertThat(after.values(p)).as("%s", p).isEqualTo(o.trained.values(p));
      }
    }
    // the trainable set is what it was before startFit
    assertThat(o.surgeon.trainable()).isEqualTo(o.surgeon.layout().parameterPaths());
  }

  /**
   * The recovery's learning rate takes effect in sd.fit even after the graph trained with
   * another (M2.1's setTrainingConfig keeps the first updater): Adam's first step moves each
   * weight by lr·g/(|g|+ε), so a 4× rate gives exactly a 4× first update, and its largest
   * element is the rate itself.
   */
  @Test
  void theRecoveryLearningRateChangesTheFirstUpdateByItsFactor() {
    double[] small = firstUpdate(AdamSettings.of(1e-3));
    double[] large = firstUpdate(AdamSettings.of(4e-3));
    double maxSmall = 0;
    for (int i = 0; i < small.length; i++) {
      maxSmall = Math.max(maxSmall, Math.abs(small[i]));
      if (Math.abs(small[i]) > 1e-4) {
        assertThat(large[i] / small[i]).isCloseTo(4.0, within(1e-3));
      }
    }
    assertThat(maxSmall).isCloseTo(1e-3, within(1e-5));
  }

  /** The trap itself, for the record: what the plain M2.1 calls do instead. */
  @Test
  void plainSetTrainingConfigKeepsTheOldRate() {
    SameDiff sd = o.model.graph();
    trainOneSdFitStep(sd, 5e-2);
    // whatever ran before: updaters built with 5e-2
    dev.ablation.samediff.train.FitOptimiser.replace(sd, AdamSettings.of(5e-2));
    o.surgeon.restore(o.trained);
    WeightSnapshot before = o.surgeon.snapshot();
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3))
        .dataSetFeatureMapping(ReferenceModel.TOKENS).dataSetLabelMapping(ReferenceModel.LABELS)
        .build());
    o.surgeon.resetOptimizerState();
    sd.fit(toMds(o.train.get(0)));
    double max = 0;
    for (var p : o.surgeon.layout().parameterPaths()) {
      double[] a = o.surgeon.snapshot().values(p);
      double[] b = before.values(p);
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
    }
    // the old updater's 5e-2, not the configured 1e-3
    assertThat(max).isGreaterThan(1e-2);
  }

  private static double[] firstUpdate(AdamSettings adam) {
    SameDiff sd = o.model.graph();
    trainOneSdFitStep(sd, 5e-2); // the user's own training built updaters with another rate
    o.surgeon.restore(o.trained);
    RecoveryFit fit = Recovery.builder(o.surgeon)
        .wipe(MIDDLE, ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(1e-6), o.reference)
        .optimiser(adam)
        .budget(TrainingBudget.ofSteps(1))
        .evaluateEvery(1)
        .seed(9L)
        .build()
        .startFit(o.validation);
    WeightSnapshot wiped = o.surgeon.snapshot();
    sd.fit(fit.iterator(o.train), 1, fit.listener());
    RecoveryResult r = fit.result();
    assertThat(r.spent().steps()).isEqualTo(1);
    WeightSnapshot after = o.surgeon.snapshot();
    List<Double> delta = new ArrayList<>();
    for (var p : o.surgeon.layout().parametersOf(List.of(MIDDLE))) {
      double[] a = after.values(p);
      double[] b = wiped.values(p);
      for (int i = 0; i < a.length; i++) {
        delta.add(a[i] - b[i]);
      }
    }
    o.surgeon.restore(o.trained);
    return delta.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void trainOneSdFitStep(SameDiff sd, double lr) {
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(lr))
        .dataSetFeatureMapping(ReferenceModel.TOKENS).dataSetLabelMapping(ReferenceModel.LABELS)
        .build());
    sd.fit(toMds(o.train.get(1)));
  }

  private static org.nd4j.linalg.dataset.MultiDataSet toMds(dev.ablation.samediff.Batch b) {
    return new org.nd4j.linalg.dataset.MultiDataSet(b.placeholders().get(ReferenceModel.TOKENS),
        b.placeholders().get(ReferenceModel.LABELS));
  }

  /**
   * A graph that holds its weights as constants, as SameDiff's importers produce: the trained
   * original saved through FlatBuffers with every variable converted to a constant. A layer map
   * declared over the constants with the user's own prefix, and the recovery turns exactly the
   * wiped block's parameters into variables and recovers it.
   */
  @Test
  void aGraphOfConstantsIsMappedWipedAndRecovered() throws java.io.IOException {
    SameDiff copy = SameDiff.fromFlatBuffers(o.model.graph().asFlatBuffers(false), false);
    List<SDVariable> vars = copy.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).toList();
    copy.convertToConstants(vars);
    SameDiff imported = SameDiff.fromFlatBuffers(copy.asFlatBuffers(false), false);
    assertThat(imported.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE)).isEmpty();

    // without includeConstants the error names the remedy
    assertThatThrownBy(() -> declare(LayerMap.builder(), imported))
        .hasMessageContaining("includeConstants()");
    LayerMap map = declare(LayerMap.builder().includeConstants(), imported);
    SameDiffModel model = new SameDiffModel(imported, map, ReferenceModel.LOSS, Optional.empty());
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model);
    WeightSnapshot trained = surgeon.snapshot();

    // run() puts the model back when it returns: look at the recovered one as it finishes
    List<WeightSnapshot> recovered = new ArrayList<>();
    List<Set<ParameterPath>> trainedThen = new ArrayList<>();
    RecoveryResult r = Recovery.builder(surgeon)
        .wipe(LayerPath.block("h", 1), ReinitScheme.shrinkPerturb(0.0, 0.5))
        .target(RecoveryCriterion.withinNats(0.05), o.reference)
        .optimiser(AdamSettings.of(1e-2))
        .evaluateEvery(5)
        .listener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult result) {
            recovered.add(surgeon.snapshot());
            trainedThen.add(surgeon.trainable());
          }
        })
        .build()
        .run(o.train, o.validation);

    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal() + 0.05);
    assertThat(r.verdict()).isEqualTo(Verdict.RECOVERED);
    WeightSnapshot after = recovered.get(0);
    Set<ParameterPath> wiped = surgeon.layout().parametersOf(List.of(LayerPath.block("h", 1)));
    assertThat(trainedThen.get(0)).isEqualTo(wiped);
    boolean moved = false;
    for (var p : surgeon.layout().parameterPaths()) {
      if (!wiped.contains(p)) {
        assertThat(after.values(p)).as("%s", p).isEqualTo(trained.values(p));
      } else {
        moved |= !java.util.Arrays.equals(after.values(p), trained.values(p));
      }
    }
    assertThat(moved).isTrue();
    // and back: the imported constants as they were, nothing trainable
    assertThat(surgeon.trainable()).isEmpty();
    for (var p : surgeon.layout().parameterPaths()) {
      assertThat(surgeon.snapshot().values(p)).as("%s", p).isEqualTo(trained.values(p));
    }
  }

  private static LayerMap declare(LayerMap.Builder b, SameDiff sd) {
    return b.layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING,
            "(embed/W_E|pos_embed/W_pos)")
        .blocks("h", 3, "blocks/%d/(.*)")
        .layerMatching(LayerPath.parse("head"), LayerKind.HEAD, "(?:ln_final|unembed)/(.*)")
        .kind("blocks/\\d+/(attn/W_O|mlp/W_out)", ParameterKind.OUTPUT_WEIGHT)
        .kind("blocks/\\d+/(attn/b_O|mlp/b_out)", ParameterKind.OUTPUT_BIAS)
        .build(sd);
  }
}
