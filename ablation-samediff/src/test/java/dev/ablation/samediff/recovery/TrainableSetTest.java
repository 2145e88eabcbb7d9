package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.train.RecoveryStepper;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.VariableType;

/**
 * One trainable set, held by the surgeon: a freeze made through the surgeon and a recovery
 * through Recovery.run (or AdamStepper) use the same mechanism, so they can be mixed; our
 * own loops never change the graph; only the sd.fit route turns frozen parameters into
 * constants.
 */
class TrainableSetTest {
  private static TinyOriginal shared;
  private Fresh o;

  /** The shared original with a surgeon of its own for each test (fit mode is per surgeon). */
  private record Fresh(dev.ablation.samediff.model.ReferenceModel model,
      dev.ablation.samediff.surgery.SameDiffSurgeon surgeon,
      List<dev.ablation.samediff.Batch> train, List<dev.ablation.samediff.Batch> validation,
      dev.ablation.api.recovery.ReferenceCost reference) {}

  @BeforeAll
  static void trainOriginal() {
    shared = new TinyOriginal(13, 60);
  }

  @org.junit.jupiter.api.BeforeEach
  void freshSurgeon() {
    o = new Fresh(shared.model, dev.ablation.samediff.surgery.SameDiffSurgeon.of(
        shared.model.model()), shared.train, shared.validation, shared.reference);
  }

  @AfterEach
  void backToTheOriginal() {
    o.surgeon().restore(shared.trained);
    o.surgeon().unfreezeAll();
  }

  private List<String> graphConstants() {
    return o.model().layers().parameters().stream().map(ParameterSpec::variable)
        .filter(v -> o.model().graph().getVariable(v).getVariableType() != VariableType.VARIABLE)
        .toList();
  }

  @Test
  void aFreezeThroughTheSurgeonThenARecoveryWithAWiderPolicyWorks() {
    // before: the surgeon's freeze made constants, and the recovery's own Adam refused them
    o.surgeon().freeze(FreezePolicy.onlyWiped(), List.of(LayerPath.block(2)), 0);
    WeightSnapshot before = o.surgeon().snapshot();
    // what the run trained, read as it ends (Recovery.run then puts the model back)
    java.util.concurrent.atomic.AtomicReference<Set<ParameterPath>> trainableAtEnd =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<WeightSnapshot> end =
        new java.util.concurrent.atomic.AtomicReference<>();
    RecoverySettings settings = RecoverySettings.of(RecoveryCriterion.withinNats(1e-9),
        TrainingBudget.ofSteps(3), o.reference(), 1).withListener(
            new dev.ablation.api.recovery.RecoveryListener() {
              @Override
              public void onFinish(RecoveryResult result) {
                trainableAtEnd.set(Set.copyOf(o.surgeon().trainable()));
                end.set(o.surgeon().snapshot());
              }
            });
    RecoveryResult r = Recovery.of(o.surgeon(), new Recovery.Plan(List.of(LayerPath.block(1)),
            ReinitScheme.fresh(), FreezePolicy.wipedPlusHead(), 3L, settings,
            AdamSettings.of(1e-2)), Map.of())
        .run(RecoveryLoop.cycle(o.train()), o.validation());
    assertThat(r.spent().steps()).isEqualTo(3);
    Set<ParameterPath> trained = FreezePolicy.wipedPlusHead().resolve(o.surgeon().layout(),
        List.of(LayerPath.block(1)), 0);
    assertThat(trainableAtEnd.get()).isEqualTo(trained);
    WeightSnapshot after = end.get();
    for (ParameterPath p : o.surgeon().layout().parameterPaths()) {
      boolean same = Arrays.equals(before.values(p), after.values(p));
      assertThat(same).as("%s", p).isEqualTo(!trained.contains(p));
    }
  }

  @Test
  void ourOwnLoopsNeverChangeTheGraph() {
    o.surgeon().freeze(FreezePolicy.onlyWiped(), List.of(LayerPath.block(1)), 0);
    assertThat(graphConstants()).as("a freeze alone changes no variable type").isEmpty();
    AdamStepper adam = AdamStepper.over(o.surgeon(), AdamSettings.of(1e-2));
    assertThat(adam.trainable()).isEqualTo(o.surgeon().trainableVariables());
    WeightSnapshot before = o.surgeon().snapshot();
    adam.step(o.train().get(0));
    WeightSnapshot after = o.surgeon().snapshot();
    for (ParameterPath p : o.surgeon().layout().parameterPaths()) {
      assertThat(Arrays.equals(before.values(p), after.values(p))).as("%s", p)
          .isEqualTo(!o.surgeon().trainable().contains(p));
    }
    assertThat(graphConstants()).isEmpty();
  }

  @Test
  void onlyTheFitRouteMaterialisesTheSetAsConstantsAndThenFollowsIt() {
    o.surgeon().freeze(FreezePolicy.onlyWiped(), List.of(LayerPath.block(1)), 0);
    o.surgeon().materializeForFit();
    List<String> frozen = o.model().layers().parameters().stream()
        .filter(s -> !o.surgeon().trainable().contains(s.path())).map(ParameterSpec::variable)
        .toList();
    assertThat(graphConstants()).isEqualTo(frozen);
    // from then on a change of the set reaches the graph too
    o.surgeon().freeze(FreezePolicy.allTrainable(), List.of(), 0);
    assertThat(graphConstants()).isEmpty();
    // and our own loop still reads the same set
    assertThat(RecoveryStepper.create(o.surgeon(), AdamSettings.of(1e-2)).adam().trainable())
        .containsExactlyInAnyOrderElementsOf(o.surgeon().trainableVariables());
  }
}
