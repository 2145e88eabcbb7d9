package dev.ablation.api.recovery;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.internal.SetOnce;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link RecoveryCriterion.Threshold} one setting at a time. Each setting is checked where it
 * is given and may be given once: a second call fails naming it (a helper's default silently
 * replaced by an override hides which value a run used). Settings copied by
 * {@link RecoveryCriterion.Threshold#toBuilder()} may each be replaced once. {@link #build()}
 * checks the one combination that can be wrong: the {@link StepRule#CONFIRMED_STEP} rule judges
 * raw losses, so it takes no smoothing and no streak.
 */
public final class ThresholdBuilder {
  final Target target;
  int window = 1;
  int required = 1;
  int patience;
  double minImprovement;
  double divergenceBound = Double.POSITIVE_INFINITY;
  double divergenceFactor = Double.POSITIVE_INFINITY;
  StepRule rule = StepRule.EVALUATIONS;
  List<Target> recorded = List.of();
  private final SetOnce<String> given = SetOnce.byToString();

  ThresholdBuilder(Target target) {
    if (target == null) {
      throw new IllegalArgumentException("target is required");
    }
    this.target = target;
  }

  ThresholdBuilder(RecoveryCriterion.Threshold t) {
    target = t.target();
    window = t.window();
    required = t.required();
    patience = t.patience();
    minImprovement = t.minImprovement();
    divergenceBound = t.divergenceBound();
    divergenceFactor = t.divergenceFactor();
    rule = t.rule();
    recorded = t.recorded();
  }

  /** Evaluations in the moving average, {@code > 0} (1: none). */
  public ThresholdBuilder window(int n) {
    Checks.positive("smoothing window", n);
    given.give("smoothing window", window);
    window = n;
    return this;
  }

  /** Consecutive smoothed evaluations at or under target to recover, {@code > 0}. */
  public ThresholdBuilder required(int n) {
    Checks.positive("required evaluations", n);
    given.give("required evaluations", required);
    required = n;
    return this;
  }

  /** Evaluations (steps, under {@link StepRule#CONFIRMED_STEP}) before a plateau; 0: none. */
  public ThresholdBuilder patience(int n) {
    Checks.nonNegative("patience", n);
    given.give("patience", patience);
    patience = n;
    return this;
  }

  /** Nats that count as an improvement, finite and {@code >= 0}. */
  public ThresholdBuilder minImprovement(double nats) {
    Checks.nonNegativeFinite("minImprovement", nats);
    given.give("minImprovement", minImprovement);
    minImprovement = nats;
    return this;
  }

  /** Diverged above this loss in nats, {@code > 0}. */
  public ThresholdBuilder divergenceBound(double nats) {
    if (!(nats > 0)) {
      throw new IllegalArgumentException("divergence bound must be > 0, got " + nats);
    }
    given.give("divergence bound", divergenceBound);
    divergenceBound = nats;
    return this;
  }

  /** Diverged above this multiple of {@code L₀}, {@code > 1}. */
  public ThresholdBuilder divergenceFactor(double factor) {
    if (!(factor > 1)) {
      throw new IllegalArgumentException("divergence factor must be > 1, got " + factor);
    }
    given.give("divergence factor", divergenceFactor);
    divergenceFactor = factor;
    return this;
  }

  /** How {@code T_ε} is read off the losses. */
  public ThresholdBuilder rule(StepRule r) {
    if (r == null) {
      throw new IllegalArgumentException("rule is required, one of "
          + Arrays.toString(StepRule.values()));
    }
    given.give("rule", rule);
    rule = r;
    return this;
  }

  /** Looser targets whose first step the run also finds; they decide nothing. */
  public ThresholdBuilder recorded(List<Target> targets) {
    if (targets == null) {
      throw new IllegalArgumentException("recorded targets must not be null; List.of()"
          + " records none");
    }
    given.give("recorded targets", recorded);
    recorded = ImmutableList.copyOf(targets);
    return this;
  }

  /**
   * The criterion.
   *
   * @throws IllegalArgumentException if the {@link StepRule#CONFIRMED_STEP} rule is given
   *     a smoothing window or a streak other than 1
   */
  public RecoveryCriterion.Threshold build() {
    if (rule == StepRule.CONFIRMED_STEP && (window != 1 || required != 1)) {
      throw new IllegalArgumentException("the " + rule.key() + " rule judges raw losses: "
          + "smoothing window and required streak must be 1, got " + window + " and "
          + required);
    }
    return new RecoveryCriterion.Threshold(this);
  }
}
