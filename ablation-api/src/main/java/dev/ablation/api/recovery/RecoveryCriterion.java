package dev.ablation.api.recovery;

import com.google.common.collect.ImmutableList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * When to stop a recovery and with which {@link Verdict}. A criterion is an immutable recipe;
 * {@link #start(Baseline)} makes a stateful {@link Judge} that sees one validation loss per
 * evaluation and decides.
 *
 * <pre>{@code
 * RecoveryCriterion c = RecoveryCriterion.withinNats(0.02)   // target L* + 0.02
 *     .smoothedOver(3)                                        // mean of the last 3 evaluations
 *     .withPatience(10, 1e-3)                                 // PLATEAUED after 10 without -1e-3
 *     .divergingAboveFactor(3);                               // DIVERGED above 3 x L0
 * }</pre>
 */
public sealed interface RecoveryCriterion {

  /** A fresh judge for one run. */
  Judge start(Baseline baseline);

  /** Target {@code L* + ε} nats, no smoothing, no patience, diverges only on NaN/Inf. */
  static Threshold withinNats(double epsilon) {
    return Threshold.of(new Target.WithinNats(epsilon));
  }

  /** Target {@code L* + max(ε, 2σ)} nats, {@code σ} the original's noise level. */
  static Threshold withinNoise(double epsilon, double sigma) {
    return Threshold.of(new Target.WithinNoise(epsilon, sigma));
  }

  /** Any target. */
  static Threshold reaching(Target target) {
    return Threshold.of(target);
  }

  /** Target {@code L*·(1+ε)}. */
  static Threshold withinRelative(double epsilon) {
    return Threshold.of(new Target.WithinRelative(epsilon));
  }

  /** Target: a fraction of the step-0 damage undone. */
  static Threshold damageRecovered(double fraction) {
    return Threshold.of(new Target.DamageRecovered(fraction));
  }

  /** Decides as soon as any member decides (the first member in order wins a tie). */
  static RecoveryCriterion anyOf(RecoveryCriterion... members) {
    return new AnyOf(List.of(members));
  }

  /** The stateful side of a criterion: fed one validation loss per evaluation. */
  interface Judge {
    /** Takes the next evaluation's loss; returns a verdict once decided, empty to continue. */
    Optional<Verdict> observe(double loss);

    /**
     * As {@link #observe(double)}; an evaluation off the grid of {@code evaluateEvery}
     * multiples (the monitor passes {@code step % evaluateEvery == 0}: an {@link
     * EvaluationSchedule}'s every-step start, for one) does not spend patience, so that
     * patience keeps meaning the same number of steps whatever the schedule adds.
     */
    default Optional<Verdict> observe(double loss, boolean countsForPatience) {
      return observe(loss);
    }

    /** The smoothed loss after the last observation (NaN before any). */
    double smoothed();

    /** The loss to reach. */
    double target();

    /**
     * The 0-based evaluation at which the streak that recovered began, or -1. With
     * {@code required > 1} evaluations under target, {@code T_ε} is counted from here.
     */
    int recoveredSince();
  }

  /**
   * A target with smoothing, a required streak, patience and divergence bounds.
   *
   * <p>Made by the intent-named factories ({@link RecoveryCriterion#withinNats}, …) and refined
   * by the {@code with…} methods, or said one setting at a time through {@link
   * #builder(Target)}. A class rather than a record of nine components so that each setting is
   * checked, by name, where it is given, and set once. Its text is the record's text it
   * replaced: it is written into every run manifest.
   */
  final class Threshold implements RecoveryCriterion {
    private final Target target;
    private final int window;
    private final int required;
    private final int patience;
    private final double minImprovement;
    private final double divergenceBound;
    private final double divergenceFactor;
    private final StepRule rule;
    private final List<Target> recorded;

    Threshold(ThresholdBuilder b) {
      this.target = b.target;
      this.window = b.window;
      this.required = b.required;
      this.patience = b.patience;
      this.minImprovement = b.minImprovement;
      this.divergenceBound = b.divergenceBound;
      this.divergenceFactor = b.divergenceFactor;
      this.rule = b.rule;
      this.recorded = b.recorded;
    }

    static Threshold of(Target t) {
      return builder(t).build();
    }

    /**
     * A builder reaching {@code target}, with no smoothing, no streak, no patience, diverging
     * only on NaN/Inf, judged over evaluations.
     *
     * @throws IllegalArgumentException if {@code target} is null
     */
    public static ThresholdBuilder builder(Target target) {
      return new ThresholdBuilder(target);
    }

    /** A builder holding this criterion's settings, each of which may be replaced once. */
    public ThresholdBuilder toBuilder() {
      return new ThresholdBuilder(this);
    }

    /** The loss to reach. */
    public Target target() {
      return target;
    }

    /** Evaluations in the moving average (1: none). */
    public int window() {
      return window;
    }

    /** Consecutive smoothed evaluations at or under target to recover. */
    public int required() {
      return required;
    }

    /**
     * Evaluations without an improvement of {@link #minImprovement()} in the best smoothed
     * loss before {@link Verdict#PLATEAUED}; 0 disables. An evaluation whose raw loss is at or
     * under the target counts as progress: the last {@code patience} raw losses of a plateaued
     * run are all above the target.
     */
    public int patience() {
      return patience;
    }

    /** Nats that count as an improvement. */
    public double minImprovement() {
      return minImprovement;
    }

    /** {@link Verdict#DIVERGED} above this loss (nats). */
    public double divergenceBound() {
      return divergenceBound;
    }

    /** {@link Verdict#DIVERGED} above this multiple of {@code L₀}. */
    public double divergenceFactor() {
      return divergenceFactor;
    }

    /**
     * How {@code T_ε} is read off the losses: {@link StepRule#EVALUATIONS} (the smoothing
     * window and streak, over evaluations) or {@link StepRule#CONFIRMED_STEP} (the raw loss of
     * a step and of the step after it; {@code patience} is then in steps).
     */
    public StepRule rule() {
      return rule;
    }

    /**
     * Looser targets whose first step the run also finds (under {@link
     * StepRule#CONFIRMED_STEP}, to the step), so a tolerance can be re-judged later; they
     * decide nothing.
     */
    public List<Target> recorded() {
      return recorded;
    }

    /** Judge the mean of the last {@code n} evaluations. */
    public Threshold smoothedOver(int n) {
      return toBuilder().window(n).build();
    }

    /** Require {@code n} consecutive smoothed evaluations at or under target. */
    public Threshold requiring(int n) {
      return toBuilder().required(n).build();
    }

    /** Plateau after {@code n} evaluations without improving the best by {@code minNats}. */
    public Threshold withPatience(int n, double minNats) {
      return toBuilder().patience(n).minImprovement(minNats).build();
    }

    /** Diverged above {@code nats}. */
    public Threshold divergingAbove(double nats) {
      return toBuilder().divergenceBound(nats).build();
    }

    /** Diverged above {@code factor × L₀}. */
    public Threshold divergingAboveFactor(double factor) {
      return toBuilder().divergenceFactor(factor).build();
    }

    /**
     * {@code T_ε} is the first step whose raw validation loss, and that of the step after it,
     * are at or under the target; patience ({@link #withPatience}) is counted in steps. Where
     * the loop keeps copies of the trainable weights since the last evaluation (the library's
     * loop does), the step is found exactly by searching them, whatever the evaluation
     * schedule; elsewhere it is the first evaluated step, confirmed by the next evaluation.
     */
    public Threshold confirmedAtStep() {
      return toBuilder().window(1).required(1).rule(StepRule.CONFIRMED_STEP).build();
    }

    /** The same criterion also finding the first step at each of {@code targets}. */
    public Threshold recording(List<Target> targets) {
      return toBuilder().recorded(targets).build();
    }

    /** The loss above which a run has diverged, for a run starting from {@code baseline}. */
    public double divergenceLoss(Baseline baseline) {
      return Math.min(divergenceBound,
          divergenceFactor * Math.max(baseline.lossAfterWipe(), baseline.lossOriginal()));
    }

    @Override
    public Judge start(Baseline baseline) {
      return new ThresholdJudge(this, baseline);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Threshold t && target.equals(t.target) && window == t.window
          && required == t.required && patience == t.patience
          && Double.compare(minImprovement, t.minImprovement) == 0
          && Double.compare(divergenceBound, t.divergenceBound) == 0
          && Double.compare(divergenceFactor, t.divergenceFactor) == 0 && rule == t.rule
          && recorded.equals(t.recorded);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(target, window, required, patience, minImprovement,
          divergenceBound, divergenceFactor, rule, recorded);
    }

    /** The text the record printed; run manifests carry it as their {@code criterion}. */
    @Override
    public String toString() {
      return "Threshold[target=" + target + ", window=" + window + ", required=" + required
          + ", patience=" + patience + ", minImprovement=" + minImprovement
          + ", divergenceBound=" + divergenceBound + ", divergenceFactor=" + divergenceFactor
          + ", rule=" + rule + ", recorded=" + recorded + "]";
    }

  }

  /**
   * Decides when any member decides.
   *
   * @param members at least one
   */
  record AnyOf(List<RecoveryCriterion> members) implements RecoveryCriterion {
    /** Validates and copies. */
    public AnyOf {
      if (members == null || members.isEmpty()) {
        throw new IllegalArgumentException("anyOf needs at least one criterion");
      }
      members = ImmutableList.copyOf(members);
    }

    @Override
    public Judge start(Baseline baseline) {
      List<Judge> judges = new ArrayList<>();
      members.forEach(m -> judges.add(m.start(baseline)));
      return new Judge() {
        private Judge decided = judges.get(0);

        @Override
        public Optional<Verdict> observe(double loss) {
          return observe(loss, true);
        }

        @Override
        public Optional<Verdict> observe(double loss, boolean countsForPatience) {
          Optional<Verdict> first = Optional.empty();
          for (Judge j : judges) {
            Optional<Verdict> v = j.observe(loss, countsForPatience);
            if (v.isPresent() && first.isEmpty()) {
              first = v;
              decided = j;
            }
          }
          return first;
        }

        @Override
        public double smoothed() {
          return decided.smoothed();
        }

        @Override
        public double target() {
          return decided.target();
        }

        @Override
        public int recoveredSince() {
          return decided.recoveredSince();
        }
      };
    }
  }
}

/** The judge of a {@link RecoveryCriterion.Threshold}. */
final class ThresholdJudge implements RecoveryCriterion.Judge {
  private final RecoveryCriterion.Threshold spec;
  private final double target;
  private final double bound;
  private final Deque<Double> window = new ArrayDeque<>();
  private double smoothed = Double.NaN;
  private double best = Double.POSITIVE_INFINITY;
  private int sinceImprovement;
  private int streak;
  private int index = -1;
  private int recoveredSince = -1;

  ThresholdJudge(RecoveryCriterion.Threshold spec, Baseline baseline) {
    this.spec = spec;
    this.target = spec.target().loss(baseline);
    this.bound = spec.divergenceLoss(baseline);
  }

  @Override
  public Optional<Verdict> observe(double loss) {
    return observe(loss, true);
  }

  @Override
  public Optional<Verdict> observe(double loss, boolean countsForPatience) {
    index++;
    if (!Double.isFinite(loss) || loss > bound) {
      return Optional.of(Verdict.DIVERGED);
    }
    window.addLast(loss);
    if (window.size() > spec.window()) {
      window.removeFirst();
    }
    // summing in a fixed order keeps the mean bit-reproducible
    smoothed = Arrays.stream(window.toArray(new Double[0])).mapToDouble(Double::doubleValue)
        .sum() / window.size();
    if (smoothed <= target) {
      streak++;
      if (streak >= spec.required()) {
        recoveredSince = index - streak + 1;
        return Optional.of(Verdict.RECOVERED);
      }
    } else {
      streak = 0;
    }
    if (smoothed < best - spec.minImprovement()) {
      best = smoothed;
      sinceImprovement = 0;
    } else if (loss <= target) {
      // a raw evaluation at the target is not a plateau, whatever the smoothed value says:
      // a run hovering at the target by noise must not be labelled PLATEAUED
      sinceImprovement = 0;
    } else if (countsForPatience) {
      sinceImprovement++;
      if (spec.patience() > 0 && sinceImprovement >= spec.patience() && streak == 0) {
        return Optional.of(Verdict.PLATEAUED);
      }
    }
    return Optional.empty();
  }

  @Override
  public double smoothed() {
    return smoothed;
  }

  @Override
  public double target() {
    return target;
  }

  @Override
  public int recoveredSince() {
    return recoveredSince;
  }
}
