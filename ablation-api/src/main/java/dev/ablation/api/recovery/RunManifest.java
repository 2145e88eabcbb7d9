package dev.ablation.api.recovery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.collect.ImmutableSortedMap;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What produced a result: a result without its manifest is a rumour. Serialises to JSON and
 * back without loss; {@link #fromJson} also reads every older schema.
 *
 * <p>Schema history: 1 — seeds as free-form names; 2 — seeds by {@link SeedStream}, the
 * engine's native build in {@link Environment#nativeBuild()}, and the git commit.
 *
 * @param schema manifest schema version, {@value #SCHEMA} for manifests made now
 * @param library this library's version
 * @param configuration the run's settings as key → value, sorted
 * @param seeds every seed the run derived its randomness from
 * @param environment the engine and machine
 * @param gitCommit the commit of the git work tree the run was started in, or {@code unknown}
 */
public record RunManifest(int schema, String library, Map<String, String> configuration,
    Seeds seeds, Environment environment, String gitCommit) {

  /** The current schema version. */
  public static final int SCHEMA = 2;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates and copies; a schema-1 manifest's missing commit reads as {@code unknown}. */
  @JsonCreator
  public RunManifest(@JsonProperty("schema") int schema, @JsonProperty("library") String library,
      @JsonProperty("configuration") Map<String, String> configuration,
      @JsonProperty("seeds") Seeds seeds,
      @JsonProperty("environment") Environment environment,
      @JsonProperty("gitCommit") String gitCommit) {
    if (schema < 1 || schema > SCHEMA) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "manifest schema %d is not one this library reads (1 to %d)", schema, SCHEMA));
    }
    if (library == null || configuration == null || seeds == null || environment == null) {
      throw new IllegalArgumentException(
          "library, configuration, seeds and environment are required");
    }
    this.schema = schema;
    this.library = library;
    this.configuration = ImmutableSortedMap.copyOf(configuration);
    this.seeds = seeds;
    this.environment = environment;
    this.gitCommit = gitCommit == null || gitCommit.isBlank() ? "unknown" : gitCommit;
  }

  /**
   * A manifest with seeds named by {@link SeedStream#key()} ({@code "wipe"}, {@code "master"},
   * …) and the commit unknown.
   *
   * @throws IllegalArgumentException naming an unknown seed name and the valid ones
   */
  public RunManifest(int schema, String library, Map<String, String> configuration,
      Map<String, Long> seeds, Environment environment) {
    this(schema, library, configuration, Seeds.fromKeys(seeds), environment, "unknown");
  }

  /**
   * A manifest of this library version, started in the current directory's git work tree
   * (its commit when one is found, see {@link GitCommit}).
   */
  public static RunManifest of(Map<String, String> configuration, Seeds seeds,
      Environment env) {
    return new RunManifest(SCHEMA, libraryVersion(), configuration, seeds, env,
        GitCommit.ofWorkingDirectory().orElse("unknown"));
  }

  /** As {@link #of(Map, Seeds, Environment)}, seeds named by {@link SeedStream#key()}. */
  public static RunManifest of(Map<String, String> configuration, Map<String, Long> seeds,
      Environment env) {
    return of(configuration, Seeds.fromKeys(Objects.requireNonNull(seeds, "seeds")), env);
  }

  /** This manifest with {@code key} set to {@code value} in its configuration. */
  public RunManifest with(String key, String value) {
    Map<String, String> c = new java.util.TreeMap<>(configuration);
    c.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new RunManifest(schema, library, c, seeds, environment, gitCommit);
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
   * Reads a manifest written by {@link #toJson()}, of this schema or an older one.
   *
   * @throws IllegalArgumentException if the text is not a manifest, with the parser's reason,
   *     or its schema is newer than this library's
   */
  public static RunManifest fromJson(String json) {
    try {
      return JSON.readValue(json, RunManifest.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException("not a run manifest: " + iae.getMessage(), e);
      }
      throw new IllegalArgumentException("not a run manifest: " + e.getOriginalMessage(), e);
    }
  }

  /** The library version from the jar manifest, or {@code dev} when run from classes. */
  public static String libraryVersion() {
    String v = RunManifest.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
