package dev.ablation.samediff.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * How the original is trained: up to E epochs over the training strings in shuffled batches,
 * Adam (with its learning-rate schedule), and a validation evaluation every
 * {@code evaluateEvery} steps (and always before the first and after the last step). With a
 * {@link Convergence} rule training stops as soon as it holds; E is then the cap. With
 * {@code maxSteps > 0} it trains exactly that many steps instead, as many epochs as that takes
 * (E, the rule and the loss do not stop it; the rule's window still says how many evaluations
 * {@code L*} averages): a length fixed in advance, for comparing originals trained k times
 * longer than the rule would have.
 *
 * <p>Made by {@link #builder()}, one named setting at a time (eight positional numbers were
 * easy to swap, and the evaluation batch size and the evaluation interval are both ints), or by
 * {@link #of}. Immutable; its JSON (in every cached original's {@code original.json}) and its
 * {@link #toString()} (part of every cache key) are those of the record it was, so every
 * cached original still loads and keeps its key.
 */
@JsonPropertyOrder({"epochs", "batchSize", "adam", "evaluateEvery", "evaluationBatchSize",
    "shuffleSeed", "convergence", "maxSteps"})
public final class TrainingPlan {
  /** The evaluation interval of a plan that sets none, in steps. */
  static final int DEFAULT_EVALUATE_EVERY = 50;
  /** The evaluation batch size of a plan that sets none, in strings. */
  static final int DEFAULT_EVALUATION_BATCH_SIZE = 128;

  private final int epochs;
  private final int batchSize;
  private final AdamSettings adam;
  private final int evaluateEvery;
  private final int evaluationBatchSize;
  private final long shuffleSeed;
  private final Convergence convergence;
  private final long maxSteps;

  /** The values {@link TrainingPlanBuilder#build()} checked. */
  TrainingPlan(int epochs, int batchSize, AdamSettings adam, int evaluateEvery,
      int evaluationBatchSize, long shuffleSeed, Convergence convergence, long maxSteps) {
    this.epochs = epochs;
    this.batchSize = batchSize;
    this.adam = adam;
    this.evaluateEvery = evaluateEvery;
    this.evaluationBatchSize = evaluationBatchSize;
    this.shuffleSeed = shuffleSeed;
    this.convergence = convergence;
    this.maxSteps = maxSteps;
  }

  /**
   * A plan with nothing set. Required: {@link TrainingPlanBuilder#epochs},
   * {@link TrainingPlanBuilder#batchSize}, {@link TrainingPlanBuilder#adam},
   * {@link TrainingPlanBuilder#shuffleSeed}.
   */
  public static TrainingPlanBuilder builder() {
    return new TrainingPlanBuilder();
  }

  /** A builder holding this plan's values, each of which one call may replace. */
  public TrainingPlanBuilder toBuilder() {
    return new TrainingPlanBuilder(this);
  }

  /** E epochs at batch size B and learning rate lr; evaluate every 50 steps in batches of 128. */
  public static TrainingPlan of(int epochs, int batchSize, double learningRate, long seed) {
    return builder().epochs(epochs).batchSize(batchSize).adam(AdamSettings.of(learningRate))
        .shuffleSeed(seed).build();
  }

  /** The plan of a cached original's JSON, checked as the builder checks it. */
  @JsonCreator
  static TrainingPlan fromJson(@JsonProperty("epochs") int epochs,
      @JsonProperty("batchSize") int batchSize, @JsonProperty("adam") AdamSettings adam,
      @JsonProperty("evaluateEvery") int evaluateEvery,
      @JsonProperty("evaluationBatchSize") int evaluationBatchSize,
      @JsonProperty("shuffleSeed") long shuffleSeed,
      @JsonProperty("convergence") Convergence convergence,
      @JsonProperty("maxSteps") long maxSteps) {
    TrainingPlanBuilder b = builder().epochs(epochs).batchSize(batchSize).adam(adam)
        .evaluateEvery(evaluateEvery).evaluationBatchSize(evaluationBatchSize)
        .shuffleSeed(shuffleSeed).maxSteps(maxSteps);
    return (convergence == null ? b : b.convergence(convergence)).build();
  }

  /** E, ≥ 1: the epochs trained, or the cap with a {@link #convergence()} rule. */
  @JsonProperty("epochs")
  public int epochs() {
    return epochs;
  }

  /** Strings per step, ≥ 1. */
  @JsonProperty("batchSize")
  public int batchSize() {
    return batchSize;
  }

  /** The optimiser. */
  @JsonProperty("adam")
  public AdamSettings adam() {
    return adam;
  }

  /** Steps between validation evaluations, ≥ 1. */
  @JsonProperty("evaluateEvery")
  public int evaluateEvery() {
    return evaluateEvery;
  }

  /**
   * Strings per evaluation batch, ≥ 1; the training batch size keeps memory lowest (an
   * evaluation then reuses a step's cached arrays; at 8× the batch size the study held 0.5 GB
   * more at N = 8, D = 128), and the loss changes only in its rounding.
   */
  @JsonProperty("evaluationBatchSize")
  public int evaluationBatchSize() {
    return evaluationBatchSize;
  }

  /** The order of the strings in each epoch. */
  @JsonProperty("shuffleSeed")
  public long shuffleSeed() {
    return shuffleSeed;
  }

  /**
   * When to stop before the cap (with {@link #maxSteps()}: only its window, for {@code L*});
   * null: train all E epochs.
   */
  @JsonProperty("convergence")
  public Convergence convergence() {
    return convergence;
  }

  /**
   * The exact number of steps, ≥ 0; 0: epochs and convergence decide (and then left out of the
   * saved JSON and of {@link #toString()}, which is part of the cache key, so every existing
   * cache entry keeps its key).
   */
  @JsonProperty("maxSteps")
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public long maxSteps() {
    return maxSteps;
  }

  /** This, evaluating every {@code steps} steps. */
  public TrainingPlan evaluatingEvery(int steps) {
    return toBuilder().evaluateEvery(steps).build();
  }

  /** This, stopping when {@code c} holds (E the cap). */
  public TrainingPlan until(Convergence c) {
    return toBuilder().convergence(c).build();
  }

  /** This, training exactly {@code steps} steps (the rule stops nothing, E caps nothing). */
  public TrainingPlan forSteps(long steps) {
    return toBuilder().maxSteps(steps).build();
  }

  /** The evaluations {@code L*} averages: the convergence window, else the last one. */
  public int lossWindow() {
    return convergence == null ? 1 : convergence.window();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingPlan p && epochs == p.epochs && batchSize == p.batchSize
        && adam.equals(p.adam) && evaluateEvery == p.evaluateEvery
        && evaluationBatchSize == p.evaluationBatchSize && shuffleSeed == p.shuffleSeed
        && Objects.equals(convergence, p.convergence) && maxSteps == p.maxSteps;
  }

  @Override
  public int hashCode() {
    return Objects.hash(epochs, batchSize, adam, evaluateEvery, evaluationBatchSize, shuffleSeed,
        convergence, maxSteps);
  }

  /**
   * The record's text it was, {@code maxSteps} only when set: part of every cache key, so it
   * never changes (see {@link #maxSteps()}).
   */
  @Override
  public String toString() {
    return "TrainingPlan[epochs=" + epochs + ", batchSize=" + batchSize + ", adam=" + adam
        + ", evaluateEvery=" + evaluateEvery + ", evaluationBatchSize=" + evaluationBatchSize
        + ", shuffleSeed=" + shuffleSeed + ", convergence=" + convergence
        + (maxSteps > 0 ? ", maxSteps=" + maxSteps : "") + "]";
  }
}
