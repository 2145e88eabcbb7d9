package dev.ablation.api.recovery;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything one recovery run measured, with the manifest that produced it.
 *
 * <p>Made by {@link #builder()} (the {@link RecoveryMonitor} makes it at the end of a run): a
 * class rather than a record of thirteen components because thirteen positional arguments, four
 * of them {@code Optional} and two of them {@code double}, are too easy to give in the wrong
 * order. The way a run ended is given once, with what it implies ({@code recovered(at)},
 * {@code diverged(where)}, {@code budgetExhausted(cap)}, {@code plateaued()},
 * {@code undamaged()}), so {@link #recoveredAt()}, {@link #divergence()} and
 * {@link #budgetCap()} are present exactly for their verdict and a result cannot be half
 * filled. The accessors keep the record's names.
 */
public final class RecoveryResult {
  private final Verdict verdict;
  private final BudgetCap budgetCap;
  private final Damage damage;
  private final double targetLoss;
  private final List<CurvePoint> curve;
  private final Spending recoveredAt;
  private final Spending spent;
  private final ReferenceCost reference;
  private final double lossFinal;
  private final Divergence divergence;
  private final Fidelity finalFidelity;
  private final RunManifest manifest;
  private final FidelityAt targetFidelity;

  /** Built by {@link RecoveryResultBuilder#build()}, which has checked every value. */
  RecoveryResult(Verdict verdict, BudgetCap budgetCap, Damage damage, double targetLoss,
      List<CurvePoint> curve, Spending recoveredAt, Spending spent, ReferenceCost reference,
      double lossFinal, Divergence divergence, Fidelity finalFidelity, RunManifest manifest,
      FidelityAt targetFidelity) {
    this.verdict = verdict;
    this.budgetCap = budgetCap;
    this.damage = damage;
    this.targetLoss = targetLoss;
    this.curve = ImmutableList.copyOf(curve);
    this.recoveredAt = recoveredAt;
    this.spent = spent;
    this.reference = reference;
    this.lossFinal = lossFinal;
    this.divergence = divergence;
    this.finalFidelity = finalFidelity;
    this.manifest = manifest;
    this.targetFidelity = targetFidelity;
  }

  /** An empty builder; see {@link RecoveryResultBuilder} for what is required. */
  public static RecoveryResultBuilder builder() {
    return new RecoveryResultBuilder();
  }

  /** A builder holding this result's values, each of which may be replaced once. */
  public RecoveryResultBuilder toBuilder() {
    return new RecoveryResultBuilder(this);
  }

  /** How it ended. */
  public Verdict verdict() {
    return verdict;
  }

  /** The cap that ended it; present exactly when {@link Verdict#BUDGET_EXHAUSTED}. */
  public Optional<BudgetCap> budgetCap() {
    return Optional.ofNullable(budgetCap);
  }

  /** Step-0 damage: {@code L*}, {@code L₀}, deleted-layer loss. */
  public Damage damage() {
    return damage;
  }

  /** The loss the criterion asked for (NaN when no criterion judged the run). */
  public double targetLoss() {
    return targetLoss;
  }

  /** One point per evaluation, the first at step 0. */
  public List<CurvePoint> curve() {
    return curve;
  }

  /**
   * Spending up to the evaluation where recovery was reached ({@code T_ε}); present exactly
   * when {@link Verdict#RECOVERED}.
   */
  public Optional<Spending> recoveredAt() {
    return Optional.ofNullable(recoveredAt);
  }

  /** Total spending, including evaluations after {@code T_ε} and the last step. */
  public Spending spent() {
    return spent;
  }

  /** The original's budget {@code S × E}. */
  public ReferenceCost reference() {
    return reference;
  }

  /** The last finite validation loss. */
  public double lossFinal() {
    return lossFinal;
  }

  /** Where it diverged; present exactly when {@link Verdict#DIVERGED}. */
  public Optional<Divergence> divergence() {
    return Optional.ofNullable(divergence);
  }

  /** Agreement with and KL to the original at the end, when computed. */
  public Optional<Fidelity> finalFidelity() {
    return Optional.ofNullable(finalFidelity);
  }

  /** Configuration, seeds and environment. */
  public RunManifest manifest() {
    return manifest;
  }

  /**
   * Agreement with and KL to the original where the target was confirmed, measured only by a
   * run that trained past it ({@link RecoverySettings#horizonSteps()}).
   */
  public Optional<FidelityAt> targetFidelity() {
    return Optional.ofNullable(targetFidelity);
  }

  /** The same result with {@code m} as its manifest. */
  public RecoveryResult withManifest(RunManifest m) {
    return toBuilder().manifest(m).build();
  }

  /** {@code ρ = T_ε / (S × E)} in examples; empty unless {@link Verdict#RECOVERED}. */
  public OptionalDouble rho() {
    return recoveredAt().map(s -> OptionalDouble.of(s.fractionOf(reference)))
        .orElse(OptionalDouble.empty());
  }

  /** The normalised recovery {@code r(t) = (L₀ − L(t)) / (L₀ − L*)} of each curve point. */
  public double[] normalisedRecovery() {
    Baseline b = new Baseline(damage.lossOriginal(),
        Double.isFinite(damage.lossAfterWipe()) ? damage.lossAfterWipe() : Double.MAX_VALUE);
    return curve.stream().mapToDouble(p -> b.normalisedRecovery(p.loss())).toArray();
  }

  /** Equal when every value is; doubles compare as {@link Double#compare} does (NaN = NaN). */
  @Override
  public boolean equals(Object o) {
    return o instanceof RecoveryResult r && verdict == r.verdict
        && Objects.equals(budgetCap, r.budgetCap) && damage.equals(r.damage)
        && Double.compare(targetLoss, r.targetLoss) == 0 && curve.equals(r.curve)
        && Objects.equals(recoveredAt, r.recoveredAt) && spent.equals(r.spent)
        && reference.equals(r.reference) && Double.compare(lossFinal, r.lossFinal) == 0
        && Objects.equals(divergence, r.divergence)
        && Objects.equals(finalFidelity, r.finalFidelity) && manifest.equals(r.manifest)
        && Objects.equals(targetFidelity, r.targetFidelity);
  }

  @Override
  public int hashCode() {
    return Objects.hash(verdict, budgetCap, damage, targetLoss, curve, recoveredAt, spent,
        reference, lossFinal, divergence, finalFidelity, manifest, targetFidelity);
  }

  @Override
  public String toString() {
    return "RecoveryResult[verdict=" + verdict + ", budgetCap=" + budgetCap() + ", damage="
        + damage + ", targetLoss=" + targetLoss + ", curve=" + curve + ", recoveredAt="
        + recoveredAt() + ", spent=" + spent + ", reference=" + reference + ", lossFinal="
        + lossFinal + ", divergence=" + divergence() + ", finalFidelity=" + finalFidelity()
        + ", manifest=" + manifest + ", targetFidelity=" + targetFidelity() + "]";
  }
}
