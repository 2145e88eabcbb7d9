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
 * <p>With a {@linkplain RecoverySettings#horizonSteps() horizon}, a run that meets its target
 * (or plateaus) before it keeps going: the verdict is decided ({@link #targetConfirmedAt()} for
 * a recovery) but the run finishes only at the horizon, after an evaluation there; later
 * evaluations join the curve without being judged. A budget that runs out, or a non-finite
 * loss, past the verdict ends the run early with that verdict (the curve shows how far it got).
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
  /** The manifest key of {@link RecoverySettings#horizonSteps()}, written only when it is > 0. */
  public static final String HORIZON_KEY = "horizon_steps";

  private final RecoverySettings settings;
  private final Damage damage;
  private final RunManifest manifest;
  private final BudgetMeter meter;
  private final RecoveryCriterion.Judge judge;
  /** The judge of {@link StepRule#CONFIRMED_STEP}, or null under {@link StepRule#EVALUATIONS}. */
  private final ConfirmedStepJudge stepJudge;
  private final StepRule rule;
  private final List<CurvePoint> curve = new ArrayList<>();
  private final List<Spending> spendAtEval = new ArrayList<>();
  /** What had been spent after each step since the last evaluation (for searched points). */
  private final java.util.TreeMap<Long, Spending> sinceEvaluation = new java.util.TreeMap<>();
  private Spending recoveredAt;
  private Verdict verdict;
  /** The verdict reached before the horizon, while the run trains on to it; else null. */
  private Verdict reached;
  private long confirmedAt = -1;
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
    RecoveryCriterion c = settings.criterion();
    this.rule = c instanceof RecoveryCriterion.Threshold t ? t.rule() : StepRule.EVALUATIONS;
    if (c instanceof RecoveryCriterion.AnyOf any && any.members().stream().anyMatch(m ->
        m instanceof RecoveryCriterion.Threshold t && t.rule() == StepRule.CONFIRMED_STEP)) {
      throw new IllegalArgumentException("the " + StepRule.CONFIRMED_STEP.key() + " rule "
          + "judges one threshold; anyOf(" + any.members() + ") mixes it with others");
    }
    if (!Double.isFinite(damage.lossAfterWipe())) {
      this.judge = null;
      this.stepJudge = null;
      divergence = new Divergence(0, damage.lossAfterWipe(), damage.lossOriginal());
      verdict = Verdict.DIVERGED;
      settings.listener().onEvaluation(point(damage.lossAfterWipe(), Double.NaN));
    } else {
      this.judge = settings.criterion().start(damage.baseline());
      this.stepJudge = rule == StepRule.CONFIRMED_STEP
          ? new ConfirmedStepJudge((RecoveryCriterion.Threshold) c, damage.baseline()) : null;
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
    if (reached != null && meter.spent().steps() >= settings.horizonSteps()) {
      verdict = reached;
      return false;
    }
    if (!meter.tryCharge(cost)) {
      if (reached != null) { // the budget ends the stretch past the target, not the verdict
        verdict = reached;
        return false;
      }
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
    if (stepJudge != null && reached == null) {
      sinceEvaluation.put(step, meter.spent());
    }
    settings.listener().onStep(step, trainingLoss);
    if (Double.isNaN(trainingLoss) || Double.isInfinite(trainingLoss)) {
      if (reached != null) {
        verdict = reached; // recovered at T_ε; what came after is not used
      } else {
        diverge(step, trainingLoss);
      }
    }
  }

  /** Records a finished step whose training loss the loop did not compute. */
  public void stepDone() {
    if (isFinished()) {
      return;
    }
    evaluatedSinceStep = false;
    if (stepJudge != null && reached == null) {
      sinceEvaluation.put(meter.spent().steps(), meter.spent());
    }
    settings.listener().onStep(meter.spent().steps(), Double.NaN);
  }

  /** Whether the loop should compute a validation loss now. */
  public boolean evaluationDue() {
    long steps = meter.spent().steps();
    if (reached != null) {
      return !isFinished() && !evaluatedSinceStep
          && (settings.schedule().isDue(steps) || steps >= settings.horizonSteps());
    }
    return !isFinished() && !evaluatedSinceStep && (settings.schedule().isDue(steps)
        || (stepJudge != null && stepJudge.confirmationDue()));
  }

  /** How {@code T_ε} is read off this run's losses. */
  public StepRule rule() {
    return rule;
  }

  /**
   * Whether {@link #evaluate(double, StepSearch)} may search kept copies: the run's rule is
   * {@link StepRule#CONFIRMED_STEP} and it is not decided. A loop keeps a copy of its trainable
   * weights after every step only while this holds.
   */
  public boolean searchesSteps() {
    return stepJudge != null && !isFinished() && reached == null;
  }

  /**
   * The step at which the verdict {@link Verdict#RECOVERED} was decided (the evaluation that
   * confirmed the target, at or after {@code T_ε}), once it was; a loop that trains past the
   * target measures what it wants to compare at the target here.
   */
  public java.util.OptionalLong targetConfirmedAt() {
    return confirmedAt < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(confirmedAt);
  }

  /**
   * Whether the run's verdict ({@link Verdict#RECOVERED} or {@link Verdict#PLATEAUED}) is
   * decided and it trains on to the horizon.
   */
  public boolean pastTarget() {
    return reached != null && verdict == null;
  }

  /**
   * Takes a validation loss computed after the steps charged so far and applies the criterion.
   *
   * @return the verdict once decided
   */
  public Optional<Verdict> evaluate(double validationLoss) {
    return evaluate(validationLoss, null);
  }

  /**
   * As {@link #evaluate(double)}, with the losses of the steps since the last evaluation on
   * offer: under {@link StepRule#CONFIRMED_STEP}, an evaluation that meets the target (or one
   * of the criterion's recorded targets) searches them for the step where it was first met, and
   * each searched step joins the curve. Other rules ignore {@code search}.
   *
   * @param search the loss after an earlier step since the last evaluation, or null if the
   *     loop keeps no copies
   */
  public Optional<Verdict> evaluate(double validationLoss, StepSearch search) {
    if (isFinished()) {
      return Optional.ofNullable(verdict);
    }
    if (reached != null) {
      return evaluatePastTarget(validationLoss);
    }
    if (stepJudge != null) {
      return evaluateAtStep(validationLoss, search);
    }
    evaluatedSinceStep = true;
    long step = meter.spent().steps();
    Optional<Verdict> v = judge.observe(validationLoss, step % settings.evaluateEvery() == 0);
    if (record(point(validationLoss, judge.smoothed()), meter.spent(), v)) {
      return v;
    }
    return v.flatMap(this::decide);
  }

  /**
   * Ends the run with {@code v}, or, for a recovery before the horizon, marks the target met
   * and lets it train on.
   *
   * @return the verdict if the run is over
   */
  private Optional<Verdict> decide(Verdict v) {
    long now = meter.spent().steps();
    if (v == Verdict.RECOVERED) {
      confirmedAt = now;
    }
    // a recovery, or a plateau, before the horizon trains on: the curve shows where it settles
    if ((v == Verdict.RECOVERED || v == Verdict.PLATEAUED) && now < settings.horizonSteps()) {
      reached = v;
      return Optional.empty();
    }
    verdict = v;
    return Optional.of(v);
  }

  /** An evaluation past the target: on the curve, judged by nothing; ends the run at the horizon. */
  private Optional<Verdict> evaluatePastTarget(double validationLoss) {
    evaluatedSinceStep = true;
    CurvePoint p = point(validationLoss, validationLoss);
    if (!Double.isFinite(validationLoss)) {
      settings.listener().onEvaluation(p);
      verdict = reached;
      return Optional.of(verdict);
    }
    record(p, meter.spent(), Optional.empty());
    if (meter.spent().steps() >= settings.horizonSteps()) {
      verdict = reached;
      return Optional.of(verdict);
    }
    return Optional.empty();
  }

  /**
   * Tells the listener of evaluation {@code p} and adds it to the curve, spent {@code at}, or,
   * when {@code v} says so, ends the run as diverged there.
   *
   * @return whether the run diverged
   */
  private boolean record(CurvePoint p, Spending at, Optional<Verdict> v) {
    settings.listener().onEvaluation(p);
    if (v.isPresent() && v.get() == Verdict.DIVERGED) {
      diverge(p.step(), p.loss());
      return true;
    }
    curve.add(p);
    spendAtEval.add(at);
    lastGoodLoss = p.loss();
    return false;
  }

  private Optional<Verdict> evaluateAtStep(double validationLoss, StepSearch search) {
    evaluatedSinceStep = true;
    long now = meter.spent().steps();
    java.util.TreeMap<Long, Double> searched = new java.util.TreeMap<>();
    java.util.function.LongToDoubleFunction lossAt = search == null ? null : step -> {
      if (step == now) {
        return validationLoss;
      }
      if (!sinceEvaluation.containsKey(step) || step >= now) {
        throw new IllegalStateException("step " + step + " is not between the last evaluation "
            + "and step " + now);
      }
      return searched.computeIfAbsent(step, search::lossAt);
    };
    Optional<Verdict> v = stepJudge.observe(now, validationLoss, lossAt);
    for (var e : searched.entrySet()) {
      Spending at = sinceEvaluation.get(e.getKey());
      CurvePoint p = new CurvePoint(at.steps(), at.examples(), at.tokens(), e.getValue(),
          e.getValue());
      if (Double.isFinite(e.getValue())) {
        record(p, at, Optional.empty()); // a searched step decides nothing itself
      } else {
        settings.listener().onEvaluation(p);
      }
    }
    if (record(point(validationLoss, validationLoss), meter.spent(), v)) {
      return v;
    }
    if (v.isPresent() && v.get() == Verdict.RECOVERED) {
      long t = stepJudge.recoveredStep();
      recoveredAt = t == now ? meter.spent() : sinceEvaluation.get(t);
      if (recoveredAt == null) { // the candidate was the previous evaluation's own step
        recoveredAt = spendAtEval.stream().filter(x -> x.steps() == t).findFirst()
            .orElseThrow(() -> new IllegalStateException("no spending recorded at step " + t));
      }
    }
    sinceEvaluation.clear();
    return v.flatMap(this::decide);
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
    return result(finalFidelity, Optional.empty());
  }

  /**
   * As {@link #result(Optional)}, for a run that trained past its target: {@code atTarget} is
   * its fidelity where the target was confirmed ({@link #targetConfirmedAt()}).
   */
  public RecoveryResult result(Optional<Fidelity> finalFidelity, Optional<FidelityAt> atTarget) {
    Verdict v = verdict != null ? verdict : reached != null ? reached : Verdict.BUDGET_EXHAUSTED;
    RecoveryResultBuilder b = RecoveryResult.builder();
    switch (v) {
      // the judge's evaluation i is the curve's point i + 1 (point 0 is L0, never judged)
      case RECOVERED -> b.recovered(stepJudge != null ? recoveredAt
          : spendAtEval.get(judge.recoveredSince() + 1));
      case PLATEAUED -> b.plateaued();
      case DIVERGED -> b.diverged(divergence);
      case BUDGET_EXHAUSTED -> b.budgetExhausted(
          cap != null ? cap : meter.exhaustedBy().orElse(BudgetCap.STEPS));
      case UNDAMAGED -> b.undamaged();
    }
    if (v != Verdict.DIVERGED && divergence != null) {
      throw new IllegalStateException("a divergence was recorded, " + divergence
          + ", but the run ended " + v);
    }
    finalFidelity.ifPresent(b::finalFidelity);
    atTarget.ifPresent(b::targetFidelity);
    RecoveryResult r = b.damage(damage)
        .targetLoss(judge == null ? Double.NaN : judge.target())
        .curve(curve)
        .spent(meter.spent())
        .reference(settings.reference())
        .lossFinal(lastGoodLoss)
        .manifest(settings.trainsPastTarget()
            ? manifest.with(StepRule.MANIFEST_KEY, rule.key())
                .with(HORIZON_KEY, Long.toString(settings.horizonSteps()))
            : manifest.with(StepRule.MANIFEST_KEY, rule.key()))
        .build();
    settings.listener().onFinish(r);
    return r;
  }
}
