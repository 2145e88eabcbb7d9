package dev.ablation.study.engine;

/**
 * How a {@link SameDiffStudyEngine} batches recoveries.
 *
 * @param mode never, where measured faster, or always
 * @param size K, runs per population (≥ 2)
 * @param calibrationSteps timed steps per member and of the population in a calibration
 *     (after one untimed warm-up step each), ≥ 1
 */
public record Populations(PopulationMode mode, int size, int calibrationSteps) {
  /** The system property read by {@link #fromSystemProperty()}. */
  public static final String PROPERTY = "ablation.population";

  /** Validates. */
  public Populations {
    java.util.Objects.requireNonNull(mode, "mode");
    if (size < 2 || calibrationSteps < 1) {
      throw new IllegalArgumentException("a population needs size >= 2 and calibration "
          + "steps >= 1; got " + size + ", " + calibrationSteps);
    }
  }

  /** {@code mode} with K = 8 and 4 calibration steps. */
  public static Populations of(PopulationMode mode) {
    return new Populations(mode, 8, 4);
  }

  /**
   * {@code -Dablation.population=never|auto|always} (default {@code never}). Off by default
   * because a population's losses equal a single run's only to float rounding (≈ 1e-6
   * relative, not bit for bit), and a timing-based choice would let the same seed give rows
   * that differ in their last digits from one machine (or load) to the next.
   *
   * @throws IllegalArgumentException for another value, naming the valid ones
   */
  public static Populations fromSystemProperty() {
    String v = System.getProperty(PROPERTY, "never").strip();
    for (PopulationMode m : PopulationMode.values()) {
      if (m.name().equalsIgnoreCase(v)) {
        return of(m);
      }
    }
    throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + " is not one of "
        + java.util.Arrays.stream(PopulationMode.values())
            .map(m -> m.name().toLowerCase(java.util.Locale.ROOT)).toList());
  }
}
