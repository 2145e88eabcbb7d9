package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class ManifestTest {
  /** The committed reference manifests, one per schema version. */
  static final Path GOLDEN = Path.of("src/test/resources/manifest");

  @Property(tries = 100)
  void jsonRoundTrips(@ForAll @Size(max = 6) Map<String, String> config,
      @ForAll @Size(max = 5) Map<SeedStream, Long> seeds) {
    RunManifest m = RunManifest.of(config, new Seeds(seeds),
        Environment.current("SameDiff", "1.0.0-M2.1", "CPU test", "linux-x86_64-onednn"));
    assertThat(RunManifest.fromJson(m.toJson())).isEqualTo(m);
  }

  @Example
  void garbageIsRejectedWithTheParsersReason() {
    assertThatThrownBy(() -> RunManifest.fromJson("{not json")).hasMessageContaining("not a run manifest");
  }

  /** The schema-2 JSON is exactly the committed golden file, and the file reads back. */
  @Example
  void schema2MatchesItsGoldenFile() throws IOException {
    String golden = Files.readString(GOLDEN.resolve("v2.json"), StandardCharsets.UTF_8);
    assertThat(reference().toJson().strip()).isEqualTo(golden.strip());
    assertThat(RunManifest.fromJson(golden)).isEqualTo(reference());
  }

  /** A schema-1 manifest (seeds by free names, no native build or commit) still reads. */
  @Example
  void schema1StillReads() throws IOException {
    RunManifest m = RunManifest.fromJson(
        Files.readString(GOLDEN.resolve("v1.json"), StandardCharsets.UTF_8));
    assertThat(m.schema()).isEqualTo(1);
    assertThat(m.seeds().get(SeedStream.WIPE)).hasValue(7L);
    assertThat(m.environment().nativeBuild()).isEqualTo("unknown");
    assertThat(m.gitCommit()).isEqualTo("unknown");
  }

  @Example
  void newerSchemasAndUnknownSeedStreamsAreRefusedByName() {
    String v3 = reference().toJson().replace("\"schema\" : 2", "\"schema\" : 3");
    assertThatThrownBy(() -> RunManifest.fromJson(v3)).hasMessageContaining("schema 3");
    assertThatThrownBy(() -> RunManifest.of(Map.of(), Map.of("wipes", 1L),
        Environment.current("e", "v", "b")))
        .hasMessageContaining("'wipes'").hasMessageContaining("recovery_data_order");
  }

  /** Every field set, nothing from the machine: what v2.json holds. */
  static RunManifest reference() {
    Map<SeedStream, Long> seeds = new EnumMap<>(SeedStream.class);
    seeds.put(SeedStream.MASTER, 1L);
    seeds.put(SeedStream.ORIGINAL_INIT, 2L);
    seeds.put(SeedStream.ORIGINAL_DATA_ORDER, 3L);
    seeds.put(SeedStream.RECOVERY_DATA_ORDER, 4L);
    seeds.put(SeedStream.WIPE, -5L);
    return new RunManifest(RunManifest.SCHEMA, "0.1.0", Map.of("scheme", "FRESH",
        "wiped", "[h.1]"), new Seeds(seeds), Environment.builder().javaVersion("17.0.2")
            .javaVendor("Vendor").os("Linux 6.1").arch("amd64").cpu("Some CPU").cores(2)
            .engine("SameDiff").engineVersion("1.0.0-M2.1")
            .backend("CPU (linux-x86_64-onednn, blas=OPENBLAS, omp.threads=1)")
            .nativeBuild("linux-x86_64-onednn").build(),
        "0123456789abcdef0123456789abcdef01234567");
  }

  /** Rewrites v2.json from {@link #reference()}: run after a deliberate schema change only. */
  public static void main(String[] args) throws IOException {
    Files.writeString(GOLDEN.resolve("v" + RunManifest.SCHEMA + ".json"),
        reference().toJson() + "\n", StandardCharsets.UTF_8);
  }
}
