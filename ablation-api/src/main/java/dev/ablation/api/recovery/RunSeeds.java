package dev.ablation.api.recovery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.google.common.collect.ImmutableSortedMap;
import dev.ablation.api.Seeds;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Every seed a run used, by {@link SeedStream}: a run that used a stream records its seed, so
 * that the run can be repeated. A stream the run did not use (a recovery in the user's own loop
 * knows only its wipe seed, say) is absent, not zero.
 *
 * @param values seed by stream
 */
public record RunSeeds(Map<SeedStream, Long> values) {

  /** Validates and copies. */
  public RunSeeds {
    Objects.requireNonNull(values, "values");
    values.forEach((k, v) -> {
      Objects.requireNonNull(k, "seed stream");
      Objects.requireNonNull(v, () -> "seed of " + k);
    });
    values = ImmutableSortedMap.copyOf(values);
  }

  /**
   * Every stream of {@code seeds} (the master seed and its four derived streams), typed, for a
   * run's manifest. (Here, not on {@code Seeds}, so that the API's root package does not import
   * this one.)
   */
  public static RunSeeds of(Seeds seeds) {
    Objects.requireNonNull(seeds, "seeds");
    return of(SeedStream.MASTER, seeds.master())
        .with(SeedStream.ORIGINAL_INIT, seeds.originalInit())
        .with(SeedStream.ORIGINAL_DATA_ORDER, seeds.originalData())
        .with(SeedStream.RECOVERY_DATA_ORDER, seeds.recoveryData())
        .with(SeedStream.WIPE, seeds.wipe());
  }

  /** No seeds: a run that drew nothing at random. */
  public static RunSeeds none() {
    return new RunSeeds(Map.of());
  }

  /** One stream's seed. */
  public static RunSeeds of(SeedStream stream, long seed) {
    return none().with(stream, seed);
  }

  /** These seeds and {@code stream}'s (replacing one already there). */
  public RunSeeds with(SeedStream stream, long seed) {
    Map<SeedStream, Long> m = new EnumMap<>(SeedStream.class);
    m.putAll(values);
    m.put(Objects.requireNonNull(stream, "stream"), seed);
    return new RunSeeds(m);
  }

  /** The seed of {@code stream}, if the run used it. */
  public OptionalLong get(SeedStream stream) {
    Long v = values.get(stream);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /**
   * Seeds named by {@link SeedStream#key()}, as a manifest's JSON holds them.
   *
   * @throws IllegalArgumentException naming an unknown key and the valid ones
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static RunSeeds fromKeys(Map<String, Long> byKey) {
    Map<SeedStream, Long> m = new EnumMap<>(SeedStream.class);
    Objects.requireNonNull(byKey, "byKey").forEach((k, v) -> m.put(SeedStream.parse(k), v));
    return new RunSeeds(m);
  }

  /** The seeds by {@link SeedStream#key()}, sorted: the JSON form. */
  @JsonValue
  public Map<String, Long> byKey() {
    Map<String, Long> m = new TreeMap<>();
    values.forEach((k, v) -> m.put(k.key(), v));
    return new LinkedHashMap<>(m);
  }
}
