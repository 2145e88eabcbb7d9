package dev.ablation.api.recovery;

/**
 * The two losses every recovery is judged against.
 *
 * @param lossOriginal {@code L*}: validation loss of the trained original
 * @param lossAfterWipe {@code L₀}: validation loss right after the wipe (step 0)
 */
public record Baseline(double lossOriginal, double lossAfterWipe) {

  /** Validates that both losses are finite. */
  public Baseline {
    if (!Double.isFinite(lossOriginal) || !Double.isFinite(lossAfterWipe)) {
      throw new IllegalArgumentException("baseline losses must be finite, got L*=" + lossOriginal
          + ", L0=" + lossAfterWipe);
    }
  }

  /**
   * The normalised recovery {@code r = (L₀ − L) / (L₀ − L*)}: 0 at the wipe, 1 when back at
   * {@code L*}. NaN when the wipe did no damage ({@code L₀ = L*}).
   */
  public double normalisedRecovery(double loss) {
    double damage = lossAfterWipe - lossOriginal;
    return damage == 0 ? Double.NaN : (lossAfterWipe - loss) / damage;
  }
}
