package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TrainingPlanBuilder}: each setting once, checked at its call; build() checks the rest. */
class TrainingPlanBuilderTest {
  private static TrainingPlanBuilder required() {
    return TrainingPlan.builder().epochs(3).batchSize(16).adam(AdamSettings.of(1e-2))
        .shuffleSeed(4);
  }

  static Stream<Arguments> setters() {
    return Stream.of(
        Arguments.of("epochs", (UnaryOperator<TrainingPlanBuilder>) b -> b.epochs(2)),
        Arguments.of("batchSize", (UnaryOperator<TrainingPlanBuilder>) b -> b.batchSize(8)),
        Arguments.of("adam",
            (UnaryOperator<TrainingPlanBuilder>) b -> b.adam(AdamSettings.of(3e-3))),
        Arguments.of("evaluateEvery",
            (UnaryOperator<TrainingPlanBuilder>) b -> b.evaluateEvery(5)),
        Arguments.of("evaluationBatchSize",
            (UnaryOperator<TrainingPlanBuilder>) b -> b.evaluationBatchSize(32)),
        Arguments.of("shuffleSeed", (UnaryOperator<TrainingPlanBuilder>) b -> b.shuffleSeed(9)),
        Arguments.of("convergence",
            (UnaryOperator<TrainingPlanBuilder>) b -> b.convergence(new Convergence(2, 0.1))),
        Arguments.of("maxSteps", (UnaryOperator<TrainingPlanBuilder>) b -> b.maxSteps(7)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("setters")
  void aSecondCallOfASetterIsRefusedNamingIt(String name, UnaryOperator<TrainingPlanBuilder> set) {
    TrainingPlanBuilder b = set.apply(TrainingPlan.builder());
    assertThatThrownBy(() -> set.apply(b)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name + " was already set");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("setters")
  void aCopiedValueMayBeReplacedOnce(String name, UnaryOperator<TrainingPlanBuilder> set) {
    TrainingPlan p = required().convergence(new Convergence(3, 0.5)).maxSteps(1).build();
    TrainingPlanBuilder b = p.toBuilder();
    TrainingPlan replaced = set.apply(b).build();
    assertThat(replaced).isNotEqualTo(p);
    assertThatThrownBy(() -> set.apply(b)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name + " was already set");
  }

  @Test
  void toBuilderCopiesEverySetting() {
    TrainingPlan p = required().evaluateEvery(7).evaluationBatchSize(9)
        .convergence(new Convergence(2, 0.25)).maxSteps(11).build();
    assertThat(p.toBuilder().build()).isEqualTo(p).hasSameHashCodeAs(p)
        .hasToString(p.toString());
    TrainingPlan plain = required().build();
    assertThat(plain.toBuilder().build()).isEqualTo(plain);
    assertThat(plain.toBuilder().convergence(new Convergence(2, 0.25)).build().convergence())
        .isEqualTo(new Convergence(2, 0.25));
  }

  @Test
  void badValuesAreRefusedAtTheCallNamingThem() {
    assertThatThrownBy(() -> TrainingPlan.builder().epochs(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("epochs must be >= 1, got 0");
    assertThatThrownBy(() -> TrainingPlan.builder().batchSize(-1))
        .hasMessage("batch size must be >= 1, got -1");
    assertThatThrownBy(() -> TrainingPlan.builder().adam(null))
        .hasMessage("adam settings are required");
    assertThatThrownBy(() -> TrainingPlan.builder().evaluateEvery(0))
        .hasMessage("evaluateEvery must be >= 1, got 0");
    assertThatThrownBy(() -> TrainingPlan.builder().evaluationBatchSize(0))
        .hasMessage("evaluation batch size must be >= 1, got 0");
    assertThatThrownBy(() -> TrainingPlan.builder().maxSteps(-2))
        .hasMessage("max steps must be >= 0 (0: until converged), got -2");
    assertThatThrownBy(() -> TrainingPlan.builder().convergence(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("convergence");
  }

  @Test
  void aValueRefusedAsBadIsNotGivenSoTheCorrectedCallIsAccepted() {
    TrainingPlanBuilder b = TrainingPlan.builder();
    assertThatThrownBy(() -> b.epochs(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(b.epochs(4).batchSize(16).adam(AdamSettings.of(1e-2)).shuffleSeed(4).build()
        .epochs()).isEqualTo(4);
    assertThatThrownBy(() -> b.epochs(5)).isInstanceOf(IllegalStateException.class)
        .hasMessage("epochs was already set to 4 on this builder; set each setting once");
  }

  @Test
  void buildNamesEveryMissingSettingAtOnce() {
    assertThatThrownBy(() -> TrainingPlan.builder().batchSize(4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid training plan: epochs(…) is required; adam(…) is required;"
            + " shuffleSeed(…) is required");
  }

  @Test
  void defaultsAreThoseOfOf() {
    TrainingPlan p = required().build();
    assertThat(p).isEqualTo(TrainingPlan.of(3, 16, 1e-2, 4));
    assertThat(p.evaluateEvery()).isEqualTo(50);
    assertThat(p.evaluationBatchSize()).isEqualTo(128);
    assertThat(p.convergence()).isNull();
    assertThat(p.maxSteps()).isZero();
    assertThat(p.lossWindow()).isEqualTo(1);
  }

  @Test
  void equalPlansAreEqualAndHashAlike() {
    TrainingPlan a = required().convergence(new Convergence(2, 0.1)).build();
    TrainingPlan b = required().convergence(new Convergence(2, 0.1)).build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(required().build());
    assertThat(a).isNotEqualTo(a.forSteps(5)).isNotEqualTo(a.evaluatingEvery(3));
  }

  @Test
  void aPlanFromJsonIsCheckedAsTheBuilderChecksIt() {
    String bad = "{\"epochs\" : 0, \"batchSize\" : 16, \"adam\" : {\"learningRate\" : 0.01,"
        + " \"beta1\" : 0.9, \"beta2\" : 0.999, \"epsilon\" : 1.0E-8}, \"evaluateEvery\" : 3,"
        + " \"evaluationBatchSize\" : 128, \"shuffleSeed\" : 3, \"convergence\" : null}";
    assertThatThrownBy(() -> TrainedOriginal.mapper().readValue(bad, TrainingPlan.class))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("epochs must be >= 1, got 0");
  }
}
