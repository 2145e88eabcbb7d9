package dev.ablation.study.plan;

import dev.ablation.api.internal.SetOnce;
import dev.ablation.study.plan.TrainingSettings.Stopping;
import dev.ablation.study.plan.TrainingSettings.Optimiser;
import dev.ablation.study.plan.TrainingSettings.TargetChoice;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings one value at a time. The defaults are the {@code quick} preset's: the Markov task
 * (V = 8, 16 tokens), S = 2048 strings in batches of 16; peak rate 3e-3 after a 32-step
 * warm-up (recoveries: 8 steps); the original evaluated every 16 steps until it improved by
 * less than 0.01 nats over 5 evaluations, at most 8 epochs; recoveries evaluated every 4
 * steps against {@code L* + max(0.05, 2σ)} ({@link TargetRule#NOISE}), patience 6, a budget
 * of 1 × {@code B_ref}, no {@code T_scratch}. Presets set every value themselves, so a
 * change here changes no preset. {@link #build()} reports every bad value at once.
 *
 * <p>A type of its own, beside the record rather than inside it, because the two change for
 * different reasons: the settings are what a study is (their values, what they mean for a
 * recovery, their hash), the builder how a caller says it one value at a time, with defaults.
 * It is the only way to a {@link TrainingSettings}.
 */
public final class TrainingSettingsBuilder {
  // package-private: the settings' constructor reads them once build() has checked them
  Task task = Task.MARKOV;
  int vocab = 8;
  int seqLen = 16;
  long strings = 2048;
  int batchSize = 16;
  double peakRate = 3e-3;
  int warmupSteps = 32;
  int recoveryWarmup = 8;
  int originalEvalEvery = 16;
  int convergenceWindow = 5;
  double convergenceDelta = 0.01;
  int maxEpochs = 8;
  long trainSteps = 0;
  TargetRule targetRule = TargetRule.NOISE;
  double epsilon = 0.05;
  int evalEvery = 4;
  int patience = 6;
  double budgetFraction = 1.0;
  boolean scratch = false;
  long horizonSteps = 0;
  /**
   * The settings given by a call here (not those copied by {@code toBuilder()}, which may each be
   * replaced once). Why once: a recipe that sets the same value twice (a helper's default, then
   * an override) hides which of the two a study ran with.
   */
  private final SetOnce<Setting> given = SetOnce.named(Setting::label);

  /** The defaults; see {@link TrainingSettings#builder()}. */
  TrainingSettingsBuilder() {}

  /** {@code t}'s values; see {@link TrainingSettings#toBuilder()}. */
  TrainingSettingsBuilder(TrainingSettings t) {
    task = t.task();
    vocab = t.vocab();
    seqLen = t.seqLen();
    strings = t.strings();
    batchSize = t.batchSize();
    peakRate = t.optimiser().peakRate();
    warmupSteps = t.optimiser().warmupSteps();
    recoveryWarmup = t.optimiser().recoveryWarmup();
    originalEvalEvery = t.stopping().evalEvery();
    convergenceWindow = t.stopping().window();
    convergenceDelta = t.stopping().delta();
    maxEpochs = t.stopping().maxEpochs();
    trainSteps = t.stopping().fixedSteps();
    targetRule = t.target().rule();
    epsilon = t.target().epsilon();
    evalEvery = t.evalEvery();
    patience = t.patience();
    budgetFraction = t.budgetFraction();
    scratch = t.scratch();
    horizonSteps = t.horizonSteps();
  }

  /** What the originals learn. */
  public TrainingSettingsBuilder task(Task v) {
    task = given.set(Setting.TASK, v);
    return this;
  }

  /** Vocabulary of the synthetic corpus. */
  public TrainingSettingsBuilder vocab(int v) {
    vocab = given.set(Setting.VOCAB, v);
    return this;
  }

  /** Tokens per training string. */
  public TrainingSettingsBuilder seqLen(int v) {
    seqLen = given.set(Setting.SEQ_LEN, v);
    return this;
  }

  /** S: training strings of an original. */
  public TrainingSettingsBuilder strings(long v) {
    strings = given.set(Setting.STRINGS, v);
    return this;
  }

  /** Strings per optimiser step. */
  public TrainingSettingsBuilder batchSize(int v) {
    batchSize = given.set(Setting.BATCH_SIZE, v);
    return this;
  }

  /** The original's peak rate ({@link Optimiser#peakRate()}). */
  public TrainingSettingsBuilder peakRate(double v) {
    peakRate = given.set(Setting.PEAK_RATE, v);
    return this;
  }

  /** The original's warm-up in steps ({@link Optimiser#warmupSteps()}). */
  public TrainingSettingsBuilder warmupSteps(int v) {
    warmupSteps = given.set(Setting.WARMUP, v);
    return this;
  }

  /** A recovery's warm-up in steps ({@link Optimiser#recoveryWarmup()}). */
  public TrainingSettingsBuilder recoveryWarmup(int v) {
    recoveryWarmup = given.set(Setting.RECOVERY_WARMUP, v);
    return this;
  }

  /** Steps between the original's evaluations ({@link Stopping#evalEvery()}). */
  public TrainingSettingsBuilder originalEvalEvery(int v) {
    originalEvalEvery = given.set(Setting.ORIGINAL_EVAL_EVERY, v);
    return this;
  }

  /** k ({@link Stopping#window()}). */
  public TrainingSettingsBuilder convergenceWindow(int v) {
    convergenceWindow = given.set(Setting.CONVERGENCE_WINDOW, v);
    return this;
  }

  /** δ in nats ({@link Stopping#delta()}). */
  public TrainingSettingsBuilder convergenceDelta(double v) {
    convergenceDelta = given.set(Setting.CONVERGENCE_DELTA, v);
    return this;
  }

  /** The cap on the original's epochs ({@link Stopping#maxEpochs()}). */
  public TrainingSettingsBuilder maxEpochs(int v) {
    maxEpochs = given.set(Setting.EPOCHS, v);
    return this;
  }

  /** The original's fixed length ({@link Stopping#fixedSteps()}); 0: until converged. */
  public TrainingSettingsBuilder trainSteps(long v) {
    trainSteps = given.set(Setting.TRAIN_STEPS, v);
    return this;
  }

  /** How ε becomes the target. */
  public TrainingSettingsBuilder targetRule(TargetRule v) {
    targetRule = given.set(Setting.TARGET_RULE, v);
    return this;
  }

  /** ε ({@link TargetChoice#epsilon()}). */
  public TrainingSettingsBuilder epsilon(double v) {
    epsilon = given.set(Setting.EPSILON, v);
    return this;
  }

  /** k: the unit of {@code patience}, in steps ({@link TrainingSettings#evalEvery()}). */
  public TrainingSettingsBuilder evalEvery(int v) {
    evalEvery = given.set(Setting.EVAL_EVERY, v);
    return this;
  }

  /**
   * {@code PLATEAUED} after this many times {@code evalEvery} steps without improvement;
   * 0 disables.
   */
  public TrainingSettingsBuilder patience(int v) {
    patience = given.set(Setting.PATIENCE, v);
    return this;
  }

  /** A recovery's cap as a multiple of {@code B_ref}. */
  public TrainingSettingsBuilder budgetFraction(double v) {
    budgetFraction = given.set(Setting.BUDGET, v);
    return this;
  }

  /** Whether to measure {@code T_scratch}. */
  public TrainingSettingsBuilder scratch(boolean v) {
    scratch = given.set(Setting.SCRATCH, v);
    return this;
  }

  /** Steps a recovered run trains to past its target; 0 (default): it stops at it. */
  public TrainingSettingsBuilder horizonSteps(long v) {
    horizonSteps = given.set(Setting.HORIZON, v);
    return this;
  }

  /**
   * The settings.
   *
   * @throws IllegalArgumentException naming every bad value, with what is valid
   */
  public TrainingSettings build() {
    List<String> p = new ArrayList<>();
    SettingsChecks.top(p, task, vocab, seqLen, strings, batchSize, evalEvery, patience,
        budgetFraction);
    SettingsChecks.optimiser(p, peakRate, warmupSteps, recoveryWarmup);
    SettingsChecks.convergence(p, originalEvalEvery, convergenceWindow, convergenceDelta,
        maxEpochs, trainSteps);
    SettingsChecks.target(p, targetRule, epsilon);
    SettingsChecks.length(p, trainSteps, warmupSteps);
    SettingsChecks.horizon(p, horizonSteps);
    SettingsChecks.throwIfAny(p);
    return new TrainingSettings(this);
  }
}
