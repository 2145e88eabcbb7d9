package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@link Environment}'s builder, and its JSON: every manifest carries it, so the JSON is the
 * record's, pinned here as well as in {@code manifest/v2.json}.
 */
class EnvironmentBuilderTest {
  static final String JSON = "{\"javaVersion\":\"17.0.2\",\"javaVendor\":\"Vendor\","
      + "\"os\":\"Linux 6.1\",\"arch\":\"amd64\",\"cpu\":\"Some CPU\",\"cores\":2,"
      + "\"engine\":\"SameDiff\",\"engineVersion\":\"1.0.0-M2.1\",\"backend\":\"CPU x\","
      + "\"nativeBuild\":\"linux-x86_64-onednn\"}";

  static Environment reference() {
    return Environment.builder().javaVersion("17.0.2").javaVendor("Vendor").os("Linux 6.1")
        .arch("amd64").cpu("Some CPU").cores(2).engine("SameDiff").engineVersion("1.0.0-M2.1")
        .backend("CPU x").nativeBuild("linux-x86_64-onednn").build();
  }

  @Test
  void jsonIsTheRecordsAndRoundTrips() throws Exception {
    ObjectMapper m = new ObjectMapper();
    assertThat(m.writeValueAsString(reference())).isEqualTo(JSON);
    Environment back = m.readValue(JSON, Environment.class);
    assertThat(back).isEqualTo(reference());
    assertThat(m.writeValueAsString(back)).isEqualTo(JSON);
  }

  @Test
  void aMissingNativeBuildReadsAsUnknown() throws Exception {
    Environment e = new ObjectMapper().readValue(
        JSON.replace(",\"nativeBuild\":\"linux-x86_64-onednn\"", ""), Environment.class);
    assertThat(e.nativeBuild()).isEqualTo("unknown");
  }

  @Test
  void optionalFactsDefaultToUnknown() {
    Environment e = reference().toBuilder().build();
    assertThat(e).isEqualTo(reference());
    Environment bare = Environment.builder().javaVersion("17").javaVendor("v").os("os")
        .arch("arch").cores(1).engine("e").engineVersion("0").backend("b").build();
    assertThat(bare.cpu()).isEqualTo("unknown");
    assertThat(bare.nativeBuild()).isEqualTo("unknown");
  }

  @Test
  void eachFactOnce() {
    assertThatThrownBy(() -> Environment.builder().os("a").os("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("os was already set");
    assertThatThrownBy(() -> Environment.builder().cores(1).cores(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cores was already set");
    assertThatThrownBy(() -> Environment.builder().nativeBuild("x").nativeBuild("y"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nativeBuild was already set");
  }

  @Test
  void copiedFactsMayBeReplacedOnce() {
    Environment e = reference().toBuilder().cores(8).backend("GPU").build();
    assertThat(e.cores()).isEqualTo(8);
    assertThat(e.backend()).isEqualTo("GPU");
    assertThat(e.os()).isEqualTo("Linux 6.1");
    assertThat(e).isNotEqualTo(reference());
    assertThatThrownBy(() -> reference().toBuilder().cores(8).cores(9))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badValuesFailAtTheCall() {
    assertThatThrownBy(() -> Environment.builder().cores(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cores must be >= 1, got 0");
    assertThatThrownBy(() -> Environment.builder().engine(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("engine must be non-blank text, got ' '");
    assertThatThrownBy(() -> Environment.builder().cpu(null))
        .hasMessage("cpu must be non-blank text (leave it unset for unknown), got null");
  }

  @Test
  void buildNamesEveryMissingFactAtOnce() {
    assertThatThrownBy(() -> Environment.builder().javaVersion("17").os("os").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an environment needs javaVendor, arch, cores, engine, engineVersion,"
            + " backend; set them on the builder");
  }

  @Test
  void equalsAndHashCode() {
    assertThat(reference()).isEqualTo(reference()).hasSameHashCodeAs(reference());
    assertThat(reference()).isNotEqualTo(reference().toBuilder().cpu("Other").build());
  }
}
