package dev.ablation.study.store;

import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.RunKey;

import com.google.common.base.MoreObjects;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RunManifest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Everything the study keeps of one run: its CSV row, and what only {@code results.json}
 * holds — the curve, the manifest, where it stopped and why.
 *
 * <p>Built by name ({@link #builder()}) rather than by position: eleven values, two of them
 * curves and four of them optional, read back from a file or gathered from a result, are too
 * easy to pass in the wrong place or to leave out unseen. The JSON is {@link RecordJson}'s,
 * written field by field, so this class's shape is not the file's.
 */
public final class RunRecord {
  private final StudyRow row;
  private final OptionalInt position;
  private final double targetLoss;
  private final Optional<BudgetCap> budgetCap;
  private final long stepsSpent;
  private final long examplesSpent;
  private final Optional<Fidelity> finalFidelity;
  private final List<CurvePoint> curve;
  private final RunManifest manifest;
  private final List<CurvePoint> originalCurve;
  private final Optional<FidelityAt> targetFidelity;

  RunRecord(RunRecordBuilder b) {
    row = b.row;
    position = b.position;
    targetLoss = b.targetLoss;
    budgetCap = b.budgetCap;
    stepsSpent = b.stepsSpent;
    examplesSpent = b.examplesSpent;
    finalFidelity = b.finalFidelity;
    curve = b.curve;
    manifest = b.manifest;
    originalCurve = b.originalCurve;
    targetFidelity = b.targetFidelity;
  }

  /**
   * An empty builder. Required: {@code row}, {@code position}, {@code targetLoss},
   * {@code stepsSpent}, {@code examplesSpent}, {@code curve}, {@code manifest}; the budget cap,
   * the fidelities and the original's curve are empty until set.
   */
  public static RunRecordBuilder builder() {
    return new RunRecordBuilder();
  }

  /** A builder holding this record's values, each of which one call may replace. */
  public RunRecordBuilder toBuilder() {
    return new RunRecordBuilder(this);
  }

  /** The record of {@code result} for the run {@code key} of {@code request} on {@code original}. */
  public static RunRecord of(RunKey key, RecoveryRequest request, RecoveryResult result,
      OptionalLong examplesScratch, OriginalRecord original) {
    return builder().row(StudyRow.of(key, result, examplesScratch, original))
        .position(request.target().position()).targetLoss(result.targetLoss())
        .budgetCap(result.budgetCap()).stepsSpent(result.spent().steps())
        .examplesSpent(result.spent().examples()).finalFidelity(result.finalFidelity())
        .curve(result.curve()).manifest(result.manifest()).originalCurve(original.curve())
        .targetFidelity(result.targetFidelity()).build();
  }

  /** The run's key. */
  public RunKey key() {
    return row.key();
  }

  /** The CSV row. */
  public StudyRow row() {
    return row;
  }

  /** The block index {@code L}, empty for composite targets. */
  public OptionalInt position() {
    return position;
  }

  /** The loss the criterion asked for. */
  public double targetLoss() {
    return targetLoss;
  }

  /** The cap that ended it, when the budget did. */
  public Optional<BudgetCap> budgetCap() {
    return budgetCap;
  }

  /** Recovery steps taken in all. */
  public long stepsSpent() {
    return stepsSpent;
  }

  /** Examples seen in all. */
  public long examplesSpent() {
    return examplesSpent;
  }

  /** Top-1 agreement and KL to the original at the end, when computed. */
  public Optional<Fidelity> finalFidelity() {
    return finalFidelity;
  }

  /** The evaluations, the first at step 0 (immutable). */
  public List<CurvePoint> curve() {
    return curve;
  }

  /** What produced the run. */
  public RunManifest manifest() {
    return manifest;
  }

  /**
   * The original's own validation curve (for {@code T_orig} and the report's plot that it was
   * flat at the end); empty when unknown (immutable).
   */
  public List<CurvePoint> originalCurve() {
    return originalCurve;
  }

  /**
   * Agreement with and KL to the original where the target was confirmed, for a run that
   * trained past it ({@code --past-target}); else empty.
   */
  public Optional<FidelityAt> targetFidelity() {
    return targetFidelity;
  }

  /** Equal values, {@code targetLoss} compared as {@link Double#compare} does. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RunRecord r)) {
      return false;
    }
    return row.equals(r.row) && position.equals(r.position)
        && Double.compare(targetLoss, r.targetLoss) == 0 && budgetCap.equals(r.budgetCap)
        && stepsSpent == r.stepsSpent && examplesSpent == r.examplesSpent
        && finalFidelity.equals(r.finalFidelity) && curve.equals(r.curve)
        && manifest.equals(r.manifest) && originalCurve.equals(r.originalCurve)
        && targetFidelity.equals(r.targetFidelity);
  }

  @Override
  public int hashCode() {
    return Objects.hash(row, position, targetLoss, budgetCap, stepsSpent, examplesSpent,
        finalFidelity, curve, manifest, originalCurve, targetFidelity);
  }

  @Override
  public String toString() {
    return MoreObjects.toStringHelper(this).add("row", row).add("position", position)
        .add("targetLoss", targetLoss).add("budgetCap", budgetCap)
        .add("stepsSpent", stepsSpent).add("examplesSpent", examplesSpent)
        .add("finalFidelity", finalFidelity).add("curve", curve).add("manifest", manifest)
        .add("originalCurve", originalCurve).add("targetFidelity", targetFidelity).toString();
  }


}
