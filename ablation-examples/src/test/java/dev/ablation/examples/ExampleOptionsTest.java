package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link ExampleOptions} and {@link PretrainedOptions}: presets, checks, set once. */
class ExampleOptionsTest {
  private static final Path FIXTURE = Path.of("..").resolve(Pretrained.FIXTURE);

  @Test
  void thePresetsKeepTheirValues() {
    for (var c : new Object[][] {
        {QuickStart.defaults(), new Object[] {2, 32, 2, 8, 16, 2048, 2, 16, 3e-3, 0.05, 4, 1L}},
        {QuickStart.tiny(), new Object[] {2, 16, 2, 8, 8, 256, 3, 16, 1e-2, 0.05, 2, 1L}},
        {OwnModel.defaults(), new Object[] {3, 32, 1, 8, 16, 2048, 2, 16, 3e-3, 0.05, 4, 2L}},
        {OwnModel.tiny(), new Object[] {2, 16, 1, 8, 8, 256, 3, 16, 1e-2, 0.05, 2, 2L}}}) {
      ExampleOptions o = (ExampleOptions) c[0];
      assertThat(new Object[] {o.layers(), o.dModel(), o.heads(), o.vocab(), o.context(),
          o.strings(), o.epochs(), o.batch(), o.learningRate(), o.epsilon(),
          o.evaluateEvery(), o.seed()}).containsExactly((Object[]) c[1]);
    }
  }

  @Test
  void aGroupIsReplacedWholeAndEachValueIsCheckedNamingIt() {
    ExampleOptions t = QuickStart.tiny();
    ExampleOptions more = new ExampleOptions(new ExampleOptions.Sizes(3, 16, 2, 8, 8),
        t.training(), 9);
    assertThat(more.layers()).isEqualTo(3);
    assertThat(more.training()).isEqualTo(t.training());
    assertThat(more).isNotEqualTo(t);
    assertThat(new ExampleOptions(t.sizes(), t.training(), t.seed())).isEqualTo(t)
        .hasSameHashCodeAs(t);
    assertThatThrownBy(() -> new ExampleOptions.Sizes(1, 16, 2, 8, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the examples wipe blocks.1, so they need layers >= 2, got 1");
    assertThatThrownBy(() -> new ExampleOptions.Sizes(2, 16, 2, 1, 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("vocab must be >= 2, got 1");
    assertThatThrownBy(() -> new ExampleOptions.Training(256, 3, 0, 1e-2, 0.05, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batch must be >= 1, got 0");
    assertThatThrownBy(() -> new ExampleOptions.Training(256, 3, 16, Double.NaN, 0.05, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("learningRate must be finite and > 0, got NaN");
    assertThatThrownBy(() -> new ExampleOptions(null, t.training(), 1))
        .isInstanceOf(IllegalArgumentException.class);
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
