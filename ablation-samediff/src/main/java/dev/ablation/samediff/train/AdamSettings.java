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
 * @param schedule how the rate moves with the step ({@code learningRate} is its peak); null
 *     reads as {@link LrSchedule#constant()}
 */
public record AdamSettings(double learningRate, double beta1, double beta2, double epsilon,
    LrSchedule schedule) {

  /** Validates every field, naming the bad value. */
  public AdamSettings {
    if (schedule == null) {
      schedule = LrSchedule.constant();
    }
    dev.ablation.api.recovery.LearningRates.require("learning rate", learningRate);
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

  /** Settings at a constant rate. */
  public AdamSettings(double learningRate, double beta1, double beta2, double epsilon) {
    this(learningRate, beta1, beta2, epsilon, LrSchedule.constant());
  }

  /** The usual defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8) with learning rate {@code lr}. */
  public static AdamSettings of(double learningRate) {
    return new AdamSettings(learningRate, 0.9, 0.999, 1e-8);
  }

  /** This with another (peak) learning rate. */
  public AdamSettings withLearningRate(double lr) {
    return new AdamSettings(lr, beta1, beta2, epsilon, schedule);
  }

  /** This with another schedule. */
  public AdamSettings withSchedule(LrSchedule s) {
    return new AdamSettings(learningRate, beta1, beta2, epsilon, s);
  }

  /** The rate at the 0-based {@code step}. */
  public double rateAt(long step) {
    return learningRate * schedule.factor(step);
  }

  @Override
  public String toString() {
    String base = String.format(Locale.ROOT, "Adam(lr=%s, beta1=%s, beta2=%s, eps=%s", learningRate,
        beta1, beta2, epsilon);
    return schedule.equals(LrSchedule.constant()) ? base + ")" : base + ", " + schedule + ")";
  }
}
