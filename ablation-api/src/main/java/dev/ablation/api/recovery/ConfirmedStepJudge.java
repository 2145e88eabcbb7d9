package dev.ablation.api.recovery;

import java.util.List;
import java.util.Optional;
import java.util.function.LongToDoubleFunction;

/**
 * The judge of {@link StepRule#CONFIRMED_STEP}: sees the raw loss of each evaluation, with its
 * step, and, where the loop keeps copies of the weights since its last evaluation, the loss of
 * any step in between ({@code lossAt}). {@code T_ε} is the first step {@code t} with
 * {@code L(t) ≤ τ} and {@code L(t + 1) ≤ τ}: once an evaluation meets the target, every other
 * step between the last miss and that hit is evaluated from the miss on, which finds the
 * every-step answer inside that gap ({@link #scan}); a confirmed pair hidden in an earlier gap
 * whose two ends both missed is not seen. A hit at the evaluated step itself waits for the next
 * step, which the
 * monitor then evaluates ({@link #confirmationDue()}).
 *
 * <p>The extra {@code recorded} targets (for re-judging tolerance later) are searched when an
 * evaluation first meets each, by a straight-line guess and bisection ({@link #search}: the
 * first crossing where the loss crosses once in the gap), so the curve holds their crossings
 * to the step; they decide nothing.
 */
final class ConfirmedStepJudge {
  private final double target;
  private final double bound;
  private final double minImprovement;
  private final long patienceSteps;
  private final double[] recorded;
  private final boolean[] recordedFound;
  private long lastStep;
  private double lastLoss;
  private long candidate = -1;
  private double best = Double.POSITIVE_INFINITY;
  private long bestStep;
  private long recoveredStep = -1;

  ConfirmedStepJudge(RecoveryCriterion.Threshold spec, Baseline baseline) {
    this.target = spec.target().loss(baseline);
    this.bound = spec.divergenceLoss(baseline);
    this.minImprovement = spec.minImprovement();
    this.patienceSteps = spec.patience();
    this.lastLoss = baseline.lossAfterWipe();
    List<Target> extra = spec.recorded();
    this.recorded = new double[extra.size()];
    this.recordedFound = new boolean[extra.size()];
    for (int i = 0; i < recorded.length; i++) {
      recorded[i] = extra.get(i).loss(baseline);
    }
  }

  double target() {
    return target;
  }

  /** Whether the last evaluation met the target at its own step, so the next step decides. */
  boolean confirmationDue() {
    return candidate >= 0;
  }

  /** The step {@code T_ε} was reached at, or -1. */
  long recoveredStep() {
    return recoveredStep;
  }

  /**
   * Takes the evaluation at step {@code now}.
   *
   * @param lossAt the loss at a step after the last evaluation and before {@code now}, or null
   *     when the loop keeps no copies (the rule then resolves to the evaluation schedule)
   */
  Optional<Verdict> observe(long now, double loss, LongToDoubleFunction lossAt) {
    if (!Double.isFinite(loss) || loss > bound) {
      return Optional.of(Verdict.DIVERGED);
    }
    long lastMiss = lastStep;
    if (candidate >= 0) {
      long c = candidate;
      candidate = -1;
      double next = now == c + 1 || lossAt == null ? loss : lossAt.applyAsDouble(c + 1);
      if (next <= target) {
        recoveredStep = c;
        return done(now, loss, Verdict.RECOVERED);
      }
      lastMiss = c + 1;
    }
    if (lossAt != null) {
      for (int i = 0; i < recorded.length; i++) {
        if (!recordedFound[i] && loss <= recorded[i]) {
          recordedFound[i] = true;
          search(lastStep, lastLoss, now, loss, recorded[i], lossAt);
        }
      }
    }
    if (loss <= target) {
      long confirmed = lossAt == null ? -1 : scan(lastMiss, now, lossAt);
      if (confirmed >= 0) {
        recoveredStep = confirmed;
        return done(now, loss, Verdict.RECOVERED);
      }
      candidate = now; // the evaluated step itself: the next step decides
    }
    lastStep = now;
    lastLoss = loss;
    if (loss < best - minImprovement) {
      best = loss;
      bestStep = now;
    } else if (loss <= target) {
      bestStep = now; // at the target is not a plateau
    } else if (patienceSteps > 0 && candidate < 0 && now - bestStep >= patienceSteps) {
      return Optional.of(Verdict.PLATEAUED);
    }
    return Optional.empty();
  }

  /**
   * The first step {@code t} in {@code (lo, hi)} with {@code L(t)} and {@code L(t + 1)} at or
   * under the target, or -1 when there is none before {@code hi} (whose own confirmation is the
   * next step's). {@code lo} is a miss, {@code hi} a hit. Every other step is evaluated, from
   * {@code lo}: one of any two consecutive hits is then evaluated, and its neighbours tell
   * whether it is the first of a confirmed pair, so the answer is the every-step answer inside
   * the gap (about half the gap's evaluations up to the crossing, plus two).
   */
  private long scan(long lo, long hi, LongToDoubleFunction lossAt) {
    long base = lo; // a miss
    while (true) {
      long p = base + 2;
      if (p > hi) {
        return -1; // base is hi − 1, a miss: only hi is left
      }
      if (lossAt.applyAsDouble(p) > target) {
        base = p;
        continue;
      }
      if (lossAt.applyAsDouble(p - 1) <= target) {
        return p - 1; // p − 2 missed, p − 1 and p hit
      }
      if (p == hi) {
        return -1;
      }
      if (lossAt.applyAsDouble(p + 1) <= target) {
        return p;
      }
      base = p + 1;
    }
  }

  private Optional<Verdict> done(long now, double loss, Verdict v) {
    lastStep = now;
    lastLoss = loss;
    return Optional.of(v);
  }

  /**
   * The lowest step in {@code (lo, hi]} at or under {@code t}, {@code lo} a miss and {@code hi}
   * a hit (exact where the loss crosses {@code t} once in between). It first guesses the step
   * where the straight line between the two losses crosses {@code t} and checks it against its
   * neighbour (two evaluations when the curve is nearly straight over the gap, as it is once a
   * recovery slows down), then bisects what is left.
   */
  private static long search(long lo, double loLoss, long hi, double hiLoss, double t,
      LongToDoubleFunction lossAt) {
    if (hi - lo > 2 && Double.isFinite(loLoss) && loLoss > hiLoss) {
      long guess = lo + (long) Math.ceil((loLoss - t) / (loLoss - hiLoss) * (hi - lo));
      guess = Math.max(lo + 1, Math.min(hi - 1, guess));
      if (lossAt.applyAsDouble(guess) <= t) {
        hi = guess;
        if (hi - 1 > lo && lossAt.applyAsDouble(hi - 1) > t) {
          return hi;
        }
        hi = hi - 1 > lo ? hi - 1 : hi;
      } else {
        lo = guess;
        if (lo + 1 < hi && lossAt.applyAsDouble(lo + 1) <= t) {
          // lo + 1 is a hit right after a miss: the crossing
          return lo + 1;
        }
        lo = lo + 1 < hi ? lo + 1 : lo;
      }
    }
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (lossAt.applyAsDouble(mid) <= t) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }
}
