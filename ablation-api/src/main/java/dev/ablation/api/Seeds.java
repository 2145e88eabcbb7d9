package dev.ablation.api;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The one seed derivation of the project: a run's master seed split into independent streams,
 * and a stream split into one seed per parameter.
 *
 * <p>Every seed is 64 bits of MurmurHash3 (x64, 128-bit, Guava's {@code murmur3_128}, seed 0)
 * of the UTF-8 text {@code "ablation-seed/1|<parent>|<name>"}, {@code <parent>} the parent seed
 * in decimal and {@code <name>} the stream's name or the parameter's path. Different names give
 * unrelated seeds, so the streams are independent: a new wipe draw does not change the data
 * order, and a FRESH wipe never repeats θ₀ (whose parameters come from the
 * {@link #originalInit() originalInit} stream, the wipe's from {@link #wipe()}). The same
 * master seed gives the same streams on every machine.
 *
 * <pre>{@code
 * Seeds s = Seeds.of(3);
 * long init = s.originalInit();                      // θ₀ of the original
 * long w = Seeds.parameter(s.wipe(), ParameterPath.parse("blocks.1.attn.W_Q"));
 * }</pre>
 *
 * @param master the run's master seed (the study's {@code seed} column)
 * @param originalInit the original's initial weights θ₀
 * @param originalData the original's training order
 * @param recoveryData the recovery's training order (not the original's: a recovery that
 *     replayed the original's first epoch would see its data in a remembered order)
 * @param wipe the wipe's draw (FRESH, ZERO_OUTPUT, SHRINK_PERTURB noise)
 */
public record Seeds(long master, long originalInit, long originalData, long recoveryData,
    long wipe) {

  /** The derivation's version tag: part of every hashed text. */
  public static final String VERSION = "ablation-seed/1";

  /** The streams of {@code master}. */
  public static Seeds of(long master) {
    return new Seeds(master, derive(master, "original_init"), derive(master, "original_data"),
        derive(master, "recovery_data"), derive(master, "wipe"));
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
}
