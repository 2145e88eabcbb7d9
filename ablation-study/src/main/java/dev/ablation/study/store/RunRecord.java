package dev.ablation.study.store;

import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.RunKey;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RunManifest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Everything the study keeps of one run: its CSV row, and what only {@code results.json}
 * holds — the curve, the manifest, where it stopped and why.
 *
 * @param row the CSV row
 * @param position the block index {@code L}, empty for composite targets
 * @param targetLoss the loss the criterion asked for
 * @param budgetCap the cap that ended it, when the budget did
 * @param stepsSpent recovery steps taken in all
 * @param examplesSpent examples seen in all
 * @param finalFidelity top-1 agreement and KL to the original at the end, when computed
 * @param curve the evaluations, the first at step 0
 * @param manifest what produced the run
 * @param originalCurve the original's own validation curve (for {@code T_orig} and the
 *     report's plot that it was flat at the end); empty when unknown
 * @param targetFidelity agreement with and KL to the original where the target was confirmed,
 *     for a run that trained past it ({@code --past-target}); else empty
 */
public record RunRecord(StudyRow row, OptionalInt position, double targetLoss,
    Optional<BudgetCap> budgetCap, long stepsSpent, long examplesSpent,
    Optional<Fidelity> finalFidelity, List<CurvePoint> curve, RunManifest manifest,
    List<CurvePoint> originalCurve, Optional<FidelityAt> targetFidelity) {

  /** Validates and copies. */
  public RunRecord {
    if (row == null || position == null || budgetCap == null || finalFidelity == null
        || curve == null || manifest == null || originalCurve == null
        || targetFidelity == null) {
      throw new IllegalArgumentException("run record fields must not be null; use empty optionals");
    }
    curve = ImmutableList.copyOf(curve);
    originalCurve = ImmutableList.copyOf(originalCurve);
  }

  /** A record of a run that stopped at its verdict (no fidelity at the target). */
  public RunRecord(StudyRow row, OptionalInt position, double targetLoss,
      Optional<BudgetCap> budgetCap, long stepsSpent, long examplesSpent,
      Optional<Fidelity> finalFidelity, List<CurvePoint> curve, RunManifest manifest,
      List<CurvePoint> originalCurve) {
    this(row, position, targetLoss, budgetCap, stepsSpent, examplesSpent, finalFidelity, curve,
        manifest, originalCurve, Optional.empty());
  }

  /** The record of {@code result} for the run {@code key} of {@code request} on {@code original}. */
  public static RunRecord of(RunKey key, RecoveryRequest request, RecoveryResult result,
      OptionalLong examplesScratch, Original original) {
    return new RunRecord(StudyRow.of(key, result, examplesScratch, original),
        request.target().position(), result.targetLoss(), result.budgetCap(),
        result.spent().steps(), result.spent().examples(), result.finalFidelity(),
        result.curve(), result.manifest(), original.curve(), result.targetFidelity());
  }

  /** The run's key. */
  public RunKey key() {
    return row.key();
  }
}
