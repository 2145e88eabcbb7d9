package dev.ablation.api.recovery;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.internal.SetOnce;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link RecoveryResult} one named value at a time ({@link RecoveryResult#builder()}).
 * Required: how the run ended (exactly one of {@link #recovered}, {@link #plateaued},
 * {@link #diverged}, {@link #budgetExhausted}, {@link #undamaged}), {@link #damage},
 * {@link #targetLoss}, {@link #curve}, {@link #spent}, {@link #reference}, {@link #lossFinal}
 * and {@link #manifest}. Optional: {@link #finalFidelity} and {@link #targetFidelity}, absent
 * unless given.
 *
 * <p>As Caffeine's builder does, each setter checks its value when it is called and refuses to
 * be called twice, naming the setting: a result is evidence, and one whose value was given twice
 * (the monitor's, then a caller's) no longer says which one was measured. Values copied by
 * {@link RecoveryResult#toBuilder()} may each be replaced once (a new manifest, a new ending).
 * {@link #build()} then reports every missing value in one exception.
 */
public final class RecoveryResultBuilder {
  /** The settings, by the name a caller knows them by. */
  private enum Key {
    VERDICT("verdict"), DAMAGE("damage"), TARGET_LOSS("targetLoss"), CURVE("curve"),
    SPENT("spent"), REFERENCE("reference"), LOSS_FINAL("lossFinal"), MANIFEST("manifest"),
    FINAL_FIDELITY("finalFidelity"), TARGET_FIDELITY("targetFidelity");

    final String label;

    Key(String label) {
      this.label = label;
    }
  }

  /** The ways to give {@link Key#VERDICT}, for messages. */
  private static final String ENDINGS = "recovered(at), plateaued(), diverged(where),"
      + " budgetExhausted(cap) or undamaged()";

  private Verdict verdict;
  private BudgetCap budgetCap;
  private Spending recoveredAt;
  private Divergence divergence;
  private Damage damage;
  private double targetLoss;
  private List<CurvePoint> curve;
  private Spending spent;
  private ReferenceCost reference;
  private double lossFinal;
  private RunManifest manifest;
  private Fidelity finalFidelity;
  private FidelityAt targetFidelity;
  /** The settings given by a call here, and those copied by {@link RecoveryResult#toBuilder()}. */
  private final SetOnce<Key> set = SetOnce.named(k -> k.label);

  /** Nothing set; see {@link RecoveryResult#builder()}. */
  RecoveryResultBuilder() {}

  /** {@code r}'s values; see {@link RecoveryResult#toBuilder()}. */
  RecoveryResultBuilder(RecoveryResult r) {
    verdict = r.verdict();
    budgetCap = r.budgetCap().orElse(null);
    recoveredAt = r.recoveredAt().orElse(null);
    divergence = r.divergence().orElse(null);
    damage = r.damage();
    targetLoss = r.targetLoss();
    curve = r.curve();
    spent = r.spent();
    reference = r.reference();
    lossFinal = r.lossFinal();
    manifest = r.manifest();
    finalFidelity = r.finalFidelity().orElse(null);
    targetFidelity = r.targetFidelity().orElse(null);
    set.copied(EnumSet.allOf(Key.class));
  }

  /** {@code value}, or an exception saying {@code what} must not be null. */
  private static <T> T requireNonNull(T value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what);
    }
    return value;
  }

  private RecoveryResultBuilder ending(Verdict v, BudgetCap cap, Spending at, Divergence where) {
    verdict = v;
    budgetCap = cap;
    recoveredAt = at;
    divergence = where;
    return this;
  }

  /**
   * Ended {@link Verdict#RECOVERED}: the target was reached at {@code at} ({@code T_ε}, the
   * spending up to the evaluation that reached it).
   */
  public RecoveryResultBuilder recovered(Spending at) {
    requireNonNull(at, "recovered(at) needs the spending at T_ε, got null");
    set.give(Key.VERDICT, verdict, "call one of " + ENDINGS);
    return ending(Verdict.RECOVERED, null, at, null);
  }

  /** Ended {@link Verdict#PLATEAUED}: no improvement for {@code patience} evaluations. */
  public RecoveryResultBuilder plateaued() {
    set.give(Key.VERDICT, verdict, "call one of " + ENDINGS);
    return ending(Verdict.PLATEAUED, null, null, null);
  }

  /** Ended {@link Verdict#DIVERGED}, at {@code where}. */
  public RecoveryResultBuilder diverged(Divergence where) {
    requireNonNull(where, "diverged(where) needs where it diverged, got null");
    set.give(Key.VERDICT, verdict, "call one of " + ENDINGS);
    return ending(Verdict.DIVERGED, null, null, where);
  }

  /** Ended {@link Verdict#BUDGET_EXHAUSTED}: {@code cap} was reached first. */
  public RecoveryResultBuilder budgetExhausted(BudgetCap cap) {
    requireNonNull(cap, "budgetExhausted(cap) needs the cap that was reached ("
        + Arrays.toString(BudgetCap.values()) + "), got null");
    set.give(Key.VERDICT, verdict, "call one of " + ENDINGS);
    return ending(Verdict.BUDGET_EXHAUSTED, cap, null, null);
  }

  /** Ended {@link Verdict#UNDAMAGED}: {@code L₀} already met the target. */
  public RecoveryResultBuilder undamaged() {
    set.give(Key.VERDICT, verdict, "call one of " + ENDINGS);
    return ending(Verdict.UNDAMAGED, null, null, null);
  }

  /** Required: step-0 damage ({@code L*}, {@code L₀}, the deleted-layer loss). */
  public RecoveryResultBuilder damage(Damage d) {
    requireNonNull(d, "damage must not be null");
    set.give(Key.DAMAGE, damage);
    damage = d;
    return this;
  }

  /** Required: the loss the criterion asked for; NaN when no criterion judged the run. */
  public RecoveryResultBuilder targetLoss(double loss) {
    set.give(Key.TARGET_LOSS, targetLoss);
    targetLoss = loss;
    return this;
  }

  /** Required: one point per evaluation, the first at step 0 (copied). */
  public RecoveryResultBuilder curve(List<CurvePoint> points) {
    requireNonNull(points, "curve must not be null; give an empty list when nothing was"
        + " evaluated");
    if (points.stream().anyMatch(Objects::isNull)) { // List.of's contains(null) throws
      throw new IllegalArgumentException("curve must not hold null points, got " + points);
    }
    set.give(Key.CURVE, curve == null ? null : "a curve of " + curve.size() + " points");
    curve = ImmutableList.copyOf(points);
    return this;
  }

  /** Required: total spending, including evaluations after {@code T_ε} and the last step. */
  public RecoveryResultBuilder spent(Spending s) {
    requireNonNull(s, "spent must not be null");
    set.give(Key.SPENT, spent);
    spent = s;
    return this;
  }

  /** Required: the original's budget {@code S × E}, the unit of {@code ρ}. */
  public RecoveryResultBuilder reference(ReferenceCost r) {
    requireNonNull(r, "reference must not be null");
    set.give(Key.REFERENCE, reference);
    reference = r;
    return this;
  }

  /** Required: the last finite validation loss. */
  public RecoveryResultBuilder lossFinal(double loss) {
    set.give(Key.LOSS_FINAL, lossFinal);
    lossFinal = loss;
    return this;
  }

  /** Required: configuration, seeds and environment. */
  public RecoveryResultBuilder manifest(RunManifest m) {
    manifest = set.set(Key.MANIFEST, requireNonNull(m, "manifest must not be null"));
    return this;
  }

  /** Agreement with and KL to the original at the end; absent unless given. */
  public RecoveryResultBuilder finalFidelity(Fidelity f) {
    requireNonNull(f, "finalFidelity must not be null; leave it unset when it was not"
        + " measured");
    set.give(Key.FINAL_FIDELITY, finalFidelity);
    finalFidelity = f;
    return this;
  }

  /**
   * Agreement with and KL to the original where the target was confirmed, for a run that
   * trained past it; absent unless given.
   */
  public RecoveryResultBuilder targetFidelity(FidelityAt f) {
    requireNonNull(f, "targetFidelity must not be null; leave it unset when it was not"
        + " measured");
    set.give(Key.TARGET_FIDELITY, targetFidelity);
    targetFidelity = f;
    return this;
  }

  private boolean has(Key k) {
    return set.holds(k);
  }

  /**
   * The result.
   *
   * @throws IllegalArgumentException naming every missing value at once
   */
  public RecoveryResult build() {
    List<String> missing = new ArrayList<>();
    if (!has(Key.VERDICT)) {
      missing.add("how the run ended: call one of " + ENDINGS);
    }
    for (Key k : List.of(Key.DAMAGE, Key.TARGET_LOSS, Key.CURVE, Key.SPENT, Key.REFERENCE,
        Key.LOSS_FINAL, Key.MANIFEST)) {
      if (!has(k)) {
        missing.add(k.label + "(…)");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("a RecoveryResult needs " + String.join(", ", missing));
    }
    return new RecoveryResult(verdict, budgetCap, damage, targetLoss, curve, recoveredAt, spent,
        reference, lossFinal, divergence, finalFidelity, manifest, targetFidelity);
  }
}
