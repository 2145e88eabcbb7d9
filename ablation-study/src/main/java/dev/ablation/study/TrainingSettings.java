package dev.ablation.study;

import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.TrainingBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the study trains originals and judges recoveries: the engine's half of a preset. Part
 * of every original's content hash, so two studies with different settings never share an
 * original.
 *
 * <p>Originals train with a linear warmup of {@code warmupSteps} to {@code learningRate}, then
 * inverse-sqrt decay (why: {@code docs/protocol.md}), evaluating every
 * {@code originalEvalEvery} steps, until the validation loss improved by less than
 * {@code convergenceDelta} over the last {@code convergenceWindow} evaluations, or
 * {@code epochs} epochs (the cap). {@code B_ref = S × E} is what that took. Recoveries start a
 * fresh Adam at {@code learningRate} times the run's multiple, after a linear warmup of
 * {@code recoveryWarmup} steps, and are evaluated on the dense schedule with steady gap
 * {@code evalEvery}.
 *
 * @param vocab vocabulary size of the synthetic corpus
 * @param seqLen tokens per training string
 * @param batchSize strings per optimiser step (originals and recoveries alike)
 * @param strings S: training strings the original sees per epoch
 * @param epochs the cap on the original's epochs
 * @param learningRate the original's peak Adam rate; recoveries use multiples of it
 * @param evalEvery steady gap between recovery evaluations, in steps
 * @param epsilonNats ε of the target (nats, or the damage fraction for {@link TargetRule#DAMAGE})
 * @param patience evaluations on the steady grid without improvement before {@code PLATEAUED};
 *     0 disables
 * @param budgetFraction a recovery may spend at most this multiple of {@code B_ref}
 * @param scratch whether to measure {@code T_scratch} for each original
 * @param warmupSteps the original's linear warmup
 * @param originalEvalEvery steps between the original's evaluations
 * @param convergenceWindow k: the original's convergence window, and the evaluations L* averages
 * @param convergenceDelta δ: nats of improvement over k evaluations below which it has converged
 * @param targetRule how ε becomes the target
 * @param recoveryWarmup the recovery's linear warmup, steps
 */
public record TrainingSettings(int vocab, int seqLen, int batchSize, long strings, int epochs,
    double learningRate, int evalEvery, double epsilonNats, int patience, double budgetFraction,
    boolean scratch, int warmupSteps, int originalEvalEvery, int convergenceWindow,
    double convergenceDelta, TargetRule targetRule, int recoveryWarmup)
    implements java.io.Serializable {

  /** Smoothing window of the recovery criterion, in evaluations. */
  public static final int SMOOTHING = 2;
  /** Improvement in nats that resets the patience counter. */
  public static final double MIN_IMPROVEMENT = 1e-3;
  /** A recovery diverged when its loss exceeds this multiple of {@code L₀}. */
  public static final double DIVERGENCE_FACTOR = 4;

  /**
   * Settings with the original's defaults: warmup 32 steps, evaluation every 16 steps,
   * convergence below 0.01 nats over 5 evaluations, the {@link TargetRule#NOISE} target and an
   * 8-step recovery warmup.
   */
  public TrainingSettings(int vocab, int seqLen, int batchSize, long strings, int epochs,
      double learningRate, int evalEvery, double epsilonNats, int patience,
      double budgetFraction, boolean scratch) {
    this(vocab, seqLen, batchSize, strings, epochs, learningRate, evalEvery, epsilonNats,
        patience, budgetFraction, scratch, 32, 16, 5, 0.01, TargetRule.NOISE, 8);
  }

  /** Validates, naming every bad value at once. */
  public TrainingSettings {
    List<String> p = new ArrayList<>();
    positive(p, "vocab", vocab);
    positive(p, "seq-len", seqLen);
    positive(p, "batch-size", batchSize);
    positive(p, "strings", strings);
    positive(p, "epochs", epochs);
    positive(p, "eval-every", evalEvery);
    positive(p, "original eval-every", originalEvalEvery);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      p.add("learning rate must be finite and > 0, got " + learningRate);
    }
    if (!(epsilonNats >= 0) || Double.isInfinite(epsilonNats)) {
      p.add("epsilon must be finite and >= 0, got " + epsilonNats);
    }
    if (targetRule == null) {
      p.add("target rule is required; valid: nats, noise, damage");
    } else if (targetRule == TargetRule.DAMAGE && !(epsilonNats > 0 && epsilonNats <= 1)) {
      p.add("epsilon of the damage target is a fraction in (0, 1], got " + epsilonNats);
    }
    if (patience < 0) {
      p.add("patience must be >= 0, got " + patience);
    }
    if (!(budgetFraction > 0) || Double.isInfinite(budgetFraction)) {
      p.add("budget must be a finite fraction of S x E > 0, got " + budgetFraction);
    }
    if (warmupSteps < 0 || recoveryWarmup < 0) {
      p.add("warmup steps must be >= 0, got " + warmupSteps + " (original) and "
          + recoveryWarmup + " (recovery)");
    }
    if (convergenceWindow < 2) {
      p.add("convergence window must be >= 2 evaluations, got " + convergenceWindow);
    }
    if (!(convergenceDelta >= 0) || Double.isInfinite(convergenceDelta)) {
      p.add("convergence delta must be finite and >= 0 nats, got " + convergenceDelta);
    }
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
  }

  private static void positive(List<String> p, String name, long v) {
    if (v < 1) {
      p.add(name + " must be >= 1, got " + v);
    }
  }

  /**
   * The criterion every recovery (and {@code T_scratch}) is judged by: the target rule's target
   * for the original's noise level {@code sigma}, smoothed, with patience.
   */
  public RecoveryCriterion criterion(double sigma) {
    RecoveryCriterion.Threshold t = RecoveryCriterion.reaching(targetRule.target(epsilonNats,
            sigma))
        .smoothedOver(SMOOTHING)
        .divergingAboveFactor(DIVERGENCE_FACTOR);
    return patience > 0 ? t.withPatience(patience, MIN_IMPROVEMENT) : t;
  }

  /** The recovery's evaluation schedule: dense at the start, then every {@code evalEvery}. */
  public EvaluationSchedule schedule() {
    return EvaluationSchedule.dense(evalEvery);
  }

  /** The cap of one recovery: {@code budgetFraction × S × E} examples. */
  public TrainingBudget recoveryBudget() {
    return TrainingBudget.ofReferenceFraction(budgetFraction);
  }

  /** The cap of a {@code T_scratch} measurement: twice the recovery cap, at least {@code 2 × S × E}. */
  public TrainingBudget scratchBudget() {
    return TrainingBudget.ofReferenceFraction(Math.max(2, 2 * budgetFraction));
  }

  /** The recovery's peak rate for {@code multiple} of the original's peak. */
  public double recoveryRate(double multiple) {
    return learningRate * multiple;
  }

  /** The target in words, for the report's method line. */
  public String describeTarget() {
    return targetRule.describe(epsilonNats);
  }

  /** These settings as sorted key → value text, for manifests and the content hash. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vocab", Integer.toString(vocab));
    m.put("seq_len", Integer.toString(seqLen));
    m.put("batch_size", Integer.toString(batchSize));
    m.put("strings", Long.toString(strings));
    m.put("epochs", Integer.toString(epochs));
    m.put("learning_rate", String.format(Locale.ROOT, "%s", learningRate));
    m.put("eval_every", Integer.toString(evalEvery));
    m.put("epsilon_nats", String.format(Locale.ROOT, "%s", epsilonNats));
    m.put("patience", Integer.toString(patience));
    m.put("budget_fraction", String.format(Locale.ROOT, "%s", budgetFraction));
    m.put("scratch", Boolean.toString(scratch));
    m.put("warmup_steps", Integer.toString(warmupSteps));
    m.put("original_eval_every", Integer.toString(originalEvalEvery));
    m.put("convergence_window", Integer.toString(convergenceWindow));
    m.put("convergence_delta", String.format(Locale.ROOT, "%s", convergenceDelta));
    m.put("target_rule", targetRule.name());
    m.put("recovery_warmup", Integer.toString(recoveryWarmup));
    return m;
  }

  private TrainingSettings with(int evalEvery, double eps, double budget, long s, int e,
      boolean scratch, TargetRule rule) {
    return new TrainingSettings(vocab, seqLen, batchSize, s, e, learningRate, evalEvery, eps,
        patience, budget, scratch, warmupSteps, originalEvalEvery, convergenceWindow,
        convergenceDelta, rule, recoveryWarmup);
  }

  /** A copy with another k. */
  public TrainingSettings withEvalEvery(int k) {
    return with(k, epsilonNats, budgetFraction, strings, epochs, scratch, targetRule);
  }

  /** A copy with another ε. */
  public TrainingSettings withEpsilonNats(double e) {
    return with(evalEvery, e, budgetFraction, strings, epochs, scratch, targetRule);
  }

  /** A copy with another target rule. */
  public TrainingSettings withTargetRule(TargetRule r) {
    return with(evalEvery, epsilonNats, budgetFraction, strings, epochs, scratch, r);
  }

  /** A copy with another recovery cap. */
  public TrainingSettings withBudgetFraction(double f) {
    return with(evalEvery, epsilonNats, f, strings, epochs, scratch, targetRule);
  }

  /** A copy with another S. */
  public TrainingSettings withStrings(long s) {
    return with(evalEvery, epsilonNats, budgetFraction, s, epochs, scratch, targetRule);
  }

  /** A copy with another cap on E. */
  public TrainingSettings withEpochs(int e) {
    return with(evalEvery, epsilonNats, budgetFraction, strings, e, scratch, targetRule);
  }

  /** A copy that does or does not measure {@code T_scratch}. */
  public TrainingSettings withScratch(boolean s) {
    return with(evalEvery, epsilonNats, budgetFraction, strings, epochs, s, targetRule);
  }
}
