package dev.ablation.samediff.train;

import dev.ablation.api.internal.SetOnce;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link TrainingPlan} one named setting at a time ({@link TrainingPlan#builder()}).
 * Required: {@link #epochs}, {@link #batchSize}, {@link #adam}, {@link #shuffleSeed}. Defaults:
 * an evaluation every 50 steps in batches of 128 strings, no convergence rule (all E epochs),
 * no fixed length.
 *
 * <p>As Caffeine's builder does, each setter checks its value when it is called, naming it and
 * what is valid, and refuses to be called twice: a recipe that sets a value twice (a helper's,
 * then an override) hides which one trained the original, and the plan is part of every cache
 * key. Values copied by {@link TrainingPlan#toBuilder()} may each be replaced once.
 * {@link #build()} then reports every missing setting in one exception.
 */
public final class TrainingPlanBuilder {
  /** The settings, by their setter's name. */
  private enum Key {
    EPOCHS("epochs"), BATCH_SIZE("batchSize"), ADAM("adam"), EVALUATE_EVERY("evaluateEvery"),
    EVALUATION_BATCH_SIZE("evaluationBatchSize"), SHUFFLE_SEED("shuffleSeed"),
    CONVERGENCE("convergence"), MAX_STEPS("maxSteps");

    final String setter;

    Key(String setter) {
      this.setter = setter;
    }
  }

  private static final Set<Key> REQUIRED = EnumSet.of(Key.EPOCHS, Key.BATCH_SIZE, Key.ADAM,
      Key.SHUFFLE_SEED);

  private int epochs;
  private int batchSize;
  private AdamSettings adam;
  private int evaluateEvery = TrainingPlan.DEFAULT_EVALUATE_EVERY;
  private int evaluationBatchSize = TrainingPlan.DEFAULT_EVALUATION_BATCH_SIZE;
  private long shuffleSeed;
  private Convergence convergence;
  private long maxSteps;
  /** The settings given by a call, and those {@link TrainingPlan#toBuilder()} copied. */
  private final SetOnce<Key> set = SetOnce.named(k -> k.setter);

  /** Nothing set; see {@link TrainingPlan#builder()}. */
  TrainingPlanBuilder() {}

  /** {@code p}'s values; see {@link TrainingPlan#toBuilder()}. */
  TrainingPlanBuilder(TrainingPlan p) {
    epochs = p.epochs();
    batchSize = p.batchSize();
    adam = p.adam();
    evaluateEvery = p.evaluateEvery();
    evaluationBatchSize = p.evaluationBatchSize();
    shuffleSeed = p.shuffleSeed();
    convergence = p.convergence();
    maxSteps = p.maxSteps();
    EnumSet<Key> held = EnumSet.allOf(Key.class);
    if (convergence == null) {
      held.remove(Key.CONVERGENCE);
    }
    set.copied(held);
  }

  /** Required: E, the epochs (with a {@link #convergence} rule: the cap), ≥ 1. */
  public TrainingPlanBuilder epochs(int e) {
    if (e < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + e);
    }
    set.give(Key.EPOCHS, epochs);
    epochs = e;
    return this;
  }

  /** Required: strings per step, ≥ 1. */
  public TrainingPlanBuilder batchSize(int b) {
    if (b < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + b);
    }
    set.give(Key.BATCH_SIZE, batchSize);
    batchSize = b;
    return this;
  }

  /** Required: the optimiser, e.g. {@code AdamSettings.of(3e-3)}. */
  public TrainingPlanBuilder adam(AdamSettings a) {
    if (a == null) {
      throw new IllegalArgumentException("adam settings are required");
    }
    set.give(Key.ADAM, adam);
    adam = a;
    return this;
  }

  /** Steps between validation evaluations, ≥ 1; default 50. */
  public TrainingPlanBuilder evaluateEvery(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("evaluateEvery must be >= 1, got " + steps);
    }
    set.give(Key.EVALUATE_EVERY, evaluateEvery);
    evaluateEvery = steps;
    return this;
  }

  /** Strings per evaluation batch, ≥ 1; default 128 (see the plan's accessor for why less). */
  public TrainingPlanBuilder evaluationBatchSize(int strings) {
    if (strings < 1) {
      throw new IllegalArgumentException("evaluation batch size must be >= 1, got " + strings);
    }
    set.give(Key.EVALUATION_BATCH_SIZE, evaluationBatchSize);
    evaluationBatchSize = strings;
    return this;
  }

  /** Required: the seed of the order of the strings in each epoch; any value. */
  public TrainingPlanBuilder shuffleSeed(long seed) {
    set.give(Key.SHUFFLE_SEED, shuffleSeed);
    shuffleSeed = seed;
    return this;
  }

  /** Stop as soon as {@code c} holds (E the cap); default none, all E epochs. */
  public TrainingPlanBuilder convergence(Convergence c) {
    if (c == null) {
      throw new IllegalArgumentException("convergence must not be null; leave it unset to train"
          + " all epochs, or give one, e.g. new Convergence(3, 1e-3)");
    }
    set.give(Key.CONVERGENCE, convergence);
    convergence = c;
    return this;
  }

  /**
   * Train exactly {@code steps} steps, ≥ 0 (E and the rule stop nothing); default 0: epochs and
   * the rule decide.
   */
  public TrainingPlanBuilder maxSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("max steps must be >= 0 (0: until converged), got "
          + steps);
    }
    set.give(Key.MAX_STEPS, maxSteps);
    maxSteps = steps;
    return this;
  }

  /**
   * The plan.
   *
   * @throws IllegalArgumentException naming every missing required setting, at once
   */
  public TrainingPlan build() {
    List<String> problems = new ArrayList<>();
    for (Key k : REQUIRED) {
      if (!set.holds(k)) {
        problems.add(k.setter + "(…) is required");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid training plan: "
          + String.join("; ", problems));
    }
    return new TrainingPlan(epochs, batchSize, adam, evaluateEvery, evaluationBatchSize,
        shuffleSeed, convergence, maxSteps);
  }
}
