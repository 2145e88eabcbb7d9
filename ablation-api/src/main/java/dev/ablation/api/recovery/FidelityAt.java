package dev.ablation.api.recovery;

import java.util.Objects;

/**
 * {@link Fidelity} measured after a given step of a recovery: a run that trains past its target
 * ({@link RecoverySettings#horizonSteps()}) is compared with the original where the target was
 * confirmed, and again at the end, so the two say whether the block keeps approaching the
 * original's function or only its loss.
 *
 * @param step the recovery step after which it was measured
 * @param fidelity top-1 agreement with, and KL to, the original there
 */
public record FidelityAt(long step, Fidelity fidelity) {
  /** Validates the fields. */
  public FidelityAt {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    Objects.requireNonNull(fidelity, "fidelity");
  }
}
