package dev.ablation.study.engine;

import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Spending;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.store.OriginalRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Whether {@code T_ε} searched to the step (the study's sparse schedule and kept copies) is the
 * {@code T_ε} of the same run evaluated after every step: every run of a plan (a slice of a
 * preset) twice on one engine, same original, seeds and data, and the two answers compared.
 * The acceptance rule: at most 2 % of runs may differ, each by at most 2 steps, and
 * every difference is listed. Prints {@code name=value} lines and one line per differing run.
 */
public final class ExactnessCheck {
  private ExactnessCheck() {}

  /** What the check found. */
  public record Comparison(int runs, int differing, long largestGap, List<String> differences) {
    /** Whether the acceptance rule holds. */
    public boolean passes() {
      return differing <= Math.floor(0.02 * runs) && largestGap <= 2;
    }
  }

  /**
   * Runs every recovery of {@code plan} twice (originals trained into or loaded from
   * {@code cache}), printing each comparison to {@code out}.
   */
  public static Comparison run(StudyPlan plan, Path cache, PrintWriter out) {
    int runs = 0;
    int differing = 0;
    long largest = 0;
    List<String> diffs = new ArrayList<>();
    try (SameDiffStudyEngine engine = new SameDiffStudyEngine(cache)) {
      for (OriginalSpec spec : plan.originals()) {
        OriginalRecord original = engine.original(spec);
        for (RecoveryRequest r : plan.runs(spec)) {
          RecoveryResult sparse = engine.recoverOn(original, r, spec.training().schedule());
          RecoveryResult every = engine.recoverOn(original, r, EvaluationSchedule.every(1));
          runs++;
          OptionalLong a = steps(sparse);
          OptionalLong b = steps(every);
          String line = String.format(Locale.ROOT, "%s %s %s %s seed %d: %s %s against %s %s "
                  + "(evaluations %d against %d)", spec.model(), r.target().label(), r.scheme(),
              r.policy().key(), r.seed(), sparse.verdict(), text(a), every.verdict(), text(b),
              sparse.curve().size() - 1, every.curve().size() - 1);
          out.println("run " + line);
          out.flush();
          if (sparse.verdict() != every.verdict() || !a.equals(b)) {
            differing++;
            long gap = a.isPresent() && b.isPresent() ? Math.abs(a.getAsLong() - b.getAsLong())
                : Long.MAX_VALUE;
            largest = Math.max(largest, gap);
            diffs.add(line);
          }
        }
      }
    }
    Comparison o = new Comparison(runs, differing, largest, diffs);
    out.println("exactness_runs=" + runs);
    out.println("exactness_differing=" + differing);
    out.println("exactness_largest_gap_steps=" + (largest == Long.MAX_VALUE ? "verdict" : largest));
    diffs.forEach(d -> out.println("differs " + d));
    out.println("exactness_passes=" + o.passes());
    out.flush();
    return o;
  }

  private static OptionalLong steps(RecoveryResult r) {
    return r.recoveredAt().map(Spending::steps).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  private static String text(OptionalLong steps) {
    return steps.isPresent() ? "T_ε " + steps.getAsLong() + " steps" : "(no T_ε)";
  }
}
