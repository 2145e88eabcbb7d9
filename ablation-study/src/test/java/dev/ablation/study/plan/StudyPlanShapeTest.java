package dev.ablation.study.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.ablation.api.Architecture;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link StudyPlan} as a class built only through its builder: each axis once (Caffeine's
 * "was already set"), each axis copied by {@code toBuilder()} replaceable once, an empty or
 * null axis refused at the call and the refused call setting nothing, every axis in
 * {@code equals}, and Java serialization (a plan is {@code Serializable} for cluster drivers)
 * giving back an equal, checked plan.
 */
class StudyPlanShapeTest {

  /** One axis: its name in messages, and a call that sets it to a value no preset has. */
  record Axis(String label, Function<StudyPlanBuilder, StudyPlanBuilder> set) {
    @Override
    public String toString() {
      return label;
    }
  }

  static final List<Axis> AXES = List.of(
      new Axis(Setting.ARCHS.label(), b -> b.archs(List.of(Architecture.ENCODER_ONLY))),
      new Axis(Setting.DEPTHS.label(), b -> b.depths(List.of(6))),
      new Axis(Setting.WIDTHS.label(), b -> b.widths(List.of(48))),
      new Axis(Setting.HEADS.label(), b -> b.heads(2)),
      new Axis(Setting.WIPE.label(), b -> b.wipe(List.of(1))),
      new Axis(Setting.SCHEMES.label(), b -> b.schemes(List.of(ReinitScheme.restoreInitial()))),
      new Axis(Setting.POLICIES.label(), b -> b.policies(List.of(FreezePolicy.wipedPlusHead()))),
      new Axis(Setting.SEEDS.label(), b -> b.seeds(List.of(9L))),
      new Axis(StudyPlanBuilder.TRAINING,
          b -> b.training(TrainingSettings.builder().strings(512).build())),
      new Axis(Setting.RECOVERY_LR.label(), b -> b.recoveryLr(List.of(0.3))),
      new Axis(Setting.WIPE_KINDS.label(), b -> b.kinds(List.of(WipeKind.MLP))),
      new Axis(Setting.DESIGN.label(), b -> b.design(Design.oneAtATime(List.of(6)))));

  @Test
  void everySetterRefusesASecondCallNamingItsAxis() {
    assertThat(AXES).hasSize(12);
    for (Axis a : AXES) {
      StudyPlanBuilder b = a.set().apply(StudyPlan.builder());
      assertThatIllegalStateException().as(a.label()).isThrownBy(() -> a.set().apply(b))
          .withMessage(a.label() + " was already set on this builder; set each setting once");
    }
    assertThatIllegalStateException()
        .isThrownBy(() -> StudyPlan.builder().depths(List.of(2)).depths(List.of(3)))
        .withMessage("n_layers (--layers) was already set on this builder; set each setting"
            + " once");
  }

  @Test
  void everyCopiedAxisMayBeReplacedOnceAndOnlyOnce() {
    for (Preset p : Presets.ALL) {
      for (Axis a : AXES) {
        StudyPlanBuilder b = a.set().apply(p.plan().toBuilder());
        assertThat(b.build()).as(p.name() + " " + a).isNotEqualTo(p.plan());
        assertThatIllegalStateException().as(p.name() + " " + a)
            .isThrownBy(() -> a.set().apply(b)).withMessageContaining(" was already set");
      }
    }
  }

