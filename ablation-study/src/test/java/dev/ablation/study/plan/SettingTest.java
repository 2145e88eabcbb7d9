package dev.ablation.study.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each setting is described once ({@link Setting}): the manifest {@link TrainingSettings}
 * writes has exactly the catalogue's keys, in its order, and every value of the catalogue is
 * written for a settings value that has them all; names, flags and keys do not repeat.
 */
class SettingTest {

  @Test
  void theManifestHasExactlyTheCataloguesKeysInItsOrder() {
    TrainingSettings all = Presets.STANDARD.plan().training().toBuilder().trainSteps(2048)
        .horizonSteps(100).build();
    List<String> keys = Setting.training().stream().map(s -> s.key().orElseThrow()).toList();
    assertThat(all.asMap().keySet()).containsExactlyElementsOf(keys);
    // the optional ones are left out when absent, nothing else
    TrainingSettings plain = Presets.STANDARD.plan().training().toBuilder().trainSteps(0)
        .horizonSteps(0).build();
    assertThat(plain.asMap().keySet()).containsExactlyElementsOf(keys.stream()
        .filter(k -> !k.equals("train_steps") && !k.equals(TrainingSettings.HORIZON_KEY))
        .toList());
  }

  @Test
  void namesFlagsAndKeysAreEachUnique() {
    assertThat(Arrays.stream(Setting.values()).map(Setting::words)).doesNotHaveDuplicates();
    assertThat(Arrays.stream(Setting.values()).map(Setting::flag).flatMap(Optional::stream))
        .doesNotHaveDuplicates().allMatch(f -> f.startsWith("--"));
    assertThat(Arrays.stream(Setting.values()).map(Setting::key).flatMap(Optional::stream))
        .doesNotHaveDuplicates();
  }

  @Test
  void anErrorNamesTheSettingByItsLabel() {
    assertThat(Setting.PEAK_RATE.label()).isEqualTo("peak learning rate (--peak-lr)");
    assertThat(Setting.PATIENCE.label()).isEqualTo("patience");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> TrainingSettings.builder().strings(0).build()))
        .hasMessageContaining(Setting.STRINGS.label() + " must be >= 1, got 0");
  }
}
