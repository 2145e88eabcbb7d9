package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TrainedOriginalBuilder}: each value once, checked at its call; all of them required. */
class TrainedOriginalBuilderTest {
  private static final ReferenceModel MODEL =
      ReferenceModel.build(TransformerConfig.decoderOnly(1, 8, 2, 5, 4, 7));
  private static final List<ValidationPoint> CURVE =
      List.of(new ValidationPoint(0, 0, 0, Double.NaN, 1.75));

  private static TrainedOriginalBuilder complete() {
    return TrainedOriginal.builder().model(MODEL).initialWeights(MODEL.weights())
        .budget(new ReferenceCost(80, 640)).curve(CURVE).finalLoss(1.75)
        .plan(TrainingPlan.of(1, 16, 1e-2, 3)).trainStrings(40).validationStrings(20)
        .cacheKey("0123456789abcdef");
  }

  static Stream<Arguments> setters() {
    return Stream.of(
        Arguments.of("model", (UnaryOperator<TrainedOriginalBuilder>) b -> b.model(
            ReferenceModel.build(TransformerConfig.decoderOnly(1, 8, 2, 5, 4, 8)))),
        Arguments.of("initialWeights", (UnaryOperator<TrainedOriginalBuilder>) b ->
            b.initialWeights(java.util.Map.of())),
        Arguments.of("budget", (UnaryOperator<TrainedOriginalBuilder>) b ->
            b.budget(new ReferenceCost(1, 8))),
        Arguments.of("curve", (UnaryOperator<TrainedOriginalBuilder>) b -> b.curve(List.of())),
        Arguments.of("finalLoss", (UnaryOperator<TrainedOriginalBuilder>) b -> b.finalLoss(2)),
        Arguments.of("plan", (UnaryOperator<TrainedOriginalBuilder>) b ->
            b.plan(TrainingPlan.of(2, 16, 1e-2, 3))),
        Arguments.of("trainStrings", (UnaryOperator<TrainedOriginalBuilder>) b ->
            b.trainStrings(41)),
        Arguments.of("validationStrings", (UnaryOperator<TrainedOriginalBuilder>) b ->
            b.validationStrings(21)),
        Arguments.of("cacheKey", (UnaryOperator<TrainedOriginalBuilder>) b ->
            b.cacheKey("fedcba9876543210")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("setters")
  void aSecondCallOfASetterIsRefusedNamingIt(String name,
      UnaryOperator<TrainedOriginalBuilder> set) {
    TrainedOriginalBuilder b = set.apply(TrainedOriginal.builder());
    assertThatThrownBy(() -> set.apply(b)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name + " was already set");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("setters")
  void aCopiedValueMayBeReplacedOnce(String name, UnaryOperator<TrainedOriginalBuilder> set) {
    TrainedOriginal t = complete().build();
    TrainedOriginalBuilder b = t.toBuilder();
    assertThat(set.apply(b).build()).isNotEqualTo(t);
    assertThatThrownBy(() -> set.apply(b)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name + " was already set");
  }

  @Test
  void buildNamesEveryMissingValueAtOnce() {
    assertThatThrownBy(() -> TrainedOriginal.builder().model(MODEL).finalLoss(1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("incomplete trained original: initialWeights(…) is required;"
            + " budget(…) is required; curve(…) is required; plan(…) is required;"
            + " trainStrings(…) is required; validationStrings(…) is required;"
            + " cacheKey(…) is required");
  }

  @Test
  void badValuesAreRefusedAtTheCallNamingThem() {
    assertThatThrownBy(() -> TrainedOriginal.builder().model(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("model must not be null");
    assertThatThrownBy(() -> TrainedOriginal.builder().trainStrings(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trainStrings must be >= 0 strings, got -1");
    assertThatThrownBy(() -> TrainedOriginal.builder().cacheKey(null))
        .hasMessage("cacheKey must not be null");
  }

  @Test
  void equalValuesMakeEqualOriginalsAndToBuilderCopiesThemAll() {
    TrainedOriginal a = complete().build();
    assertThat(a).isEqualTo(complete().build()).hasSameHashCodeAs(complete().build());
    assertThat(a.toBuilder().build()).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.curve()).isEqualTo(CURVE);
    assertThat(a.lossStar()).isEqualTo(1.75);
    assertThat(a.toString()).contains("0123456789abcdef").doesNotContain("INDArray");
  }
}
