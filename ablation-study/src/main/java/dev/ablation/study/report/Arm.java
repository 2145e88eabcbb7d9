package dev.ablation.study.report;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.study.plan.Numbers;
import dev.ablation.study.store.RunRecord;

/**
 * One treatment, (scheme, freeze policy, recovery-rate multiple): what a cell's seeds share
 * besides the shape and the target. Grouped by value, never by its text.
 */
record Arm(ReinitScheme scheme, FreezePolicy freeze, double lr) {
  static Arm of(RunRecord r) {
    return new Arm(r.key().scheme(), r.key().freeze(), r.key().lrMultiple());
  }

  /** Whether this is the question's policy (only the wiped layer trains): listed first. */
  boolean question() {
    return freeze instanceof FreezePolicy.OnlyWiped;
  }

  @Override
  public String toString() {
    return scheme + " / " + freeze.key() + (lr == 1.0 ? "" : " / lr " + mult(lr) + "x");
  }

  /** A learning-rate multiple as the command line takes it: {@code 0.3}, {@code 1}. */
  static String mult(double m) {
    return Numbers.format(m);
  }
}
