package dev.ablation.samediff.train;

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
 * target, and a decay would again need a horizon nobody knows.
 *
 * @param warmupSteps steps of linear warmup, ≥ 0 (0: the peak from the first step)
 * @param decay what follows the warmup
 */
public record LrSchedule(int warmupSteps, Decay decay) {

  /** What follows the warmup. */
  public enum Decay {
    /** The peak rate for ever. */
    CONSTANT,
    /** {@code peak · sqrt(W / t)} for step {@code t ≥ W} (1-based), {@code W = max(1, warmup)}. */
    INVERSE_SQRT
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

  /** The multiple of the peak rate at the 0-based {@code step}. */
  public double factor(long step) {
    long t = step + 1;
    if (t < warmupSteps) {
      return (double) t / warmupSteps;
    }
    return switch (decay) {
      case CONSTANT -> 1.0;
      case INVERSE_SQRT -> Math.sqrt((double) Math.max(1, warmupSteps) / t);
    };
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "warmup %d, %s", warmupSteps,
        decay.name().toLowerCase(Locale.ROOT));
  }
}
