package dev.ablation.api.recovery;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything one recovery run measured, with the manifest that produced it.
 *
 * @param verdict how it ended
 * @param budgetCap the cap that ended it when {@link Verdict#BUDGET_EXHAUSTED}
 * @param damage step-0 damage: {@code L*}, {@code L₀}, deleted-layer loss
 * @param targetLoss the loss the criterion asked for
 * @param curve one point per evaluation, the first at step 0
 * @param recoveredAt spending up to the evaluation where recovery was reached ({@code T_ε})
 * @param spent total spending, including evaluations after {@code T_ε} and the last step
 * @param reference the original's budget {@code S × E}
 * @param lossFinal the last finite validation loss
 * @param divergence where it diverged, when it did
 * @param finalFidelity agreement with and KL to the original at the end, when computed
 * @param manifest configuration, seeds and environment
 * @param targetFidelity agreement with and KL to the original where the target was confirmed,
 *     measured only by a run that trained past it ({@link RecoverySettings#horizonSteps()})
 */
public record RecoveryResult(
    Verdict verdict,
    Optional<BudgetCap> budgetCap,
    Damage damage,
    double targetLoss,
    List<CurvePoint> curve,
    Optional<Spending> recoveredAt,
    Spending spent,
    ReferenceBudget reference,
    double lossFinal,
    Optional<Divergence> divergence,
    Optional<Fidelity> finalFidelity,
    RunManifest manifest,
    Optional<FidelityAt> targetFidelity) {

  /** Validates consistency between the verdict and what it implies. */
  public RecoveryResult {
    if (verdict == null || damage == null || curve == null || spent == null || reference == null
        || manifest == null || budgetCap == null || recoveredAt == null || divergence == null
        || finalFidelity == null || targetFidelity == null) {
      throw new IllegalArgumentException("RecoveryResult fields must not be null; use Optional");
    }
    if ((verdict == Verdict.RECOVERED) != recoveredAt.isPresent()) {
      throw new IllegalArgumentException("recoveredAt must be present exactly when RECOVERED, got "
          + verdict + " with " + recoveredAt);
    }
    if ((verdict == Verdict.DIVERGED) != divergence.isPresent()) {
      throw new IllegalArgumentException("divergence must be present exactly when DIVERGED");
    }
    if ((verdict == Verdict.BUDGET_EXHAUSTED) != budgetCap.isPresent()) {
      throw new IllegalArgumentException("budgetCap must be present exactly when BUDGET_EXHAUSTED");
    }
    curve = ImmutableList.copyOf(curve);
  }

  /** A result of a run that stopped at its verdict (no fidelity at the target). */
  public RecoveryResult(Verdict verdict, Optional<BudgetCap> budgetCap, Damage damage,
      double targetLoss, List<CurvePoint> curve, Optional<Spending> recoveredAt, Spending spent,
      ReferenceBudget reference, double lossFinal, Optional<Divergence> divergence,
      Optional<Fidelity> finalFidelity, RunManifest manifest) {
    this(verdict, budgetCap, damage, targetLoss, curve, recoveredAt, spent, reference, lossFinal,
        divergence, finalFidelity, manifest, Optional.empty());
  }

  /** The same result with {@code m} as its manifest. */
  public RecoveryResult withManifest(RunManifest m) {
    return new RecoveryResult(verdict, budgetCap, damage, targetLoss, curve, recoveredAt, spent,
        reference, lossFinal, divergence, finalFidelity, m, targetFidelity);
  }

  /** {@code ρ = T_ε / (S × E)} in examples; empty unless {@link Verdict#RECOVERED}. */
  public OptionalDouble rho() {
    return recoveredAt.map(s -> OptionalDouble.of(s.fractionOf(reference)))
        .orElse(OptionalDouble.empty());
  }

  /** The normalised recovery {@code r(t) = (L₀ − L(t)) / (L₀ − L*)} of each curve point. */
  public double[] normalisedRecovery() {
    Baseline b = new Baseline(damage.lossOriginal(),
        Double.isFinite(damage.lossAfterWipe()) ? damage.lossAfterWipe() : Double.MAX_VALUE);
    return curve.stream().mapToDouble(p -> b.normalisedRecovery(p.loss())).toArray();
  }
}
