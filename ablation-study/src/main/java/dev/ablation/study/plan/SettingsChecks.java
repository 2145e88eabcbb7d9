package dev.ablation.study.plan;

import java.util.List;

/**
 * Every rule a {@link TrainingSettings} value must satisfy, each problem in words that name the
 * command-line flag setting the value. The records check themselves when constructed, and
 * {@link TrainingSettingsBuilder#build()} checks all values before building any of them, so a
 * user with three bad flags hears of all three at once, and both paths refuse the same values
 * in the same words. Each method adds its problems to {@code p}; {@link #throwIfAny} ends.
 */
final class SettingsChecks {
  private SettingsChecks() {}

  /** The values of {@link TrainingSettings.Optimiser}. */
  static List<String> optimiser(List<String> p, double peakRate, int warmupSteps,
      int recoveryWarmup) {
    if (!Rates.valid(peakRate)) {
      p.add(Rates.problem("peak learning rate (--peak-lr)", peakRate));
    }
    if (warmupSteps < 0) {
      p.add("original warm-up (--warmup) must be >= 0 steps, got " + warmupSteps);
    }
    if (recoveryWarmup < 0) {
      p.add("recovery warm-up (--recovery-warmup) must be >= 0 steps, got " + recoveryWarmup);
    }
    return p;
  }

  /** The values of {@link TrainingSettings.Convergence}. */
  static List<String> convergence(List<String> p, int evalEvery, int window, double delta,
      int maxEpochs, long fixedSteps) {
    if (evalEvery < 1) {
      p.add("original eval-every must be >= 1 step, got " + evalEvery);
    }
    if (window < 2) {
      p.add("convergence window (--converge-k) must be >= 2 evaluations, got " + window);
    }
    if (!(delta >= 0) || Double.isInfinite(delta)) {
      p.add("convergence delta (--converge-delta) must be finite and >= 0 nats, got "
          + delta);
    }
    if (maxEpochs < 1) {
      p.add("epochs must be >= 1, got " + maxEpochs);
    }
    if (fixedSteps < 0) {
      p.add("train steps (--train-steps) must be >= 1 (or 0: until converged), got "
          + fixedSteps);
    }
    return p;
  }

  /** The values of {@link TrainingSettings.Target}. */
  static List<String> target(List<String> p, TargetRule rule, double epsilon) {
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
      p.add("epsilon must be finite and >= 0, got " + epsilon);
    }
    if (rule == null) {
      p.add("target rule is required; valid: nats, noise, damage");
    } else if (rule == TargetRule.DAMAGE && !(epsilon > 0 && epsilon <= 1)) {
      p.add("epsilon of the damage target is a fraction in (0, 1], got " + epsilon);
    }
    return p;
  }

  /** The values {@link TrainingSettings} holds itself rather than in one of its parts. */
  static void top(List<String> p, Task task, int vocab, int seqLen, long strings,
      int batchSize, int evalEvery, int patience, double budgetFraction) {
    if (task == null) {
      p.add("task is required; valid: " + Task.keys());
    }
    positive(p, "vocab", vocab);
    positive(p, "seq-len", seqLen);
    positive(p, "strings", strings);
    positive(p, "batch-size", batchSize);
    positive(p, "eval-every", evalEvery);
    if (patience < 0) {
      p.add("patience must be >= 0, got " + patience);
    }
    if (!(budgetFraction > 0) || Double.isInfinite(budgetFraction)) {
      p.add("budget must be a finite fraction of S x E > 0, got " + budgetFraction);
    }
  }

  /** A fixed length must leave the warm-up room to end before the rate decays. */
  static void length(List<String> p, long fixedSteps, int warmupSteps) {
    if (fixedSteps > 0 && fixedSteps < Math.max(1, warmupSteps)) {
      p.add("train steps (--train-steps) " + fixedSteps + " must be >= the original warm-up "
          + "(--warmup) of " + warmupSteps + " steps");
    }
  }

  /** The horizon past the target: 0 (none) or a positive number of steps. */
  static void horizon(List<String> p, long horizonSteps) {
    if (horizonSteps < 0) {
      p.add("horizon (--past-target) must be 0 (stop at the target) or >= 1 step, got "
          + horizonSteps);
    }
  }

  /** An {@link IllegalArgumentException} naming every problem in {@code p}, if there is one. */
  static void throwIfAny(List<String> p) {
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
  }

  private static void positive(List<String> p, String name, long v) {
    if (v < 1) {
      p.add(name + " must be >= 1, got " + v);
    }
  }
}
