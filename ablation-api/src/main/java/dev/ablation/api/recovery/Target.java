package dev.ablation.api.recovery;

import java.util.Locale;

/**
 * The validation loss a recovery must reach, as a function of the original model's loss
 * {@code L*} and the loss right after the wipe {@code L₀}.
 */
public sealed interface Target {

  /** The target loss in nats for this baseline. */
  double loss(Baseline baseline);

  /**
   * {@code L* + ε} nats.
   *
   * @param epsilon ≥ 0
   */
  record WithinNats(double epsilon) implements Target {
    /** Validates ε. */
    public WithinNats {
      Checks.nonNegativeFinite("epsilon (nats)", epsilon);
    }

    @Override
    public double loss(Baseline b) {
      return b.lossOriginal() + epsilon;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "L*+%s nats", epsilon);
    }
  }

  /**
   * {@code L* + max(ε, 2σ)} nats: an absolute margin that is never tighter than the original's
   * own noise. {@code σ} is the spread of the original's last evaluations; a target inside
   * that noise would be met or missed by chance.
   *
   * @param epsilon ≥ 0 nats
   * @param sigma the original's noise level, ≥ 0 nats
   */
  record WithinNoise(double epsilon, double sigma) implements Target {
    /** Validates ε and σ. */
    public WithinNoise {
      Checks.nonNegativeFinite("epsilon (nats)", epsilon);
      Checks.nonNegativeFinite("sigma (nats)", sigma);
    }

    /** The margin above {@code L*}: {@code max(ε, 2σ)}. */
    public double margin() {
      return Math.max(epsilon, 2 * sigma);
    }

    @Override
    public double loss(Baseline b) {
      return b.lossOriginal() + margin();
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "L*+max(%s, 2x%s) nats", epsilon, sigma);
    }
  }

  /**
   * {@code L*·(1+ε)}.
   *
   * @param epsilon ≥ 0
   */
  record WithinRelative(double epsilon) implements Target {
    /** Validates ε. */
    public WithinRelative {
      Checks.nonNegativeFinite("epsilon (relative)", epsilon);
    }

    @Override
    public double loss(Baseline b) {
      return b.lossOriginal() * (1 + epsilon);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "L*x(1+%s)", epsilon);
    }
  }

  /**
   * A fraction of the damage undone: {@code L₀ − f·(L₀ − L*)}; {@code f = 1} is {@code L*}.
   *
   * @param fraction in (0, 1]
   */
  record DamageRecovered(double fraction) implements Target {
    /** Validates the fraction. */
    public DamageRecovered {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("recovered fraction must be in (0, 1], got " + fraction);
      }
    }

    @Override
    public double loss(Baseline b) {
      return b.lossAfterWipe() - fraction * (b.lossAfterWipe() - b.lossOriginal());
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s of damage recovered", fraction);
    }
  }
}
