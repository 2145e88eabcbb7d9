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
import java.util.Objects;

/**
 * How the study trains originals and judges recoveries: the engine's half of a preset. Part
 * of every original's content hash, so two studies with different settings never share an
 * original. Built only by {@link #builder()} (or {@link #toBuilder()} of a preset's settings),
 * which checks each setting once and every value at once: thirteen values in a row, five of
 * them {@code int}s, are hard to read and easy to swap, so there is no public constructor.
 *
 * <p>A final class rather than a record of thirteen components, with the values that belong
 * together already grouped ({@link Optimiser}, {@link Stopping}, {@link TargetChoice}); the other
 * ten stay flat because no reader takes them together: the batch size serves originals and
 * recoveries alike, {@code evalEvery} and {@code patience} are the recovery's, {@code scratch}
 * and the horizon switch measurements on. Their accessors keep the record's names, and
 * {@link #asMap()}, the manifest and the content hash, is flat whatever the grouping.
 *
 * <p>Originals train as {@link Optimiser} and {@link Stopping} say: a linear warm-up to the
 * peak rate, then inverse-sqrt decay (why: {@code docs/protocol.md}), evaluated every
 * {@code stopping.evalEvery()} steps, until the validation loss improved by less than
 * δ over the last k evaluations or the epoch cap; or, with a fixed length, exactly that many
 * steps with the rate decayed linearly to 0. {@code B_ref} is what that took. Recoveries start a
 * fresh Adam at the peak rate times the run's multiple, after the recovery warm-up, are
 * evaluated on {@link #schedule()} (every step to step 10, then doubling gaps up to
 * {@link #maxEvaluationGap()}), have {@code T_ε} searched to the step between evaluations, and
 * are judged against the {@link TargetChoice}.
 *
 * <p>Immutable and {@link java.io.Serializable} (Spark ships it inside each original's spec);
 * a deserialized value is checked as a built one is.
 */
