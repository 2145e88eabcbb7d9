package dev.ablation.samediff.train;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 * @param epochs E, ≥ 1
 * @param batchSize strings per step, ≥ 1
 * @param adam the optimiser
 * @param evaluateEvery steps between validation evaluations, ≥ 1
 * @param evaluationBatchSize strings per evaluation batch, ≥ 1; the training batch size keeps
 *     memory lowest (an evaluation then reuses a step's cached arrays; at 8× the batch size
 *     the study held 0.5 GB more at N = 8, D = 128), and the loss changes only in its rounding
 * @param shuffleSeed the order of the strings in each epoch
 * @param convergence when to stop before the cap (with {@code maxSteps}: only its window, for
 *     {@code L*}); null: train all E epochs
 * @param maxSteps the exact number of steps, ≥ 0; 0: epochs and convergence decide (and then
 *     left out of the saved JSON and of {@link #toString()}, which is part of the cache key, so
 *     every existing cache entry keeps its key)
 */
public record TrainingPlan(int epochs, int batchSize, AdamSettings adam, int evaluateEvery,
    int evaluationBatchSize, long shuffleSeed, Convergence convergence,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long maxSteps) {

  /** A plan that stops when {@code convergence} holds or after E epochs. */
  public TrainingPlan(int epochs, int batchSize, AdamSettings adam, int evaluateEvery,
      int evaluationBatchSize, long shuffleSeed, Convergence convergence) {
    this(epochs, batchSize, adam, evaluateEvery, evaluationBatchSize, shuffleSeed, convergence,
        0);
  }

  /** A plan that trains all {@code epochs}. */
  public TrainingPlan(int epochs, int batchSize, AdamSettings adam, int evaluateEvery,
      int evaluationBatchSize, long shuffleSeed) {
    this(epochs, batchSize, adam, evaluateEvery, evaluationBatchSize, shuffleSeed, null);
  }

  /** Validates, naming the bad value. */
  public TrainingPlan {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (adam == null) {
      throw new IllegalArgumentException("adam settings are required");
    }
    if (evaluateEvery < 1) {
      throw new IllegalArgumentException("evaluateEvery must be >= 1, got " + evaluateEvery);
    }
    if (evaluationBatchSize < 1) {
      throw new IllegalArgumentException("evaluation batch size must be >= 1, got "
          + evaluationBatchSize);
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("max steps must be >= 0 (0: until converged), got "
          + maxSteps);
    }
  }

  /** E epochs at batch size B and learning rate lr; evaluate every 50 steps in batches of 128. */
  public static TrainingPlan of(int epochs, int batchSize, double learningRate, long seed) {
    return new TrainingPlan(epochs, batchSize, AdamSettings.of(learningRate), 50, 128, seed);
  }

  /** This, evaluating every {@code steps} steps. */
  public TrainingPlan evaluatingEvery(int steps) {
    return new TrainingPlan(epochs, batchSize, adam, steps, evaluationBatchSize, shuffleSeed,
        convergence, maxSteps);
  }

  /** This, stopping when {@code c} holds (E the cap). */
  public TrainingPlan until(Convergence c) {
    return new TrainingPlan(epochs, batchSize, adam, evaluateEvery, evaluationBatchSize,
        shuffleSeed, c, maxSteps);
  }

  /** This, training exactly {@code steps} steps (the rule stops nothing, E caps nothing). */
  public TrainingPlan forSteps(long steps) {
    return new TrainingPlan(epochs, batchSize, adam, evaluateEvery, evaluationBatchSize,
        shuffleSeed, convergence, steps);
  }

  /** The record's own text, {@code maxSteps} only when set: see {@link #maxSteps()}. */
  @Override
  public String toString() {
    return "TrainingPlan[epochs=" + epochs + ", batchSize=" + batchSize + ", adam=" + adam
        + ", evaluateEvery=" + evaluateEvery + ", evaluationBatchSize=" + evaluationBatchSize
        + ", shuffleSeed=" + shuffleSeed + ", convergence=" + convergence
        + (maxSteps > 0 ? ", maxSteps=" + maxSteps : "") + "]";
  }

  /** The evaluations {@code L*} averages: the convergence window, else the last one. */
  public int lossWindow() {
    return convergence == null ? 1 : convergence.window();
  }
}
