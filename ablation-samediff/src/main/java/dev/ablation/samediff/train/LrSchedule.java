package dev.ablation.samediff.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * How the learning rate moves with the step: a linear warmup to the peak over
 * {@code warmupSteps}, then a decay.
 *
 * <p>Originals use {@link Decay#INVERSE_SQRT} ({@code peak·sqrt(W / t)} after the warmup):
 * they train until a convergence rule holds, so the length of training is not known in
 * advance, and inverse-sqrt needs no horizon. A cosine decay would have to be laid over a
 * chosen number of steps (the cap), which would tie the stopping point to that choice and
 * make {@code S × E} partly an artefact of the cap again. Recoveries use a short warmup
 * at a constant peak ({@link Decay#CONSTANT}): a recovery is judged by how fast it reaches a
 * target, and a decay would again need a horizon nobody knows. An original trained for a
 * length fixed in advance ({@link TrainingPlan#maxSteps()}) has that horizon, and decays
 * {@link Decay#LINEAR linearly to 0} over it, the usual schedule of a run of known length.
 *
 * @param warmupSteps steps of linear warmup, ≥ 0 (0: the peak from the first step)
 * @param decay what follows the warmup
 * @param totalSteps {@link Decay#LINEAR}'s horizon T, ≥ {@code warmupSteps}; 0 for the other
 *     decays (and then left out of the saved JSON, so existing cache entries read the same)
 */
public record LrSchedule(int warmupSteps, Decay decay,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long totalSteps) {

  /** What follows the warmup. */
  public enum Decay {
    /** The peak rate for ever. */
    CONSTANT,
    /** {@code peak · sqrt(W / t)} for step {@code t ≥ W} (1-based), {@code W = max(1, warmup)}. */
    INVERSE_SQRT,
    /**
     * {@code peak · (T − s) / (T − W + 1)} for the 0-based step {@code s ≥ W − 1}: the peak
     * where the warmup ends, falling by the same amount each step to 0 at {@code s = T}, one
     * past the last step of a run of T steps.
     */
    LINEAR
  }

  /** A schedule without a horizon ({@link Decay#CONSTANT} or {@link Decay#INVERSE_SQRT}). */
  public LrSchedule(int warmupSteps, Decay decay) {
    this(warmupSteps, decay, 0);
  }

  /** Validates. */
  public LrSchedule {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
    }
    if (decay == null) {
      throw new IllegalArgumentException("decay is required; valid: "
          + java.util.Arrays.toString(Decay.values()));
    }
    if (decay == Decay.LINEAR ? totalSteps < Math.max(1, warmupSteps) : totalSteps != 0) {
      throw new IllegalArgumentException(decay == Decay.LINEAR
          ? "a linear decay needs total steps >= max(1, warmup " + warmupSteps + "), got "
              + totalSteps
          : "only a linear decay has a horizon; got total steps " + totalSteps + " for " + decay);
    }
  }

  /** The peak rate at every step: no warmup, no decay. */
  public static LrSchedule constant() {
    return new LrSchedule(0, Decay.CONSTANT);
  }

  /** A linear warmup over {@code steps}, then the peak. */
  public static LrSchedule warmup(int steps) {
    return new LrSchedule(steps, Decay.CONSTANT);
  }

  /** A linear warmup over {@code steps}, then inverse-square-root decay. */
  public static LrSchedule warmupInverseSqrt(int steps) {
    return new LrSchedule(steps, Decay.INVERSE_SQRT);
  }

  /** A linear warmup over {@code warmup} steps, then linear decay to 0 at step {@code total}. */
  public static LrSchedule warmupLinearDecay(int warmup, long total) {
    return new LrSchedule(warmup, Decay.LINEAR, total);
  }

  /** The multiple of the peak rate at the 0-based {@code step}. */
  public double factor(long step) {
    long t = step + 1;
    if (t < warmupSteps) {
      return (double) t / warmupSteps;
    }
    return switch (decay) {
      case CONSTANT -> 1.0;
      case INVERSE_SQRT -> Math.sqrt((double) Math.max(1, warmupSteps) / t);
      case LINEAR -> Math.max(0.0, (double) (totalSteps - step)
          / (totalSteps - Math.max(1, warmupSteps) + 1));
    };
  }

  @Override
  public String toString() {
    // the text is part of every original's cache key: unchanged for the decays without horizon
    String text = String.format(Locale.ROOT, "warmup %d, %s", warmupSteps,
        decay.name().toLowerCase(Locale.ROOT));
    return decay == Decay.LINEAR ? text + " to 0 at step " + totalSteps : text;
  }
}
