package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.AblationException;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two recoveries that are not a wipe of the trained model go through {@link Recovery} too:
 * {@code afterSurgery} (the caller changed the model, e.g. rebuilt it around a new encoder) and
 * {@code fromScratch} ({@code T_scratch}). Each gives exactly what the library's loop gives when
 * driven by hand with the same damage and settings, so the study's rows do not move by taking
 * the one door.
 */
class RecoveryStartsTest {
  private static final LayerPath MIDDLE = LayerPath.block(1);
  private static TinyOriginal o;

  @BeforeAll
  static void trainOriginal() {
    o = new TinyOriginal(23, 300);
  }

  @AfterEach
  void backToTheOriginal() {
    o.surgeon.restore(o.trained);
  }

  private static RecoverySettings settings() {
    return new RecoverySettings(RecoveryCriterion.withinNats(0.05),
        TrainingBudget.ofReferenceFraction(1.0), o.reference, EvaluationSchedule.every(5),
        dev.ablation.api.recovery.RecoveryListener.none(), 0);
  }

  private static RecoveryBuilder common(RecoveryBuilder b) {
    RecoverySettings s = settings();
    return b.target(s.criterion(), s.reference()).budget(s.budget()).evaluate(s.schedule())
        .optimiser(AdamSettings.of(1e-2));
  }

  @Test
  void afterSurgeryRetrainsTheCallersDamageAsTheLoopDoesAndPutsTheModelBack() {
    LossEvaluator.Evaluation original = new LossEvaluator(o.model.model()).evaluate(o.validation);
    double reference = original.loss() + 1e-3;
    // the caller's own surgery: the middle block perturbed, outside any recovery
    o.surgeon.wipe(List.of(MIDDLE), ReinitScheme.shrinkPerturb(0.0, 0.5), 9L);
    WeightSnapshot operated = o.surgeon.snapshot();

    RecoveryResult viaDoor = common(Recovery.builder(o.surgeon).afterSurgery(List.of(MIDDLE)))
        .originalEvaluation(original).referenceLoss(reference).build()
        .run(o.train, o.validation);
    for (ParameterPath p : o.surgeon.layout().parameterPaths()) {
      assertThat(o.surgeon.snapshot().values(p)).as("put back as given: " + p)
          .isEqualTo(operated.values(p));
    }

    LossEvaluator.Evaluation after = new LossEvaluator(o.model.model()).evaluate(o.validation);
    Damage damage = new Damage(reference, after.loss(), OptionalDouble.empty(),
        Optional.of(LossEvaluator.fidelity(original, after)));
    RecoveryResult byHand = RecoveryLoop.retrain(o.model.model(), damage, List.of(MIDDLE),
        FreezePolicy.onlyWiped(), settings(), AdamSettings.of(1e-2),
        RecoveryLoop.cycle(o.train), o.validation, Optional.of(original),
        RunManifest.of(Map.of(), Seeds.none(), SameDiffEnvironment.current()));

    assertThat(viaDoor.damage()).isEqualTo(byHand.damage());
    assertThat(viaDoor.damage().lossOriginal()).isEqualTo(reference);
    assertThat(viaDoor.verdict()).isEqualTo(byHand.verdict());
    assertThat(viaDoor.curve()).isEqualTo(byHand.curve());
    assertThat(viaDoor.recoveredAt()).isPresent(); // a test that can tell the two apart
    assertThat(viaDoor.recoveredAt().map(a -> a.examples()))
        .isEqualTo(byHand.recoveredAt().map(a -> a.examples())); // wall time aside
    assertThat(viaDoor.manifest().configuration()).containsEntry("start", "after_surgery")
        .containsEntry("scheme", "none");
  }

