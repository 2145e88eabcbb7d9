package dev.ablation.api.recovery;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * Charges one run's spending against a {@link TrainingBudget}. A step is charged before it
 * runs and only if it fits, so spending never exceeds a countable cap — caps are exact. Wall
 * time cannot be charged ahead; it is exhausted once the clock reaches it. Not thread-safe.
 */
public final class BudgetMeter {
  private final TrainingBudget budget;
  private final ReferenceCost reference;
  private final Ticker ticker;
  private final long startNanos;
  private final long exampleCap;
  private long steps;
  private long examples;
  private long tokens;
  private double flops;

  BudgetMeter(TrainingBudget budget, ReferenceCost reference, Ticker ticker) {
    if (budget == null || reference == null || ticker == null) {
      throw new IllegalArgumentException("budget, reference and ticker are required");
    }
    this.budget = budget;
    this.reference = reference;
    this.ticker = ticker;
    this.startNanos = ticker.read();
    this.exampleCap = budget.exampleCap(reference);
  }

  /**
   * Charges {@code cost} if it fits under every cap and the time is not up.
   *
   * @return whether it was charged; when false nothing changed and {@link #exhaustedBy()} says
   *     why
   */
  public boolean tryCharge(Cost cost) {
    if (blockingCap(cost).isPresent()) {
      return false;
    }
    steps += cost.steps();
    examples += cost.examples();
    tokens += cost.tokens();
    flops += cost.flops();
    return true;
  }

  /** The cap that {@code cost} would break, if any. */
  public Optional<BudgetCap> blockingCap(Cost cost) {
    if (wallTime().compareTo(budget.maxWallTime()) >= 0) {
      return Optional.of(BudgetCap.WALL_TIME);
    }
    if (cost.steps() > budget.maxSteps() - steps) {
      return Optional.of(BudgetCap.STEPS);
    }
    if (cost.examples() > exampleCap - examples) {
      return Optional.of(BudgetCap.EXAMPLES);
    }
    if (cost.tokens() > budget.maxTokens() - tokens) {
      return Optional.of(BudgetCap.TOKENS);
    }
    if (flops + cost.flops() > budget.maxFlops()) {
      return Optional.of(BudgetCap.FLOPS);
    }
    return Optional.empty();
  }

  /** The cap that is spent (reached exactly), if any. */
  public Optional<BudgetCap> exhaustedBy() {
    if (wallTime().compareTo(budget.maxWallTime()) >= 0) {
      return Optional.of(BudgetCap.WALL_TIME);
    }
    if (steps >= budget.maxSteps()) {
      return Optional.of(BudgetCap.STEPS);
    }
    if (examples >= exampleCap) {
      return Optional.of(BudgetCap.EXAMPLES);
    }
    if (tokens >= budget.maxTokens()) {
      return Optional.of(BudgetCap.TOKENS);
    }
    if (flops >= budget.maxFlops()) {
      return Optional.of(BudgetCap.FLOPS);
    }
    return Optional.empty();
  }

  /** Elapsed time since the meter started. */
  public Duration wallTime() {
    return Duration.ofNanos(Math.max(0, ticker.read() - startNanos));
  }

  /** Everything spent so far. */
  public Spending spent() {
    return new Spending(steps, examples, tokens, flops, wallTime());
  }

  /** Examples spent as a fraction of the reference {@code S × E}. */
  public double fractionOfReference() {
    return (double) examples / reference.examples();
  }

  /** The reference this meter reports against. */
  public ReferenceCost reference() {
    return reference;
  }

  /** The budget it enforces. */
  public TrainingBudget budget() {
    return budget;
  }
}
