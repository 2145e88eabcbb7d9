package dev.ablation.api.recovery;

/**
 * How {@code T_ε} is read off a recovery's validation losses (docs/protocol.md, "T_ε"). Every
 * run's manifest names its rule ({@code t_eps_rule}), so runs judged by different rules are
 * never mixed.
 */
public enum StepRule {
  /**
   * Over evaluations: the criterion's smoothed loss (a moving average of its window of
   * evaluations) at or under the target for its required streak; {@code T_ε} is the evaluation
   * where the streak began, so it is only as fine as the evaluation schedule.
   */
  EVALUATIONS("evaluations"),
  /**
   * To the step: {@code T_ε} is the first step whose raw validation loss, and that of the step
   * after it, are at or under the target (no smoothing across gaps). A loop that keeps copies of
   * the trainable weights since its last evaluation ({@link StepSearch}) finds that step exactly
   * by searching the copies once an evaluation meets the target; a loop that keeps none resolves
   * it to its evaluation schedule (the first evaluated step at the target, confirmed by the
   * next evaluation). Patience is counted in steps.
   */
  CONFIRMED_STEP("confirmed_step");

  /** The manifest's configuration key naming the rule. */
  public static final String MANIFEST_KEY = "t_eps_rule";

  private final String key;

  StepRule(String key) {
    this.key = key;
  }

  /** The rule's name in manifests and files. */
  public String key() {
    return key;
  }
}