public final class TrainingSettings implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

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
      SettingsChecks.throwIfAny(
          SettingsChecks.optimiser(new ArrayList<>(), peakRate, warmupSteps, recoveryWarmup));
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
  public record Stopping(int evalEvery, int window, double delta, int maxEpochs,
      long fixedSteps) implements java.io.Serializable {
    /** Validates, naming every bad value. */
    public Stopping {
      SettingsChecks.throwIfAny(SettingsChecks.convergence(new ArrayList<>(), evalEvery, window,
          delta, maxEpochs, fixedSteps));
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
  public record TargetChoice(TargetRule rule, double epsilon) implements java.io.Serializable {
    /** Validates, naming every bad value. */
    public TargetChoice {
      SettingsChecks.throwIfAny(SettingsChecks.target(new ArrayList<>(), rule, epsilon));
    }

    /** In words, for the report's method line. */
    public String describe() {
      return rule.describe(epsilon);
    }
  }

  private final Task task;
  private final int vocab;
  private final int seqLen;
  private final long strings;
  private final int batchSize;
  private final Optimiser optimiser;
  private final Stopping stopping;
  private final TargetChoice target;
  private final int evalEvery;
  private final int patience;
  private final double budgetFraction;
  private final boolean scratch;
  private final long horizonSteps;

  /**
   * The settings {@code b} holds, grouped; only {@link TrainingSettingsBuilder#build()} calls
   * it, after checking every value. Checks again what the settings as a whole must satisfy,
   * as the record's constructor did, so no instance breaks them.
   */
  TrainingSettings(TrainingSettingsBuilder b) {
    task = b.task;
    vocab = b.vocab;
    seqLen = b.seqLen;
    strings = b.strings;
    batchSize = b.batchSize;
    optimiser = new Optimiser(b.peakRate, b.warmupSteps, b.recoveryWarmup);
    stopping = new Stopping(b.originalEvalEvery, b.convergenceWindow, b.convergenceDelta,
        b.maxEpochs, b.trainSteps);
    target = new TargetChoice(b.targetRule, b.epsilon);
    evalEvery = b.evalEvery;
    patience = b.patience;
    budgetFraction = b.budgetFraction;
    scratch = b.scratch;
    horizonSteps = b.horizonSteps;
    SettingsChecks.throwIfAny(problems());
  }

  /** Every bad value of these settings as a whole (the parts check themselves). */
  private List<String> problems() {
    List<String> p = new ArrayList<>();
    SettingsChecks.top(p, task, vocab, seqLen, strings, batchSize, evalEvery, patience,
        budgetFraction);
    if (optimiser == null || stopping == null || target == null) {
      p.add("optimiser, stopping and target are required");
    } else {
      SettingsChecks.length(p, stopping.fixedSteps(), optimiser.warmupSteps());
    }
    SettingsChecks.horizon(p, horizonSteps);
    return p;
  }

  /**
   * Checks a deserialized value as the constructor checks a built one: a stream is not a
   * builder.
   */
  private void readObject(java.io.ObjectInputStream in)
      throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    List<String> p = problems();
    if (!p.isEmpty()) {
      throw new java.io.InvalidObjectException(String.join("; ", p));
    }
  }

  /** What the originals learn ({@link Task}, {@code docs/tasks.md}). */
  public Task task() {
    return task;
  }

  /** Vocabulary size of the synthetic corpus. */
  public int vocab() {
    return vocab;
  }

  /** Tokens per training string. */
  public int seqLen() {
    return seqLen;
  }

  /** S: training strings the original sees per epoch. */
  public long strings() {
    return strings;
  }

  /** Strings per optimiser step (originals and recoveries alike). */
  public int batchSize() {
    return batchSize;
  }

  /** Peak rate and warm-ups. */
  public Optimiser optimiser() {
    return optimiser;
  }

  /** When the original stops training. */
  public Stopping stopping() {
    return stopping;
  }

  /** When a recovery has recovered. */
  public TargetChoice target() {
    return target;
  }

  /** k: the unit of {@code patience}, in steps, and the least {@link #maxEvaluationGap()}. */
  public int evalEvery() {
    return evalEvery;
  }

  /**
   * {@code PLATEAUED} after {@code patience × evalEvery} steps without improvement
   * ({@link #patienceSteps()}); 0 disables.
   */
  public int patience() {
    return patience;
  }

  /** A recovery may spend at most this multiple of {@code B_ref}. */
  public double budgetFraction() {
    return budgetFraction;
  }

  /** Whether to measure {@code T_scratch} for each original. */
  public boolean scratch() {
    return scratch;
  }

  /**
   * 0 (the protocol): a recovery stops at its verdict; {@code > 0} ({@code --past-target}): a
   * recovery that meets its target earlier trains on to this many steps, so where its loss
   * settles past {@code L* + ε} is measured
   * ({@link dev.ablation.api.recovery.RecoverySettings#horizonSteps()}). Not part of an
   * original's identity: studies with and without it share originals.
   */
  public long horizonSteps() {
    return horizonSteps;
  }

  /** A builder starting from {@link TrainingSettingsBuilder the defaults}. */
  public static TrainingSettingsBuilder builder() {
    return new TrainingSettingsBuilder();
  }

  /** A builder holding these settings, to change some of them. */
  public TrainingSettingsBuilder toBuilder() {
    return new TrainingSettingsBuilder(this);
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
   * original keeps its hash; {@code train_steps} appears only for a fixed-length original, and
   * ε is {@code epsilon_fraction} instead of {@code epsilon_nats} under the damage rule.
   */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (Setting s : Setting.training()) {
      String v = value(s);
      if (v != null) {
        m.put(s == Setting.EPSILON && target.rule() == TargetRule.DAMAGE
            ? Setting.EPSILON_FRACTION_KEY : s.key().orElseThrow(), v);
      }
    }
    return m;
  }

  /** The value of setting {@code s} as manifest text; null where it is absent (or a plan's). */
  private String value(Setting s) {
    return switch (s) {
      case VOCAB -> Integer.toString(vocab);
      case SEQ_LEN -> Integer.toString(seqLen);
      case BATCH_SIZE -> Integer.toString(batchSize);
      case STRINGS -> Long.toString(strings);
      case EPOCHS -> Integer.toString(stopping.maxEpochs());
      case PEAK_RATE -> String.format(Locale.ROOT, "%s", optimiser.peakRate());
      case EVAL_EVERY -> Integer.toString(evalEvery);
      case EPSILON -> String.format(Locale.ROOT, "%s", target.epsilon());
      case PATIENCE -> Integer.toString(patience);
      case BUDGET -> String.format(Locale.ROOT, "%s", budgetFraction);
      case SCRATCH -> Boolean.toString(scratch);
      case WARMUP -> Integer.toString(optimiser.warmupSteps());
      case ORIGINAL_EVAL_EVERY -> Integer.toString(stopping.evalEvery());
      case CONVERGENCE_WINDOW -> Integer.toString(stopping.window());
      case CONVERGENCE_DELTA -> String.format(Locale.ROOT, "%s", stopping.delta());
      case TARGET_RULE -> target.rule().name();
      case RECOVERY_WARMUP -> Integer.toString(optimiser.recoveryWarmup());
      case TASK -> task.key();
      case TRAIN_STEPS ->
          stopping.isFixedLength() ? Long.toString(stopping.fixedSteps()) : null;
      case HORIZON -> horizonSteps > 0 ? Long.toString(horizonSteps) : null;
      default -> null; // the plan's settings name runs, not originals
    };
  }

  /** Equal when every value is (doubles compared as {@link Double#compare} does). */
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof TrainingSettings t && task == t.task && vocab == t.vocab
        && seqLen == t.seqLen && strings == t.strings && batchSize == t.batchSize
        && optimiser.equals(t.optimiser) && stopping.equals(t.stopping)
        && target.equals(t.target) && evalEvery == t.evalEvery && patience == t.patience
        && Double.compare(budgetFraction, t.budgetFraction) == 0 && scratch == t.scratch
        && horizonSteps == t.horizonSteps;
  }

  @Override
  public int hashCode() {
    return Objects.hash(task, vocab, seqLen, strings, batchSize, optimiser, stopping, target,
        evalEvery, patience, budgetFraction, scratch, horizonSteps);
  }

  /** The values, as the record wrote them ({@code TrainingSettings[task=..., ...]}). */
  @Override
  public String toString() {
    return "TrainingSettings[task=" + task + ", vocab=" + vocab + ", seqLen=" + seqLen
        + ", strings=" + strings + ", batchSize=" + batchSize + ", optimiser=" + optimiser
        + ", stopping=" + stopping + ", target=" + target + ", evalEvery=" + evalEvery
        + ", patience=" + patience + ", budgetFraction=" + budgetFraction + ", scratch="
        + scratch + ", horizonSteps=" + horizonSteps + "]";
  }
}
