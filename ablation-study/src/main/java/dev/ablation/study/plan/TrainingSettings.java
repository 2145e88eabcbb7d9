package dev.ablation.study.plan;

import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.StepRule;
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
 * original. Built by {@link #builder()} (or {@link #toBuilder()} of a preset's settings):
 * a dozen numbers in a row are hard to read or review.
 *
 * <p>Originals train as {@link Optimiser} and {@link Convergence} say: a linear warm-up to the
 * peak rate, then inverse-sqrt decay (why: {@code docs/protocol.md}), evaluated every
 * {@code convergence.evalEvery()} steps, until the validation loss improved by less than
 * δ over the last k evaluations or the epoch cap; or, with a fixed length, exactly that many
 * steps with the rate decayed linearly to 0. {@code B_ref} is what that took. Recoveries start a
 * fresh Adam at the peak rate times the run's multiple, after the recovery warm-up, are
 * evaluated on {@link #schedule()} (every step to step 10, then doubling gaps up to
 * {@link #maxEvaluationGap()}), have {@code T_ε} searched to the step between evaluations, and
 * are judged against the {@link Target}.
 *
 * @param task what the originals learn ({@link Task}, {@code docs/tasks.md})
 * @param vocab vocabulary size of the synthetic corpus
 * @param seqLen tokens per training string
 * @param strings S: training strings the original sees per epoch
 * @param batchSize strings per optimiser step (originals and recoveries alike)
 * @param optimiser peak rate and warm-ups
 * @param convergence when the original stops training
 * @param target when a recovery has recovered
 * @param evalEvery k: the unit of {@code patience}, in steps, and the least
 *     {@link #maxEvaluationGap()}
 * @param patience {@code PLATEAUED} after {@code patience × evalEvery} steps without
 *     improvement ({@link #patienceSteps()}); 0 disables
 * @param budgetFraction a recovery may spend at most this multiple of {@code B_ref}
 * @param scratch whether to measure {@code T_scratch} for each original
 * @param horizonSteps 0 (the protocol): a recovery stops at its verdict; {@code > 0}
 *     ({@code --past-target}): a recovery that meets its target earlier trains on to this many
 *     steps, so where its loss settles past {@code L* + ε} is measured
 *     ({@link dev.ablation.api.recovery.RecoverySettings#horizonSteps()}). Not part of an
 *     original's identity: studies with and without it share originals.
 */
public record TrainingSettings(Task task, int vocab, int seqLen, long strings, int batchSize,
    Optimiser optimiser, Convergence convergence, Target target, int evalEvery, int patience,
    double budgetFraction, boolean scratch, long horizonSteps) implements java.io.Serializable {

  /** The key of {@link #horizonSteps()} in {@link #asMap()}, present only when it is > 0. */
  public static final String HORIZON_KEY =
      dev.ablation.api.recovery.RecoveryMonitor.HORIZON_KEY;

  /** Tolerances whose first step every recovery also records (re-judging reads them). */
  public static final List<Double> RECORDED_EPSILONS = List.of(0.005, 0.01, 0.05);
  /** Growth of the gaps of the recovery's evaluation schedule after its first ten steps. */
  public static final double SCHEDULE_GROWTH = 2.0;
  /** Improvement in nats that resets the patience counter. */
  public static final double MIN_IMPROVEMENT = 1e-3;
  /** A recovery diverged when its loss exceeds this multiple of {@code L₀}. */
  public static final double DIVERGENCE_FACTOR = 4;

  /**
   * The learning rate, for originals and recoveries alike.
   *
   * @param peakRate the original's peak Adam rate ({@code --peak-lr}); recoveries use
   *     multiples of it
   * @param warmupSteps the original's linear warm-up, steps ({@code --warmup})
   * @param recoveryWarmup a recovery's linear warm-up, steps ({@code --recovery-warmup})
   */
  public record Optimiser(double peakRate, int warmupSteps, int recoveryWarmup)
      implements java.io.Serializable {
    /** Validates, naming every bad value. */
    public Optimiser {
      throwIfAny(check(new ArrayList<>(), peakRate, warmupSteps, recoveryWarmup));
    }

    static List<String> check(List<String> p, double peakRate, int warmupSteps,
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
  }

  /**
   * When the original has been trained fully: the plateau rule (improvement below
   * {@code delta} nats over the last {@code window} evaluations) under a cap of
   * {@code maxEpochs}, or, when {@code fixedSteps > 0}, exactly that many steps whatever the
   * loss does (the epoch cap and the rule then do not apply), the rate decayed linearly to 0
   * at the last step. A fixed length separates what a recovery costs from where the plateau
   * rule happened to stop the original.
   *
   * @param evalEvery steps between the original's evaluations
   * @param window k: evaluations of the rule's window, and the evaluations {@code L*} averages
   *     ({@code --converge-k})
   * @param delta δ: nats of improvement over k evaluations below which it has converged
   *     ({@code --converge-delta})
   * @param maxEpochs the cap on the original's epochs ({@code --epochs})
   * @param fixedSteps the original's exact length in steps ({@code --train-steps}); 0: until
   *     converged
   */
  public record Convergence(int evalEvery, int window, double delta, int maxEpochs,
      long fixedSteps) implements java.io.Serializable {
    /** Validates, naming every bad value. */
    public Convergence {
      throwIfAny(check(new ArrayList<>(), evalEvery, window, delta, maxEpochs, fixedSteps));
    }

    static List<String> check(List<String> p, int evalEvery, int window, double delta,
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

    /** Whether the original trains a fixed number of steps rather than until converged. */
    public boolean isFixedLength() {
      return fixedSteps > 0;
    }
  }

  /**
   * When a recovery (or {@code T_scratch}) has recovered: {@code rule} applied to
   * {@code epsilon}.
   *
   * @param rule how ε becomes the target ({@code --target})
   * @param epsilon ε: nats, or the damage fraction for {@link TargetRule#DAMAGE}
   *     ({@code --epsilon})
   */
  public record Target(TargetRule rule, double epsilon) implements java.io.Serializable {
    /** Validates, naming every bad value. */
    public Target {
      throwIfAny(check(new ArrayList<>(), rule, epsilon));
    }

    static List<String> check(List<String> p, TargetRule rule, double epsilon) {
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

    /** In words, for the report's method line. */
    public String describe() {
      return rule.describe(epsilon);
    }
  }

  /** Validates, naming every bad value at once. */
  public TrainingSettings {
    List<String> p = new ArrayList<>();
    checkTop(p, task, vocab, seqLen, strings, batchSize, evalEvery, patience, budgetFraction);
    if (optimiser == null || convergence == null || target == null) {
      p.add("optimiser, convergence and target are required");
    } else {
      checkLength(p, convergence.fixedSteps(), optimiser.warmupSteps());
    }
    checkHorizon(p, horizonSteps);
    throwIfAny(p);
  }

  private static void checkHorizon(List<String> p, long horizonSteps) {
    if (horizonSteps < 0) {
      p.add("horizon (--past-target) must be 0 (stop at the target) or >= 1 step, got "
          + horizonSteps);
    }
  }

  private static void checkTop(List<String> p, Task task, int vocab, int seqLen, long strings,
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
  private static void checkLength(List<String> p, long fixedSteps, int warmupSteps) {
    if (fixedSteps > 0 && fixedSteps < Math.max(1, warmupSteps)) {
      p.add("train steps (--train-steps) " + fixedSteps + " must be >= the original warm-up "
          + "(--warmup) of " + warmupSteps + " steps");
    }
  }

  private static void positive(List<String> p, String name, long v) {
    if (v < 1) {
      p.add(name + " must be >= 1, got " + v);
    }
  }

  private static void throwIfAny(List<String> p) {
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
  }

  /** A builder starting from {@link Builder the defaults}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.task = task;
    b.vocab = vocab;
    b.seqLen = seqLen;
    b.strings = strings;
    b.batchSize = batchSize;
    b.peakRate = optimiser.peakRate();
    b.warmupSteps = optimiser.warmupSteps();
    b.recoveryWarmup = optimiser.recoveryWarmup();
    b.originalEvalEvery = convergence.evalEvery();
    b.convergenceWindow = convergence.window();
    b.convergenceDelta = convergence.delta();
    b.maxEpochs = convergence.maxEpochs();
    b.trainSteps = convergence.fixedSteps();
    b.targetRule = target.rule();
    b.epsilon = target.epsilon();
    b.evalEvery = evalEvery;
    b.patience = patience;
    b.budgetFraction = budgetFraction;
    b.scratch = scratch;
    b.horizonSteps = horizonSteps;
    return b;
  }

  /**
   * Settings one value at a time. The defaults are the {@code quick} preset's: the Markov task
   * (V = 8, 16 tokens), S = 2048 strings in batches of 16; peak rate 3e-3 after a 32-step
   * warm-up (recoveries: 8 steps); the original evaluated every 16 steps until it improved by
   * less than 0.01 nats over 5 evaluations, at most 8 epochs; recoveries evaluated every 4
   * steps against {@code L* + max(0.05, 2σ)} ({@link TargetRule#NOISE}), patience 6, a budget
   * of 1 × {@code B_ref}, no {@code T_scratch}. Presets set every value themselves, so a
   * change here changes no preset. {@link #build()} reports every bad value at once.
   */
  public static final class Builder {
    private Task task = Task.MARKOV;
    private int vocab = 8;
    private int seqLen = 16;
    private long strings = 2048;
    private int batchSize = 16;
    private double peakRate = 3e-3;
    private int warmupSteps = 32;
    private int recoveryWarmup = 8;
    private int originalEvalEvery = 16;
    private int convergenceWindow = 5;
    private double convergenceDelta = 0.01;
    private int maxEpochs = 8;
    private long trainSteps = 0;
    private TargetRule targetRule = TargetRule.NOISE;
    private double epsilon = 0.05;
    private int evalEvery = 4;
    private int patience = 6;
    private double budgetFraction = 1.0;
    private boolean scratch = false;
    private long horizonSteps = 0;

    private Builder() {}

    /** What the originals learn. */
    public Builder task(Task v) {
      task = v;
      return this;
    }

    /** Vocabulary of the synthetic corpus. */
    public Builder vocab(int v) {
      vocab = v;
      return this;
    }

    /** Tokens per training string. */
    public Builder seqLen(int v) {
      seqLen = v;
      return this;
    }

    /** S: training strings of an original. */
    public Builder strings(long v) {
      strings = v;
      return this;
    }

    /** Strings per optimiser step. */
    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    /** The original's peak rate ({@link Optimiser#peakRate()}). */
    public Builder peakRate(double v) {
      peakRate = v;
      return this;
    }

    /** The original's warm-up in steps ({@link Optimiser#warmupSteps()}). */
    public Builder warmupSteps(int v) {
      warmupSteps = v;
      return this;
    }

    /** A recovery's warm-up in steps ({@link Optimiser#recoveryWarmup()}). */
    public Builder recoveryWarmup(int v) {
      recoveryWarmup = v;
      return this;
    }

    /** Steps between the original's evaluations ({@link Convergence#evalEvery()}). */
    public Builder originalEvalEvery(int v) {
      originalEvalEvery = v;
      return this;
    }

    /** k ({@link Convergence#window()}). */
    public Builder convergenceWindow(int v) {
      convergenceWindow = v;
      return this;
    }

    /** δ in nats ({@link Convergence#delta()}). */
    public Builder convergenceDelta(double v) {
      convergenceDelta = v;
      return this;
    }

    /** The cap on the original's epochs ({@link Convergence#maxEpochs()}). */
    public Builder maxEpochs(int v) {
      maxEpochs = v;
      return this;
    }

    /** The original's fixed length ({@link Convergence#fixedSteps()}); 0: until converged. */
    public Builder trainSteps(long v) {
      trainSteps = v;
      return this;
    }

    /** How ε becomes the target. */
    public Builder targetRule(TargetRule v) {
      targetRule = v;
      return this;
    }

    /** ε ({@link Target#epsilon()}). */
    public Builder epsilon(double v) {
      epsilon = v;
      return this;
    }

    /** k: the unit of {@code patience}, in steps ({@link TrainingSettings#evalEvery()}). */
    public Builder evalEvery(int v) {
      evalEvery = v;
      return this;
    }

    /**
     * {@code PLATEAUED} after this many times {@code evalEvery} steps without improvement;
     * 0 disables.
     */
    public Builder patience(int v) {
      patience = v;
      return this;
    }

    /** A recovery's cap as a multiple of {@code B_ref}. */
    public Builder budgetFraction(double v) {
      budgetFraction = v;
      return this;
    }

    /** Whether to measure {@code T_scratch}. */
    public Builder scratch(boolean v) {
      scratch = v;
      return this;
    }

    /** Steps a recovered run trains to past its target; 0 (default): it stops at it. */
    public Builder horizonSteps(long v) {
      horizonSteps = v;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException naming every bad value, with what is valid
     */
    public TrainingSettings build() {
      List<String> p = new ArrayList<>();
      checkTop(p, task, vocab, seqLen, strings, batchSize, evalEvery, patience, budgetFraction);
      Optimiser.check(p, peakRate, warmupSteps, recoveryWarmup);
      Convergence.check(p, originalEvalEvery, convergenceWindow, convergenceDelta, maxEpochs,
          trainSteps);
      Target.check(p, targetRule, epsilon);
      checkLength(p, trainSteps, warmupSteps);
      checkHorizon(p, horizonSteps);
      throwIfAny(p);
      return new TrainingSettings(task, vocab, seqLen, strings, batchSize,
          new Optimiser(peakRate, warmupSteps, recoveryWarmup),
          new Convergence(originalEvalEvery, convergenceWindow, convergenceDelta, maxEpochs,
              trainSteps),
          new Target(targetRule, epsilon), evalEvery, patience, budgetFraction, scratch,
          horizonSteps);
    }
  }

  /**
   * The criterion every recovery (and {@code T_scratch}) is judged by: the target rule's target
   * for the original's noise level {@code sigma}, reached at a step whose raw loss and the next
   * step's are at or under it ({@link StepRule#CONFIRMED_STEP}, searched to the step), with
   * patience of {@code patience × evalEvery} steps, recording the first step at the same rule's
   * target for each of {@link #RECORDED_EPSILONS} (tolerance re-judged later reads them).
   */
  public RecoveryCriterion criterion(double sigma) {
    List<dev.ablation.api.recovery.Target> recorded = new ArrayList<>();
    for (double e : RECORDED_EPSILONS) {
      recorded.add(target.rule().target(e, sigma));
    }
    RecoveryCriterion.Threshold t = RecoveryCriterion.reaching(target.rule().target(
            target.epsilon(), sigma))
        .confirmedAtStep()
        .recording(recorded)
        .divergingAboveFactor(DIVERGENCE_FACTOR);
    return patience > 0 ? t.withPatience(patienceSteps(), MIN_IMPROVEMENT) : t;
  }

  /** Steps without improvement before {@code PLATEAUED}: {@code patience × evalEvery}. */
  public int patienceSteps() {
    return patience * evalEvery;
  }

  /**
   * The recovery's evaluation schedule: every step to step 10, then doubling gaps up to
   * {@link #maxEvaluationGap()}. {@code T_ε} does not depend on it (the steps in between are
   * searched); it sets the cost of a run and how late a plateau is seen.
   */
  public EvaluationSchedule schedule() {
    return EvaluationSchedule.geometric(SCHEDULE_GROWTH, maxEvaluationGap());
  }

  /**
   * The largest gap between two scheduled evaluations: half the patience in steps (a plateau is
   * then seen at most half a patience late), at least {@code evalEvery}.
   */
  public int maxEvaluationGap() {
    return Math.max(evalEvery, patienceSteps() / 2);
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
    return optimiser.peakRate() * multiple;
  }

  /** The target in words, for the report's method line. */
  public String describeTarget() {
    return target.describe();
  }

  /**
   * These settings as key → value text, for manifests and the content hash. The keys and
   * their order are those of the flat settings before the grouping, so every existing
   * original keeps its hash; {@code train_steps} appears only for a fixed-length original.
   */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vocab", Integer.toString(vocab));
    m.put("seq_len", Integer.toString(seqLen));
    m.put("batch_size", Integer.toString(batchSize));
    m.put("strings", Long.toString(strings));
    m.put("epochs", Integer.toString(convergence.maxEpochs()));
    m.put("learning_rate", String.format(Locale.ROOT, "%s", optimiser.peakRate()));
    m.put("eval_every", Integer.toString(evalEvery));
    m.put("epsilon_nats", String.format(Locale.ROOT, "%s", target.epsilon()));
    m.put("patience", Integer.toString(patience));
    m.put("budget_fraction", String.format(Locale.ROOT, "%s", budgetFraction));
    m.put("scratch", Boolean.toString(scratch));
    m.put("warmup_steps", Integer.toString(optimiser.warmupSteps()));
    m.put("original_eval_every", Integer.toString(convergence.evalEvery()));
    m.put("convergence_window", Integer.toString(convergence.window()));
    m.put("convergence_delta", String.format(Locale.ROOT, "%s", convergence.delta()));
    m.put("target_rule", target.rule().name());
    m.put("recovery_warmup", Integer.toString(optimiser.recoveryWarmup()));
    m.put("task", task.key());
    if (convergence.isFixedLength()) {
      m.put("train_steps", Long.toString(convergence.fixedSteps()));
    }
    if (horizonSteps > 0) {
      m.put(HORIZON_KEY, Long.toString(horizonSteps));
    }
    return m;
  }
}