  @Test
  void fromScratchIsTheLoopsTScratch() {
    TransformerConfig c = TransformerConfig.decoderOnly(3, 16, 2, TinyOriginal.VOCAB,
        TinyOriginal.CONTEXT, 99);
    RecoveryResult viaDoor = common(Recovery.builder(ReferenceModel.build(c).model())
        .fromScratch()).referenceLoss(o.lossOriginal).describe("model", "tiny").build()
        .run(RecoveryLoop.cycle(o.train), o.validation);
    RecoveryResult byHand = RecoveryLoop.fromScratch(ReferenceModel.build(c).model(),
        o.lossOriginal, settings(), AdamSettings.of(1e-2), RecoveryLoop.cycle(o.train),
        o.validation, Map.of("model", "tiny"));
    assertThat(viaDoor.damage()).isEqualTo(byHand.damage());
    assertThat(viaDoor.verdict()).isEqualTo(byHand.verdict());
    assertThat(viaDoor.curve()).isEqualTo(byHand.curve());
    assertThat(viaDoor.recoveredAt()).isPresent(); // a test that can tell the two apart
    assertThat(viaDoor.recoveredAt().map(a -> a.examples()))
        .isEqualTo(byHand.recoveredAt().map(a -> a.examples())); // wall time aside
    assertThat(viaDoor.manifest().configuration())
        .isEqualTo(byHand.manifest().configuration());
  }

  @Test
  void theStartsAreAlternativesAndEachSaysWhatItNeeds() {
    assertThatThrownBy(() -> common(Recovery.builder(o.surgeon)
        .wipe(MIDDLE, ReinitScheme.fresh()).fromScratch()).build())
        .isInstanceOf(AblationException.class)
        .hasMessageContaining("wipe, afterSurgery and fromScratch are alternatives")
        .hasMessageContaining("[WIPE, SCRATCH]");
    assertThatThrownBy(() -> common(Recovery.builder(o.surgeon)
        .afterSurgery(List.of(MIDDLE))).build())
        .hasMessageContaining("afterSurgery needs originalEvaluation(...)");
    assertThatThrownBy(() -> common(Recovery.builder(o.surgeon).fromScratch()).build())
        .hasMessageContaining("fromScratch needs referenceLoss(L*) or originalEvaluation(...)");
    assertThatThrownBy(() -> common(Recovery.builder(o.surgeon).fromScratch()
        .freeze(FreezePolicy.onlyWiped())).referenceLoss(1.0).build())
        .hasMessageContaining("fromScratch trains every parameter; freeze(onlyWiped)");
    assertThatThrownBy(() -> common(Recovery.builder(o.surgeon)
        .afterSurgery(List.of(LayerPath.block("h", 1)))).originalEvaluation(
            new LossEvaluator(o.model.model()).evaluate(o.validation)).build())
        .hasMessageContaining("unknown layer h.1");
    assertThatThrownBy(() -> common(Recovery.builder(o.surgeon).fromScratch())
        .referenceLoss(Double.NaN).build())
        .hasMessageContaining("referenceLoss must be finite, got NaN");
    Recovery scratch = common(Recovery.builder(o.surgeon).fromScratch()).referenceLoss(1.0)
        .build();
    assertThatThrownBy(() -> scratch.startFit(o.validation))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("starts SCRATCH");
  }

  @Test
  void membersRunTogetherOnlyOnOneSurgeon() {
    Recovery mine = common(Recovery.builder(o.surgeon).wipe(MIDDLE, ReinitScheme.fresh()))
        .build();
    Recovery another = common(Recovery.builder(o.model.model()).wipe(MIDDLE,
        ReinitScheme.fresh())).build();
    List<PopulationRecovery.Member> members = List.of(
        new PopulationRecovery.Member(mine, RecoveryLoop.cycle(o.train)),
        new PopulationRecovery.Member(another, RecoveryLoop.cycle(o.train)));
    assertThatThrownBy(() -> Recovery.runTogether(o.model, members, o.validation,
        PopulationRecovery.Shrink.AT_HALF, (k, r) -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("member 1 was built on another surgeon than member 0");
    assertThatThrownBy(() -> Recovery.runTogether(o.model, List.of(), o.validation,
        PopulationRecovery.Shrink.AT_HALF, (k, r) -> { }))
        .hasMessageContaining("at least one member");
  }
}
