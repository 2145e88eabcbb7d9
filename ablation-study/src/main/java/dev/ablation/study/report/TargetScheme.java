package dev.ablation.study.report;

import dev.ablation.api.ReinitScheme;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.plan.WipeTarget;

/**
 * A target and a scheme, across policies and rates: the grouping of step-0 quantities
 * (damage, deleted loss), which no policy or rate can change.
 */
record TargetScheme(WipeTarget target, ReinitScheme scheme) {
  static TargetScheme of(RunRecord r) {
    return new TargetScheme(r.key().target(), r.key().scheme());
  }
}
