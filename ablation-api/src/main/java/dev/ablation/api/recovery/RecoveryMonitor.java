package dev.ablation.api.recovery;

import com.google.common.base.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Watches one recovery run inside any training loop: charges every step to the
 * {@link TrainingBudget}, takes the validation losses the loop computes every
 * {@link #evaluateEvery()} steps, applies the {@link RecoveryCriterion}, and assembles the
 * {@link RecoveryResult}. Evaluations follow the settings' {@link EvaluationSchedule}. Knows no
 * tensor library, so the same monitor serves a hand-written
 * loop, a SameDiff {@code fit} listener, or another engine.
 *
 * <p>Stopping is a return value: {@link #tryStep} returns false and {@link #evaluate} returns
 * the verdict; nothing is thrown. A non-finite training or validation loss ends the run as
 * {@link Verdict#DIVERGED}, and nothing is computed from it afterwards.
 *
 * <pre>{@code
 * RecoveryMonitor m = RecoveryMonitor.start(settings, damage, manifest);
 * while (!m.isFinished()) {
 *   Batch b = train.next();
 *   if (!m.tryStep(Cost.step(b.examples(), tokensPerExample, flops))) break;  // budget spent
 *   m.stepDone(stepper.step(b));
 *   if (m.evaluationDue()) m.evaluate(validationLoss());
 * }
 * RecoveryResult r = m.result(Optional.empty());
 * }</pre>
 */
public final class RecoveryMonitor {
  private final RecoverySettings settings;
  private final Damage damage;
  private final RunManifest manifest;
  private final BudgetMeter meter;
  private final RecoveryCriterion.Judge judge;
  private final List<CurvePoint> curve = new ArrayList<>();
  private final List<Spending> spendAtEval = new ArrayList<>();
  private Verdict verdict;
  private BudgetCap cap;
  private Divergence divergence;
  private double lastGoodLoss;
  private boolean evaluatedSinceStep = true;

  private RecoveryMonitor(RecoverySettings settings, Damage damage, RunManifest manifest,
      Ticker ticker) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.damage = Objects.requireNonNull(damage, "damage");
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.meter = settings.budget().start(settings.reference(), ticker);
    this.lastGoodLoss = damage.lossOriginal();
    if (!Double.isFinite(damage.lossAfterWipe())) {
      this.judge = null;
      divergence = new Divergence(0, damage.lossAfterWipe(), damage.lossOriginal());
      verdict = Verdict.DIVERGED;
      settings.listener().onEvaluation(point(damage.lossAfterWipe(), Double.NaN));
    } else {
      this.judge = settings.criterion().start(damage.baseline());
      // L0 is the curve's first point but never enters the judge: smoothing it into the first
      // evaluations would delay every recovery by the window, and it says nothing about training
      lastGoodLoss = damage.lossAfterWipe();
      CurvePoint p = point(damage.lossAfterWipe(), Double.NaN);
      settings.listener().onEvaluation(p);
      curve.add(p);
      spendAtEval.add(meter.spent());
      if (damage.lossAfterWipe() <= judge.target()) {
        verdict = Verdict.UNDAMAGED;
      }
    }
  }

  /**
   * Starts watching: records {@code L₀} as the evaluation at step 0 (a wipe whose {@code L₀}
   * already meets the target is {@link Verdict#UNDAMAGED}, not recovered) and starts the
   * budget's clock. {@code L₀} is not part of the criterion's smoothing window.
   */
  public static RecoveryMonitor start(RecoverySettings settings, Damage damage,
      RunManifest manifest) {
    return new RecoveryMonitor(settings, damage, manifest, Ticker.systemTicker());
  }

  /** As {@link #start(RecoverySettings, Damage, RunManifest)} with an injected clock. */
  public static RecoveryMonitor start(RecoverySettings settings, Damage damage,
      RunManifest manifest, Ticker ticker) {
    return new RecoveryMonitor(settings, damage, manifest, ticker);
  }

  /** Steps between evaluations once the schedule is steady. */
  public int evaluateEvery() {
    return settings.evaluateEvery();
  }

  /** The evaluation schedule. */
  public EvaluationSchedule schedule() {
    return settings.schedule();
  }

  /** Whether a verdict has been reached. */
  public boolean isFinished() {
    return verdict != null;
  }

  /**
   * Charges the next step before it runs.
   *
   * @return true if the step may run; false if the run is over (already decided, or the budget
   *     cannot pay for it — the verdict is then {@link Verdict#BUDGET_EXHAUSTED})
   */
  public boolean tryStep(Cost cost) {
    if (isFinished()) {
      return false;
    }
    if (!meter.tryCharge(cost)) {
      cap = meter.blockingCap(cost).or(meter::exhaustedBy).orElse(BudgetCap.STEPS);
      verdict = Verdict.BUDGET_EXHAUSTED;
      return false;
    }
    return true;
  }

  /**
   * Records the finished step's training loss. A non-finite loss ends the run as
   * {@link Verdict#DIVERGED} (the weights are no longer usable); if the loop does not compute
   * the training loss, call {@link #stepDone()} instead.
   */
  public void stepDone(double trainingLoss) {
    if (isFinished()) {
      return;
    }
    evaluatedSinceStep = false;
    long step = meter.spent().steps();
    settings.listener().onStep(step, trainingLoss);
    if (Double.isNaN(trainingLoss) || Double.isInfinite(trainingLoss)) {
      diverge(step, trainingLoss);
    }
  }

  /** Records a finished step whose training loss the loop did not compute. */
  public void stepDone() {
    if (isFinished()) {
      return;
    }
    evaluatedSinceStep = false;
    settings.listener().onStep(meter.spent().steps(), Double.NaN);
  }

  /** Whether the loop should compute a validation loss now. */
  public boolean evaluationDue() {
    long steps = meter.spent().steps();
    return !isFinished() && !evaluatedSinceStep && settings.schedule().isDue(steps);
  }

  /**
   * Takes a validation loss computed after the steps charged so far and applies the criterion.
   *
   * @return the verdict once decided
   */
  public Optional<Verdict> evaluate(double validationLoss) {
    if (isFinished()) {
      return Optional.ofNullable(verdict);
    }
    evaluatedSinceStep = true;
    long step = meter.spent().steps();
    Optional<Verdict> v = judge.observe(validationLoss, step % settings.evaluateEvery() == 0);
    CurvePoint p = point(validationLoss, judge.smoothed());
    settings.listener().onEvaluation(p);
    if (v.isPresent() && v.get() == Verdict.DIVERGED) {
      diverge(p.step(), validationLoss);
      return v;
    }
    curve.add(p);
    spendAtEval.add(meter.spent());
    lastGoodLoss = validationLoss;
    v.ifPresent(x -> verdict = x);
    return v;
  }

  private CurvePoint point(double loss, double smoothed) {
    Spending s = meter.spent();
    return new CurvePoint(s.steps(), s.examples(), s.tokens(), loss, smoothed);
  }

  private void diverge(long step, double bad) {
    divergence = new Divergence(step, bad, lastGoodLoss);
    verdict = Verdict.DIVERGED;
  }

  /** What has been spent so far. */
  public Spending spent() {
    return meter.spent();
  }

  /** The verdict, once decided. */
  public Optional<Verdict> verdict() {
    return Optional.ofNullable(verdict);
  }

  /** The curve so far (finite evaluations only). */
  public List<CurvePoint> curve() {
    return List.copyOf(curve);
  }

  /**
   * The result. Call once the run is over; a run stopped by the loop before a verdict (e.g. the
   * data ran out) counts as {@link Verdict#BUDGET_EXHAUSTED}.
   *
   * @param finalFidelity agreement with and KL to the original at the end, if measured
   */
  public RecoveryResult result(Optional<Fidelity> finalFidelity) {
    Verdict v = verdict == null ? Verdict.BUDGET_EXHAUSTED : verdict;
    Optional<BudgetCap> c = Optional.empty();
    if (v == Verdict.BUDGET_EXHAUSTED) {
      c = Optional.of(cap != null ? cap : meter.exhaustedBy().orElse(BudgetCap.STEPS));
    }
    Optional<Spending> at = Optional.empty();
    if (v == Verdict.RECOVERED) {
      // the judge's evaluation i is the curve's point i + 1 (point 0 is L0, never judged)
      at = Optional.of(spendAtEval.get(judge.recoveredSince() + 1));
    }
    RecoveryResult r = new RecoveryResult(v, c, damage,
        judge == null ? Double.NaN : judge.target(), curve, at, meter.spent(),
        settings.reference(), lastGoodLoss, Optional.ofNullable(divergence), finalFidelity,
        manifest);
    settings.listener().onFinish(r);
    return r;
  }
}
