package dev.ablation.api.recovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.collect.ImmutableSortedMap;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * What produced a result: a result without its manifest is a rumour. Serialises to JSON and
 * back without loss.
 *
 * @param schema manifest schema version, {@value #SCHEMA}
 * @param library this library's version
 * @param configuration the run's settings as key → value, sorted
 * @param seeds every seed the run derived its randomness from, sorted
 * @param environment the engine and machine
 */
public record RunManifest(int schema, String library, Map<String, String> configuration,
    Map<String, Long> seeds, Environment environment) {

  /** The current schema version. */
  public static final int SCHEMA = 1;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates and copies. */
  public RunManifest {
    if (library == null || configuration == null || seeds == null || environment == null) {
      throw new IllegalArgumentException("library, configuration, seeds and environment are required");
    }
    configuration = ImmutableSortedMap.copyOf(configuration);
    seeds = ImmutableSortedMap.copyOf(seeds);
  }

  /** A manifest of this library version for {@code configuration}, {@code seeds} and {@code env}. */
  public static RunManifest of(Map<String, String> configuration, Map<String, Long> seeds,
      Environment env) {
    return new RunManifest(SCHEMA, libraryVersion(), configuration, seeds, env);
  }

  /** This manifest as indented JSON with sorted keys. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a manifest written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException if the text is not a manifest, with the parser's reason
   */
  public static RunManifest fromJson(String json) {
    try {
      RunManifest m = JSON.readValue(json, RunManifest.class);
      if (m.schema() > SCHEMA) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "manifest schema %d is newer than this library's %d", m.schema(), SCHEMA));
      }
      return m;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a run manifest: " + e.getOriginalMessage(), e);
    }
  }

  /** The library version from the jar manifest, or {@code dev} when run from classes. */
  public static String libraryVersion() {
    String v = RunManifest.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
