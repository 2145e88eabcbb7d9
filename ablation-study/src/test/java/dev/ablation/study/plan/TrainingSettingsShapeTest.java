package dev.ablation.study.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainingSettings} as a class built only through {@link TrainingSettingsBuilder}: each
 * setter once, each value copied by {@code toBuilder()} replaceable once, every value in
 * {@code equals} and {@code hashCode}, and Java serialization (Spark ships the settings inside
 * each original's spec) giving back an equal value.
 */
class TrainingSettingsShapeTest {

  /** Sets {@code s} to a valid value that differs from every preset's and from the held one. */
  static TrainingSettingsBuilder set(TrainingSettingsBuilder b, Setting s) {
    return switch (s) {
      case TASK -> b.task(Task.HOPS);
      case VOCAB -> b.vocab(11);
      case SEQ_LEN -> b.seqLen(13);
      case STRINGS -> b.strings(999);
      case BATCH_SIZE -> b.batchSize(7);
      case PEAK_RATE -> b.peakRate(1.5e-3);
      case WARMUP -> b.warmupSteps(3);
      case RECOVERY_WARMUP -> b.recoveryWarmup(2);
      case ORIGINAL_EVAL_EVERY -> b.originalEvalEvery(5);
      case CONVERGENCE_WINDOW -> b.convergenceWindow(3);
      case CONVERGENCE_DELTA -> b.convergenceDelta(0.004);
      case EPOCHS -> b.maxEpochs(3);
      case TRAIN_STEPS -> b.trainSteps(321);
      case TARGET_RULE -> b.targetRule(TargetRule.NATS);
      case EPSILON -> b.epsilon(0.07);
      case EVAL_EVERY -> b.evalEvery(6);
      case PATIENCE -> b.patience(2);
      case BUDGET -> b.budgetFraction(0.75);
      case SCRATCH -> b.scratch(!b.scratch);
      case HORIZON -> b.horizonSteps(77);
      default -> throw new AssertionError(s + " is not a setting of TrainingSettings");
    };
  }

  @Test
  void everySetterRefusesASecondCallNamingItsSetting() {
    for (Setting s : Setting.training()) {
      TrainingSettingsBuilder b = set(TrainingSettings.builder(), s);
      assertThatIllegalStateException().as(s.name()).isThrownBy(() -> set(b, s))
          .withMessage(s.label() + " was already set on this builder; set each setting once");
    }
  }

  @Test
  void everyCopiedValueMayBeReplacedOnceAndOnlyOnce() {
    TrainingSettings preset = Presets.FULL.plan().training();
    for (Setting s : Setting.training()) {
      TrainingSettingsBuilder b = set(preset.toBuilder(), s);
      TrainingSettings changed = b.build();
      assertThat(changed).as(s.name()).isNotEqualTo(preset);
      assertThat(changed.asMap().get(s.key().orElseThrow())).as(s.name())
          .isNotEqualTo(preset.asMap().get(s.key().orElseThrow()));
      assertThatIllegalStateException().as(s.name()).isThrownBy(() -> set(b, s))
          .withMessageContaining(s.label() + " was already set");
    }
  }

  @Test
  void equalValuesAreEqualAndEveryValueCounts() {
    for (Preset p : Presets.ALL) {
      TrainingSettings t = p.plan().training();
      TrainingSettings again = t.toBuilder().build();
      assertThat(again).isEqualTo(t).isNotSameAs(t).hasSameHashCodeAs(t);
      for (Setting s : Setting.training()) {
        TrainingSettings other = set(t.toBuilder(), s).build();
        assertThat(other).as(p.name() + " " + s).isNotEqualTo(t);
      }
    }
    assertThat(TrainingSettings.builder().build()).isNotEqualTo(null).isNotEqualTo("quick");
  }

  @Test
  void theNewShapeHasNoPublicConstructor() {
    assertThat(TrainingSettings.class.getConstructors()).isEmpty();
  }

  @Test
  void toStringNamesEveryValue() {
    assertThat(Presets.QUICK.plan().training().toString()).isEqualTo("TrainingSettings["
        + "task=markov, vocab=8, seqLen=16, strings=2048, batchSize=16, "
        + "optimiser=Optimiser[peakRate=0.003, warmupSteps=32, recoveryWarmup=8], "
        + "stopping=Stopping[evalEvery=16, window=5, delta=0.01, maxEpochs=8, "
        + "fixedSteps=0], target=TargetChoice[rule=NOISE, epsilon=0.05], evalEvery=4, patience=6, "
        + "budgetFraction=1.0, scratch=false, horizonSteps=0]");
  }

  @Test
  void javaSerializationGivesBackEqualSettings() throws Exception {
    for (Preset p : Presets.ALL) {
      TrainingSettings t = p.plan().training().toBuilder().horizonSteps(50).build();
      TrainingSettings back = roundTrip(t);
      assertThat(back).isEqualTo(t);
      assertThat(back.asMap()).containsExactlyEntriesOf(t.asMap());
    }
  }

  @Test
  void theBuilderStillNamesEveryBadValueAtOnce() {
    assertThatIllegalArgumentException().isThrownBy(() -> TrainingSettings.builder().task(null)
            .batchSize(0).patience(-1).budgetFraction(0).trainSteps(4).warmupSteps(8)
            .horizonSteps(-1).build())
        .withMessageContaining("task (--task) is required; valid: " + Task.keys())
        .withMessageContaining("batch-size must be >= 1, got 0")
        .withMessageContaining("patience must be >= 0, got -1")
        .withMessageContaining("budget (--budget) must be a finite fraction of S x E > 0, got 0.0")
        .withMessageContaining("train steps (--train-steps) 4 must be >= the original warm-up "
            + "(--warmup) of 8 steps")
        .withMessageContaining("horizon (--past-target) must be 0");
  }

  @SuppressWarnings("unchecked")
  static <T extends Serializable> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
