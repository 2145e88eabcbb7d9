package dev.ablation.samediff.train;

import dev.ablation.api.internal.SetOnce;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.samediff.model.ReferenceModel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link TrainedOriginal} one named value at a time ({@link TrainedOriginal#builder()}); every
 * setting is required.
 *
 * <p>As Caffeine's builder does, each setter checks its value when it is called, naming it and
 * what is valid, and refuses to be called twice: the counts and the loss go into every cached
 * {@code original.json}, and a value set twice hides which one did. Values copied by
 * {@link TrainedOriginal#toBuilder()} may each be replaced once. {@link #build()} then reports
 * every missing setting in one exception.
 */
public final class TrainedOriginalBuilder {
  /** The settings, by their setter's name. */
  private enum Key {
    MODEL("model"), INITIAL_WEIGHTS("initialWeights"), BUDGET("budget"), CURVE("curve"),
    FINAL_LOSS("finalLoss"), PLAN("plan"), TRAIN_STRINGS("trainStrings"),
    VALIDATION_STRINGS("validationStrings"), CACHE_KEY("cacheKey");

    final String setter;

    Key(String setter) {
      this.setter = setter;
    }
  }

  private ReferenceModel model;
  private Map<String, INDArray> initialWeights;
  private ReferenceCost budget;
  private List<ValidationPoint> curve;
  private double finalLoss;
  private TrainingPlan plan;
  private int trainStrings;
  private int validationStrings;
  private String cacheKey;
  /** The settings given by a call, and those {@link TrainedOriginal#toBuilder()} copied. */
  private final SetOnce<Key> set = SetOnce.named(k -> k.setter);

  /** Nothing set; see {@link TrainedOriginal#builder()}. */
  TrainedOriginalBuilder() {}

  /** {@code t}'s values; see {@link TrainedOriginal#toBuilder()}. */
  TrainedOriginalBuilder(TrainedOriginal t) {
    model = t.model();
    initialWeights = t.initialWeights();
    budget = t.budget();
    curve = t.curve();
    finalLoss = t.finalLoss();
    plan = t.plan();
    trainStrings = t.trainStrings();
    validationStrings = t.validationStrings();
    cacheKey = t.cacheKey();
    set.copied(EnumSet.allOf(Key.class));
  }

  private static int count(Key k, int n) {
    if (n < 0) {
      throw new IllegalArgumentException(k.setter + " must be >= 0 strings, got " + n);
    }
    return n;
  }

  /** The trained model (its weights the final ones). */
  public TrainedOriginalBuilder model(ReferenceModel m) {
    model = set.setNonNull(Key.MODEL, m);
    return this;
  }

  /** θ₀ by variable name, in model order (kept live, not copied). */
  public TrainedOriginalBuilder initialWeights(Map<String, INDArray> theta0) {
    initialWeights = set.setNonNull(Key.INITIAL_WEIGHTS, theta0);
    return this;
  }

  /** S × E examples and the predicted tokens they held. */
  public TrainedOriginalBuilder budget(ReferenceCost b) {
    budget = set.setNonNull(Key.BUDGET, b);
    return this;
  }

  /** The validation evaluations, the first before any step, the last after the final one. */
  public TrainedOriginalBuilder curve(List<ValidationPoint> points) {
    curve = set.setNonNull(Key.CURVE, points);
    return this;
  }

  /** The validation loss of the final weights; any value (a diverged run's may be NaN). */
  public TrainedOriginalBuilder finalLoss(double loss) {
    finalLoss = set.set(Key.FINAL_LOSS, loss);
    return this;
  }

  /** How it was trained. */
  public TrainedOriginalBuilder plan(TrainingPlan p) {
    plan = set.setNonNull(Key.PLAN, p);
    return this;
  }

  /** S, the training strings, ≥ 0. */
  public TrainedOriginalBuilder trainStrings(int n) {
    trainStrings = set.set(Key.TRAIN_STRINGS, count(Key.TRAIN_STRINGS, n));
    return this;
  }

  /** The size of the validation set, ≥ 0. */
  public TrainedOriginalBuilder validationStrings(int n) {
    validationStrings = set.set(Key.VALIDATION_STRINGS, count(Key.VALIDATION_STRINGS, n));
    return this;
  }

  /** What {@link OriginalTrainer#cacheKey} gave for the config, plan and data. */
  public TrainedOriginalBuilder cacheKey(String key) {
    cacheKey = set.setNonNull(Key.CACHE_KEY, key);
    return this;
  }

  /**
   * The original.
   *
   * @throws IllegalArgumentException naming every missing setting, at once
   */
  public TrainedOriginal build() {
    List<String> problems = new ArrayList<>();
    for (Key k : Key.values()) {
      if (!set.holds(k)) {
        problems.add(k.setter + "(…) is required");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("incomplete trained original: "
          + String.join("; ", problems));
    }
    return new TrainedOriginal(model, initialWeights, budget, curve, finalLoss, plan,
        trainStrings, validationStrings, cacheKey);
  }
}
