package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The seeds a study derives are the seeds its manifest records: one type, one derivation, one
 * JSON form, and a stream a run did not use is absent (asking for it says so), never zero.
 */
class SeedsTest {

  @Property(tries = 50)
  void derivedSeedsRoundTripThroughTheManifestsJson(@ForAll long master) throws Exception {
    Seeds s = Seeds.derivedFrom(master);
    ObjectMapper json = new ObjectMapper();
    String written = json.writeValueAsString(s);
    assertThat(json.readValue(written, Seeds.class)).isEqualTo(s);
    assertThat(s.master()).isEqualTo(master);
    assertThat(s.values()).hasSize(SeedStream.values().length);
  }

  @Test
  void theDerivationIsTheDocumentedHash() {
    // pinned values of docs/protocol.md's derivation: murmur3_128 of "ablation-seed/1|3|wipe"
    Seeds s = Seeds.derivedFrom(3);
    assertThat(s.wipe()).isEqualTo(Seeds.derive(3, "wipe"));
    assertThat(s.originalData()).isEqualTo(Seeds.derive(3, "original_data"));
    assertThat(s.recoveryData()).isEqualTo(Seeds.derive(3, "recovery_data"));
    assertThat(s.originalInit()).isEqualTo(Seeds.derive(3, "original_init"));
    assertThat(json(s)).isEqualTo("{\"master\":3,\"original_data_order\":" + s.originalData()
        + ",\"original_init\":" + s.originalInit() + ",\"recovery_data_order\":"
        + s.recoveryData() + ",\"wipe\":" + s.wipe() + "}");
  }

  @Test
  void aStreamTheRunDidNotUseIsAbsentAndSaysSo() {
    Seeds onlyWipe = Seeds.of(SeedStream.WIPE, 7);
    assertThat(onlyWipe.wipe()).isEqualTo(7);
    assertThat(onlyWipe.get(SeedStream.MASTER)).isEmpty();
    assertThatThrownBy(onlyWipe::master).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no master stream").hasMessageContaining("[wipe]");
  }

  @Test
  void withAddsEveryStreamOfAnother() {
    Seeds merged = Seeds.of(SeedStream.WIPE, 7).with(Seeds.derivedFrom(1));
    assertThat(merged).isEqualTo(Seeds.derivedFrom(1));
    assertThat(Seeds.none().with(Seeds.of(SeedStream.MASTER, 2)).values())
        .isEqualTo(Map.of(SeedStream.MASTER, 2L));
  }

  private static String json(Seeds s) {
    try {
      return new ObjectMapper().writeValueAsString(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
