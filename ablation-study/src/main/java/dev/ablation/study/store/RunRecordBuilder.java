package dev.ablation.study.store;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.internal.SetOnce;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RunManifest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A record one value at a time, each set once. A null fails at its call (absent values are
 * empty optionals); {@link #build()} then names every required value not set, in one
 * message. {@code position} is required although it may be empty: a block run that forgot it
 * would be written as a composite one.
 */
public final class RunRecordBuilder {
  private final SetOnce<Setting> set = SetOnce.byToString();
  StudyRow row;
  OptionalInt position;
  double targetLoss;
  Optional<BudgetCap> budgetCap = Optional.empty();
  long stepsSpent;
  long examplesSpent;
  Optional<Fidelity> finalFidelity = Optional.empty();
  List<CurvePoint> curve;
  RunManifest manifest;
  List<CurvePoint> originalCurve = ImmutableList.of();
  Optional<FidelityAt> targetFidelity = Optional.empty();

  RunRecordBuilder() {}

  RunRecordBuilder(RunRecord r) {
    row = r.row();
    position = r.position();
    targetLoss = r.targetLoss();
    budgetCap = r.budgetCap();
    stepsSpent = r.stepsSpent();
    examplesSpent = r.examplesSpent();
    finalFidelity = r.finalFidelity();
    curve = r.curve();
    manifest = r.manifest();
    originalCurve = r.originalCurve();
    targetFidelity = r.targetFidelity();
    set.copied(EnumSet.allOf(Setting.class));
  }

  /** Required: the CSV row. */
  public RunRecordBuilder row(StudyRow v) {
    row = set.setNonNull(Setting.ROW, v);
    return this;
  }

  /** Required: the block index {@code L}, empty for composite targets. */
  public RunRecordBuilder position(OptionalInt v) {
    position = set.setOptional(Setting.POSITION, v);
    return this;
  }

  /** Required: the loss the criterion asked for. */
  public RunRecordBuilder targetLoss(double v) {
    targetLoss = v;
    set.give(Setting.TARGET_LOSS);
    return this;
  }

  /** The cap that ended it, when the budget did; default empty. */
  public RunRecordBuilder budgetCap(Optional<BudgetCap> v) {
    budgetCap = set.setOptional(Setting.BUDGET_CAP, v);
    return this;
  }

  /** Required: recovery steps taken in all. */
  public RunRecordBuilder stepsSpent(long v) {
    stepsSpent = v;
    set.give(Setting.STEPS_SPENT);
    return this;
  }

  /** Required: examples seen in all. */
  public RunRecordBuilder examplesSpent(long v) {
    examplesSpent = v;
    set.give(Setting.EXAMPLES_SPENT);
    return this;
  }

  /** Top-1 agreement and KL to the original at the end, when computed; default empty. */
  public RunRecordBuilder finalFidelity(Optional<Fidelity> v) {
    finalFidelity = set.setOptional(Setting.FINAL_FIDELITY, v);
    return this;
  }

  /** Required: the evaluations, the first at step 0 (copied). */
  public RunRecordBuilder curve(List<CurvePoint> v) {
    curve = set.set(Setting.CURVE, ImmutableList.copyOf(set.nonNull(Setting.CURVE, v)));
    return this;
  }

  /** Required: what produced the run. */
  public RunRecordBuilder manifest(RunManifest v) {
    manifest = set.setNonNull(Setting.MANIFEST, v);
    return this;
  }

  /** The original's own validation curve (copied); default empty: unknown. */
  public RunRecordBuilder originalCurve(List<CurvePoint> v) {
    originalCurve = set.set(Setting.ORIGINAL_CURVE,
        ImmutableList.copyOf(set.nonNull(Setting.ORIGINAL_CURVE, v)));
    return this;
  }

  /**
   * Fidelity where the target was confirmed, for a run that trained past it; default empty:
   * the run stopped at its verdict.
   */
  public RunRecordBuilder targetFidelity(Optional<FidelityAt> v) {
    targetFidelity = set.setOptional(Setting.TARGET_FIDELITY, v);
    return this;
  }

  /**
   * The record.
   *
   * @throws IllegalArgumentException naming every required value not set, in one message
   */
  public RunRecord build() {
    List<String> p = new ArrayList<>();
    set.requireAll(Setting.REQUIRED, p);
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
    return new RunRecord(this);
  }

  /** The settings of a {@link RunRecordBuilder}, named as its methods are. */
  private enum Setting {
    ROW("row"), POSITION("position"), TARGET_LOSS("targetLoss"), BUDGET_CAP("budgetCap"),
    STEPS_SPENT("stepsSpent"), EXAMPLES_SPENT("examplesSpent"),
    FINAL_FIDELITY("finalFidelity"), CURVE("curve"), MANIFEST("manifest"),
    ORIGINAL_CURVE("originalCurve"), TARGET_FIDELITY("targetFidelity");

    /** Those without which a record is not one: every value that is not optional. */
    static final Set<Setting> REQUIRED = EnumSet.of(ROW, POSITION, TARGET_LOSS, STEPS_SPENT,
        EXAMPLES_SPENT, CURVE, MANIFEST);

    private final String method;

    Setting(String method) {
      this.method = method;
    }

    @Override
    public String toString() {
      return method;
    }
  }
}
