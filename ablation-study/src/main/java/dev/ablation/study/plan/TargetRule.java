package dev.ablation.study.plan;

import dev.ablation.api.recovery.Target;
import java.util.Locale;

/**
 * How a study turns its {@code ε} into the recovery target; the report names the one used.
 */
public enum TargetRule {
  /** {@code L* + ε} nats. */
  NATS,
  /** {@code L* + max(ε, 2σ)} nats, σ the original's noise level: never inside the noise. */
  NOISE,
  /** A fraction {@code ε ∈ (0, 1]} of the step-0 damage undone: {@code L₀ − ε·(L₀ − L*)}. */
  DAMAGE;

  /** The target for {@code epsilon} and the original's noise level {@code sigma}. */
  public Target target(double epsilon, double sigma) {
    return switch (this) {
      case NATS -> new Target.WithinNats(epsilon);
      case NOISE -> new Target.WithinNoise(epsilon, sigma);
      case DAMAGE -> new Target.DamageRecovered(epsilon);
    };
  }

  /** The target in words, for the report. */
  public String describe(double epsilon) {
    return switch (this) {
      case NATS -> String.format(Locale.ROOT, "L* + ε with ε = %s nats", epsilon);
      case NOISE -> String.format(Locale.ROOT, "L* + max(ε, 2σ) with ε = %s nats and σ the "
          + "spread of the original's last evaluations", epsilon);
      case DAMAGE -> String.format(Locale.ROOT, "%s%% of the step-0 damage undone, "
          + "L₀ − %s·(L₀ − L*)", 100 * epsilon, epsilon);
    };
  }

  /** The rule named {@code name} (any case). */
  public static TargetRule parse(String name) {
    for (TargetRule r : values()) {
      if (r.name().equalsIgnoreCase(name == null ? "" : name.strip())) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown target rule '" + name + "'; valid: nats, noise, "
        + "damage");
  }
}
