package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class ManifestTest {

  @Property(tries = 100)
  void jsonRoundTrips(@ForAll @Size(max = 6) Map<String, String> config,
      @ForAll @Size(max = 4) Map<String, Long> seeds) {
    RunManifest m = RunManifest.of(config, seeds,
        Environment.current("SameDiff", "1.0.0-M2.1", "CPU test"));
    assertThat(RunManifest.fromJson(m.toJson())).isEqualTo(m);
  }

  @Example
  void garbageIsRejectedWithTheParsersReason() {
    assertThatThrownBy(() -> RunManifest.fromJson("{not json")).hasMessageContaining("not a run manifest");
  }
}
