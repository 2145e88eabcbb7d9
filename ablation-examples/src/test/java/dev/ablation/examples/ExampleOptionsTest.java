package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link OwnModelOptions} and {@link PretrainedOptions}: presets, set once, checks. */
class ExampleOptionsTest {
  private static final Path FIXTURE = Path.of("..").resolve(Pretrained.FIXTURE);

  @Test
  void ownModelPresetsKeepTheirValues() {
    OwnModelOptions d = OwnModelOptions.defaults();
    assertThat(new Object[] {d.blocks(), d.dModel(), d.vocab(), d.context(), d.strings(),
        d.epochs(), d.batch(), d.learningRate(), d.epsilon(), d.evaluateEvery(), d.seed()})
        .containsExactly(3, 32, 8, 16, 2048, 2, 16, 3e-3, 0.05, 4, 2L);
    OwnModelOptions t = OwnModelOptions.tiny();
    assertThat(new Object[] {t.blocks(), t.dModel(), t.vocab(), t.context(), t.strings(),
        t.epochs(), t.batch(), t.learningRate(), t.epsilon(), t.evaluateEvery(), t.seed()})
        .containsExactly(2, 16, 8, 8, 256, 3, 16, 1e-2, 0.05, 2, 2L);
  }

  @Test
  void ownModelOptionsOnceCopiesOnceAndChecks() {
    assertThatThrownBy(() -> OwnModelOptions.builder().blocks(3).blocks(4))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("blocks was already set");
    OwnModelOptions o = OwnModelOptions.tiny().toBuilder().blocks(4).build();
    assertThat(o.blocks()).isEqualTo(4);
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(o).isNotEqualTo(OwnModelOptions.tiny());
    assertThatThrownBy(() -> OwnModelOptions.builder().blocks(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("OwnModel wipes block 1, so it needs blocks >= 2, got 1");
    assertThatThrownBy(() -> OwnModelOptions.builder().vocab(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("vocab must be >= 2, got 1");
  }

  @Test
  void pretrainedPresetsKeepTheirValues() {
    PretrainedOptions d = PretrainedOptions.defaults(FIXTURE, 2);
    assertThat(new Object[] {d.checkpoint(), d.nHead(), d.referenceExamples(),
        d.trainStrings(), d.batch(), d.learningRate(), d.epsilon(), d.maxSteps(),
        d.evaluateEvery(), d.seed()}).containsExactly(FIXTURE, 2, Pretrained.FIXTURE_EXAMPLES,
        4096, 32, 3e-3, 0.01, 400, 20, 35L);
    PretrainedOptions t = PretrainedOptions.tiny(FIXTURE);
    assertThat(new Object[] {t.checkpoint(), t.nHead(), t.referenceExamples(),
        t.trainStrings(), t.batch(), t.learningRate(), t.epsilon(), t.maxSteps(),
        t.evaluateEvery(), t.seed()}).containsExactly(FIXTURE, 4, Pretrained.FIXTURE_EXAMPLES,
        256, 16, 3e-3, 0.01, 16, 4, 35L);
  }

  @Test
  void pretrainedOptionsOnceCopiesOnceAndChecks() {
    assertThatThrownBy(() -> PretrainedOptions.builder(FIXTURE, 4).maxSteps(10).maxSteps(20))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxSteps was already set");
    PretrainedOptions o = PretrainedOptions.tiny(FIXTURE).toBuilder().maxSteps(8).build();
    assertThat(o.maxSteps()).isEqualTo(8);
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThatThrownBy(() -> PretrainedOptions.builder(FIXTURE, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("nHead must be >= 1, got 0");
    assertThatThrownBy(() -> PretrainedOptions.builder(FIXTURE, 4).epsilon(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epsilon must be finite and > 0, got -1.0");
    assertThatThrownBy(() -> PretrainedOptions.builder(null, 4))
        .isInstanceOf(NullPointerException.class).hasMessage("checkpoint");
  }
}
