package dev.ablation.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.samediff.train.TrainingCheckpoint.Progress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Progress}: the three counters of a checkpoint, whole and never negative. */
class TrainingCheckpointProgressTest {
  @Test
  void aNegativeCountIsRefusedNamingAllThree() {
    assertThatThrownBy(() -> new Progress(3, -1, 40))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoint counts must be >= 0, got steps=3, examples=-1, tokens=40");
  }

  @Test
  void theCheckpointReadsItsCountsFromItsProgress() {
    TrainingCheckpoint c = new TrainingCheckpoint("k", new Progress(3, 48, 384), List.of(),
        Map.of(), Map.of(), Map.of());
    assertThat(c.steps()).isEqualTo(3);
    assertThat(c.examples()).isEqualTo(48);
    assertThat(c.tokens()).isEqualTo(384);
    assertThat(new Progress(3, 48, 384)).isEqualTo(c.progress())
        .hasSameHashCodeAs(c.progress());
  }
}
