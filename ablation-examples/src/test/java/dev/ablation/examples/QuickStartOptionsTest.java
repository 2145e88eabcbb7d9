package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuickStartOptionsTest {
  @Test
  void presetsKeepTheirValues() {
    QuickStartOptions d = QuickStartOptions.defaults();
    assertThat(new Object[] {d.layers(), d.dModel(), d.heads(), d.vocab(), d.context(),
        d.strings(), d.epochs(), d.batch(), d.learningRate(), d.epsilon(), d.evaluateEvery(),
        d.seed()}).containsExactly(2, 32, 2, 8, 16, 2048, 2, 16, 3e-3, 0.05, 4, 1L);
    QuickStartOptions t = QuickStartOptions.tiny();
    assertThat(new Object[] {t.layers(), t.dModel(), t.heads(), t.vocab(), t.context(),
        t.strings(), t.epochs(), t.batch(), t.learningRate(), t.epsilon(), t.evaluateEvery(),
        t.seed()}).containsExactly(2, 16, 2, 8, 8, 256, 3, 16, 1e-2, 0.05, 2, 1L);
  }

  @Test
  void eachOptionOnce() {
    assertThatThrownBy(() -> QuickStartOptions.builder().layers(3).layers(4))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("layers was already set");
    assertThatThrownBy(() -> QuickStartOptions.builder().seed(1).seed(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("seed was already set");
    assertThatThrownBy(() -> QuickStartOptions.builder().learningRate(1e-3).learningRate(1e-2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("learningRate was already set");
  }

  @Test
  void copiedOptionsMayBeReplacedOnce() {
    QuickStartOptions o = QuickStartOptions.tiny().toBuilder().layers(3).seed(9).build();
    assertThat(o.layers()).isEqualTo(3);
    assertThat(o.seed()).isEqualTo(9L);
    assertThat(o.dModel()).isEqualTo(16);
    assertThat(QuickStartOptions.tiny().toBuilder().build()).isEqualTo(QuickStartOptions.tiny())
        .hasSameHashCodeAs(QuickStartOptions.tiny());
    assertThat(o).isNotEqualTo(QuickStartOptions.tiny());
  }

  @Test
  void badValuesFailAtTheCallNamingThem() {
    assertThatThrownBy(() -> QuickStartOptions.builder().layers(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("QuickStart wipes blocks.1, so it needs layers >= 2, got 1");
    assertThatThrownBy(() -> QuickStartOptions.builder().batch(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batch must be >= 1, got 0");
    assertThatThrownBy(() -> QuickStartOptions.builder().learningRate(Double.NaN))
        .hasMessage("learningRate must be finite and > 0, got NaN");
  }
}