  @Test
  void anEmptyOrNullAxisIsRefusedAtTheCallWhichSetsNothing() {
    StudyPlanBuilder b = StudyPlan.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> b.depths(List.of()))
        .withMessage("--layers needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.archs(null))
        .withMessage("--arch needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.widths(List.of()))
        .withMessage("--widths needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.schemes(List.of()))
        .withMessage("--schemes needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.policies(List.of()))
        .withMessage("--policies needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.seeds(List.of()))
        .withMessage("--seeds needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.recoveryLr(List.of()))
        .withMessage("--recovery-lr needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.kinds(List.of()))
        .withMessage("--wipe-kinds needs at least one value");
    assertThatIllegalArgumentException().isThrownBy(() -> b.seeds(Arrays.asList(1L, null)))
        .withMessage("--seeds [1, null] holds a null; give only values");
    assertThatIllegalArgumentException().isThrownBy(() -> b.wipe(null))
        .withMessageContaining("--wipe null is not a list of block indices");
    assertThatIllegalArgumentException().isThrownBy(() -> b.training(null))
        .withMessageContaining("training settings are required");
    assertThatIllegalArgumentException().isThrownBy(() -> b.design(null))
        .withMessage("design (--design) is required; valid: Design.FACTORIAL, "
            + "Design.oneAtATime(depths)");
    // none of the refused calls counted: each axis may still be given once
    StudyPlan plan = b.depths(List.of(3, 3, 2)).seeds(List.of(4L)).wipe(List.of())
        .design(Design.FACTORIAL).build();
    assertThat(plan.depths()).as("duplicates dropped, order kept").containsExactly(3, 2);
    assertThat(plan.seeds()).containsExactly(4L);
  }

  @Test
  void buildLeavesTheModelsChecksToProblemsWhichReportsThemAllAtOnce() {
    StudyPlan bad = StudyPlan.builder().depths(List.of(0, 2)).widths(List.of(30)).heads(4)
        .wipe(List.of(5)).recoveryLr(List.of(-1.0)).build();
    assertThat(bad.problems()).hasSize(4)
        .anyMatch(m -> m.startsWith("n_layers 0 in --layers must be >= 1"))
        .anyMatch(m -> m.startsWith("d_model 30 in --widths is not divisible by --heads 4"))
        .anyMatch(m -> m.startsWith("layer 5 in --wipe is out of range"))
        .anyMatch(m -> m.contains("-1.0x in --recovery-lr"));
    assertThat(Presets.ALL).allMatch(p -> p.plan().problems().isEmpty());
  }

  @Test
  void equalAxesAreEqualAndEveryAxisCounts() {
    for (Preset p : Presets.ALL) {
      StudyPlan again = p.plan().toBuilder().build();
      assertThat(again).isEqualTo(p.plan()).isNotSameAs(p.plan()).hasSameHashCodeAs(p.plan());
    }
    StudyPlan base = StudyPlan.builder().build();
    List<StudyPlan> others = new ArrayList<>();
    for (Axis a : AXES) {
      others.add(a.set().apply(StudyPlan.builder()).build());
    }
    assertThat(others).doesNotContain(base).doesNotHaveDuplicates();
    assertThat(base).isNotEqualTo(null).isNotEqualTo(base.toString());
  }

  @Test
  void theNewShapeHasNoPublicConstructorAndItsListsAreImmutable() {
    assertThat(StudyPlan.class.getConstructors()).isEmpty();
    List<Integer> depths = new ArrayList<>(List.of(2, 3));
    StudyPlan p = StudyPlan.builder().depths(depths).build();
    depths.add(4);
    assertThat(p.depths()).containsExactly(2, 3);
    assertThatIllegalArgumentException().isThrownBy(() -> StudyPlan.builder().depths(List.of())
        .build());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.depths().add(5))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringNamesEveryAxisAsTheRecordDid() {
    assertThat(Presets.QUICK.plan().toString()).isEqualTo("StudyPlan[archs=[DECODER_ONLY], "
        + "depths=[2], widths=[32], heads=4, wipe=[], schemes=[FRESH, ZERO_OUTPUT], "
        + "policies=[OnlyWiped[]], seeds=[1, 2, 3, 4, 5], training="
        + Presets.QUICK.plan().training() + ", recoveryLr=[1.0], kinds=[block], "
        + "design=Factorial[]]");
  }

  @Test
  void javaSerializationGivesBackAnEqualPlan() throws Exception {
    for (Preset p : Presets.ALL) {
      StudyPlan back = TrainingSettingsShapeTest.roundTrip(p.plan());
      assertThat(back).as(p.name()).isEqualTo(p.plan());
      assertThat(back.totalRuns()).isEqualTo(p.plan().totalRuns());
    }
  }
}
