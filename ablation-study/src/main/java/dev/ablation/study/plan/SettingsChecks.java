package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import java.util.List;

/**
 * Every rule a {@link TrainingSettings} value must satisfy, each problem naming the value's
 * {@link Setting} by its {@link Setting#label()} (its words and flag, described once). The
 * settings and their parts check themselves when constructed, and
 * {@link TrainingSettingsBuilder#build()} checks all values before building any of them, so a
 * user with three bad flags hears of all three at once, and both paths refuse the same values
 * in the same words. Each method adds its problems to {@code p}; {@link #throwIfAny} ends.
 */
final class SettingsChecks {
  private SettingsChecks() {}

  /** The values of {@link TrainingSettings.Optimiser}. */
  static List<String> optimiser(List<String> p, double peakRate, int warmupSteps,
      int recoveryWarmup) {
    if (!LearningRates.valid(peakRate)) {
      p.add(LearningRates.problem(Setting.PEAK_RATE.label(), peakRate));
    }
    if (warmupSteps < 0) {
      p.add(Setting.WARMUP.label() + " must be >= 0 steps, got " + warmupSteps);
    }
    if (recoveryWarmup < 0) {
      p.add(Setting.RECOVERY_WARMUP.label() + " must be >= 0 steps, got " + recoveryWarmup);
    }
    return p;
  }

  /** The values of {@link TrainingSettings.Stopping}. */
  static List<String> convergence(List<String> p, int evalEvery, int window, double delta,
      int maxEpochs, long fixedSteps) {
    if (evalEvery < 1) {
      p.add(Setting.ORIGINAL_EVAL_EVERY.label() + " must be >= 1 step, got " + evalEvery);
    }
    if (window < 2) {
      p.add(Setting.CONVERGENCE_WINDOW.label() + " must be >= 2 evaluations, got " + window);
    }
    if (!(delta >= 0) || Double.isInfinite(delta)) {
      p.add(Setting.CONVERGENCE_DELTA.label() + " must be finite and >= 0 nats, got " + delta);
    }
    if (maxEpochs < 1) {
      p.add(Setting.EPOCHS.label() + " must be >= 1, got " + maxEpochs);
    }
    if (fixedSteps < 0) {
      p.add(Setting.TRAIN_STEPS.label() + " must be >= 1 (or 0: until converged), got "
          + fixedSteps);
    }
    return p;
  }

  /** The values of {@link TrainingSettings.TargetChoice}. */
  static List<String> target(List<String> p, TargetRule rule, double epsilon) {
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
      p.add(Setting.EPSILON.label() + " must be finite and >= 0, got " + epsilon);
    }
    if (rule == null) {
      p.add(Setting.TARGET_RULE.label() + " is required; valid: nats, noise, damage");
    } else if (rule == TargetRule.DAMAGE && !(epsilon > 0 && epsilon <= 1)) {
      p.add(Setting.EPSILON.label() + " of the damage target is a fraction in (0, 1], got "
          + epsilon);
    }
    return p;
  }

  /** The values {@link TrainingSettings} holds itself rather than in one of its parts. */
  static void top(List<String> p, Task task, int vocab, int seqLen, long strings,
      int batchSize, int evalEvery, int patience, double budgetFraction) {
    if (task == null) {
      p.add(Setting.TASK.label() + " is required; valid: " + Task.keys());
    }
    positive(p, Setting.VOCAB, vocab);
    positive(p, Setting.SEQ_LEN, seqLen);
    positive(p, Setting.STRINGS, strings);
    positive(p, Setting.BATCH_SIZE, batchSize);
    positive(p, Setting.EVAL_EVERY, evalEvery);
    if (patience < 0) {
      p.add(Setting.PATIENCE.label() + " must be >= 0, got " + patience);
    }
    if (!(budgetFraction > 0) || Double.isInfinite(budgetFraction)) {
      p.add(Setting.BUDGET.label() + " must be a finite fraction of S x E > 0, got "
          + budgetFraction);
    }
  }

  /** A fixed length must leave the warm-up room to end before the rate decays. */
  static void length(List<String> p, long fixedSteps, int warmupSteps) {
    if (fixedSteps > 0 && fixedSteps < Math.max(1, warmupSteps)) {
      p.add(Setting.TRAIN_STEPS.label() + " " + fixedSteps + " must be >= the "
          + Setting.WARMUP.label() + " of " + warmupSteps + " steps");
    }
  }

  /** The horizon past the target: 0 (none) or a positive number of steps. */
  static void horizon(List<String> p, long horizonSteps) {
    if (horizonSteps < 0) {
      p.add(Setting.HORIZON.label() + " must be 0 (stop at the target) or >= 1 step, got "
          + horizonSteps);
    }
  }

  /** An {@link IllegalArgumentException} naming every problem in {@code p}, if there is one. */
  static void throwIfAny(List<String> p) {
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
  }

  private static void positive(List<String> p, Setting s, long v) {
    if (v < 1) {
      p.add(s.label() + " must be >= 1, got " + v);
    }
  }
}
