package dev.ablation.samediff.train;

import java.util.Locale;

/**
 * Adam's hyper-parameters (Kingma &amp; Ba), with bias correction. No weight decay: a frozen
 * parameter must stay bit-identical, and the recovery question is about plain retraining.
 *
 * @param learningRate step size α, &gt; 0
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param epsilon denominator guard, &gt; 0
 */
public record AdamSettings(double learningRate, double beta1, double beta2, double epsilon) {

  /** Validates every field, naming the bad value. */
  public AdamSettings {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got "
          + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
    }
  }

  /** The usual defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8) with learning rate {@code lr}. */
  public static AdamSettings of(double learningRate) {
    return new AdamSettings(learningRate, 0.9, 0.999, 1e-8);
  }

  /** This with another learning rate. */
  public AdamSettings withLearningRate(double lr) {
    return new AdamSettings(lr, beta1, beta2, epsilon);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Adam(lr=%s, beta1=%s, beta2=%s, eps=%s)", learningRate,
        beta1, beta2, epsilon);
  }
}
