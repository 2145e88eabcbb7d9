package dev.ablation.api.recovery;

/**
 * How close the recovered model behaves to the original on validation data: loss can recover
 * before behaviour does.
 *
 * @param top1Agreement fraction of positions where both models' most likely token agrees
 * @param klToOriginal mean KL(original ‖ model) per position, in nats
 */
public record Fidelity(double top1Agreement, double klToOriginal) {
  /** Validates the ranges. */
  public Fidelity {
    if (!(top1Agreement >= 0 && top1Agreement <= 1)) {
      throw new IllegalArgumentException("top-1 agreement must be in [0, 1], got " + top1Agreement);
    }
    if (!(klToOriginal >= -1e-6) || Double.isInfinite(klToOriginal)) {
      throw new IllegalArgumentException("KL must be finite and >= 0, got " + klToOriginal);
    }
  }
}
