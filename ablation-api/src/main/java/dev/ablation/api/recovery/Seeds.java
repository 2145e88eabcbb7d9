package dev.ablation.api.recovery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.hash.Hashing;
import dev.ablation.api.ParameterPath;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The seeds of a run, by {@link SeedStream}, and the one derivation they come from.
 *
 * <p>One type for both jobs, so that the seeds a study derives and the seeds a manifest records
 * cannot drift apart: {@link #derivedFrom(long)} splits a master seed into every stream, and a
 * run's {@link RunManifest} records exactly that value. A run that used only some streams (a
 * recovery in the user's own loop knows only its wipe seed, say) records only those; a stream it
 * did not use is absent, not zero, and asking for it ({@link #wipe()} and the like) says so.
 *
 * <p>Every derived seed is 64 bits of MurmurHash3 (x64, 128-bit, Guava's {@code murmur3_128},
 * seed 0) of the UTF-8 text {@code "ablation-seed/1|<parent>|<name>"}, {@code <parent>} the
 * parent seed in decimal and {@code <name>} the stream's name or the parameter's path. Different
 * names give unrelated seeds, so the streams are independent: a new wipe draw does not change
 * the data order, and a FRESH wipe never repeats θ₀ (whose parameters come from the
 * {@link #originalInit()} stream, the wipe's from {@link #wipe()}). The same master seed gives
 * the same streams on every machine.
 *
 * <pre>{@code
 * Seeds s = Seeds.derivedFrom(3);
 * long init = s.originalInit();                      // θ₀ of the original
 * long w = Seeds.parameter(s.wipe(), ParameterPath.parse("blocks.1.attn.W_Q"));
 * }</pre>
 *
 * @param values seed by stream
 */
public record Seeds(Map<SeedStream, Long> values) {

  /** The derivation's version tag: part of every hashed text. */
  public static final String VERSION = "ablation-seed/1";

  /** Validates and copies. */
  public Seeds {
    Objects.requireNonNull(values, "values");
    values.forEach((k, v) -> {
      Objects.requireNonNull(k, "seed stream");
      Objects.requireNonNull(v, () -> "seed of " + k);
    });
    values = ImmutableSortedMap.copyOf(values);
  }

  /**
   * Every stream of {@code master}: the master itself, the original's initial weights and
   * training order, the recovery's training order (not the original's: a recovery that replayed
   * the original's first epoch would see its data in a remembered order) and the wipe's draw
   * (FRESH, ZERO_OUTPUT, SHRINK_PERTURB noise).
   */
  public static Seeds derivedFrom(long master) {
    return of(SeedStream.MASTER, master)
        .with(SeedStream.ORIGINAL_INIT, derive(master, "original_init"))
        .with(SeedStream.ORIGINAL_DATA_ORDER, derive(master, "original_data"))
        .with(SeedStream.RECOVERY_DATA_ORDER, derive(master, "recovery_data"))
        .with(SeedStream.WIPE, derive(master, "wipe"));
  }

  /** The seed named {@code name} under {@code parent}: the one hash every seed comes from. */
  public static long derive(long parent, String name) {
    if (name == null) {
      throw new IllegalArgumentException("a seed stream needs a name");
    }
    return Hashing.murmur3_128().hashString(VERSION + "|" + parent + "|" + name,
        StandardCharsets.UTF_8).asLong();
  }

  /** The seed of one parameter's draw in the stream {@code streamSeed}. */
  public static long parameter(long streamSeed, ParameterPath path) {
    if (path == null) {
      throw new IllegalArgumentException("a parameter seed needs a path");
    }
    return derive(streamSeed, path.toString());
  }

  /** No seeds: a run that drew nothing at random. */
  public static Seeds none() {
    return new Seeds(Map.of());
  }

  /** One stream's seed. */
  public static Seeds of(SeedStream stream, long seed) {
    return none().with(stream, seed);
  }

  /** These seeds and {@code stream}'s (replacing one already there). */
  public Seeds with(SeedStream stream, long seed) {
    Map<SeedStream, Long> m = new EnumMap<>(SeedStream.class);
    m.putAll(values);
    m.put(Objects.requireNonNull(stream, "stream"), seed);
    return new Seeds(m);
  }

  /** These seeds and every one of {@code more} (theirs replacing these where both have one). */
  public Seeds with(Seeds more) {
    Map<SeedStream, Long> m = new EnumMap<>(SeedStream.class);
    m.putAll(values);
    m.putAll(Objects.requireNonNull(more, "more").values);
    return new Seeds(m);
  }

  /** The seed of {@code stream}, if the run used it. */
  public OptionalLong get(SeedStream stream) {
    Long v = values.get(stream);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** The master seed (the study's {@code seed} column). */
  public long master() {
    return require(SeedStream.MASTER);
  }

  /** The seed of the original's initial weights θ₀. */
  public long originalInit() {
    return require(SeedStream.ORIGINAL_INIT);
  }

  /** The seed of the original's training order. */
  public long originalData() {
    return require(SeedStream.ORIGINAL_DATA_ORDER);
  }

  /** The seed of the recovery's training order. */
  public long recoveryData() {
    return require(SeedStream.RECOVERY_DATA_ORDER);
  }

  /** The seed of the wipe's draw. */
  public long wipe() {
    return require(SeedStream.WIPE);
  }

  private long require(SeedStream stream) {
    Long v = values.get(stream);
    if (v == null) {
      throw new IllegalStateException("these seeds have no " + stream.key() + " stream; they have "
          + byKey().keySet());
    }
    return v;
  }

  /**
   * Seeds named by {@link SeedStream#key()}, as a manifest's JSON holds them.
   *
   * @throws IllegalArgumentException naming an unknown key and the valid ones
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Seeds fromKeys(Map<String, Long> byKey) {
    Map<SeedStream, Long> m = new EnumMap<>(SeedStream.class);
    Objects.requireNonNull(byKey, "byKey").forEach((k, v) -> m.put(SeedStream.parse(k), v));
    return new Seeds(m);
  }

  /** The seeds by {@link SeedStream#key()}, sorted: the JSON form. */
  @JsonValue
  public Map<String, Long> byKey() {
    Map<String, Long> m = new TreeMap<>();
    values.forEach((k, v) -> m.put(k.key(), v));
    return new LinkedHashMap<>(m);
  }
}
