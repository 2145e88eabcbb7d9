package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import dev.ablation.study.plan.WipeTarget;

/**
 * A cell: one shape, one target, one arm; its runs are the seeds. The unit every {@code ρ} of
 * the report is estimated over (nothing is pooled across cells).
 */
record CellKey(Shape shape, WipeTarget target, Arm arm) {
  static CellKey of(RunRecord r) {
    return new CellKey(Shape.of(r.key()), r.key().target(), Arm.of(r));
  }

  /** {@code decoder N=4 D=32 blocks.0}: where the cell sits, for sentences. */
  String label() {
    return shape + " " + target.label();
  }
}
