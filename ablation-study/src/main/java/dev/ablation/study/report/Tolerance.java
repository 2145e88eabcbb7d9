package dev.ablation.study.report;

import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.study.plan.WipeTarget;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tolerance re-judged (table E of the findings page): what each block's cost becomes when
 * "back" means within a looser ε′ of L* instead of the study's ε. A run stops at its own target,
 * so only looser tolerances can be read back; each run's curve holds the step where it first
 * crossed each recorded ε′ (the study searches it on kept weights), so the looser cost is read
 * to the step. The looser cost counts the first step at or under L* + max(ε′, 2σ), without the
 * study's confirmation by the next step; the study's own T_ε sits beside it.
 *
 * @param epsilon the looser tolerance, nats
 * @param rows one per shape and block of the question's arm
 */
record Tolerance(double epsilon, List<Row> rows) {

  /**
   * One shape and block.
   *
   * @param atTarget examples to T_ε under the study's ε (Kaplan–Meier over seeds)
   * @param atLooser examples to the first step under L* + max(ε′, 2σ)
   */
  record Row(int n, int d, int block, Censored.Estimate atTarget, Censored.Estimate atLooser) {}

  static Tolerance of(List<RunRecord> records, double epsilon) {
    Map<String, List<RunRecord>> cells = new TreeMap<>();
    for (RunRecord r : records) {
      if (r.key().target() instanceof WipeTarget.Block && r.position().isPresent()
          && r.key().lrMultiple() == 1.0) {
        cells.computeIfAbsent(String.format(Locale.ROOT, "%03d/%05d/%03d", r.key().nLayers(),
            r.key().dModel(), Runs.position(r)), k -> new ArrayList<>()).add(r);
      }
    }
    List<Row> rows = new ArrayList<>();
    cells.values().forEach(rs -> {
      RunRecord r = rs.get(0);
      rows.add(new Row(r.key().nLayers(), r.key().dModel(), Runs.position(r),
          Censored.estimate(Runs.examplesObs(rs)), Censored.estimate(looser(rs, epsilon))));
    });
    return new Tolerance(epsilon, rows);
  }

  /**
   * The examples at the first curve point at or under L* + max(ε′, 2σ) of each damaged run;
   * a run that never got there is censored at what it spent.
   */
  static List<Censored.Obs> looser(List<RunRecord> rs, double epsilon) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (Runs.undamaged(r)) {
        continue;
      }
      double target = r.row().lossOriginal()
          + Math.max(epsilon, 2 * r.row().lossOriginalSd());
      CurvePoint hit = null;
      CurvePoint before = null;
      for (CurvePoint p : r.curve()) {
        if (p.step() > 0 && p.loss() <= target) {
          hit = p;
          break;
        }
        before = p;
      }
      if (hit == null) {
        out.add(new Censored.Obs(Math.max((double) r.examplesSpent(), 1.0), false));
      } else {
        // the step before the hit on the curve bounds it from below, as for T_ε
        double low = before == null ? hit.examples() : before.examples() + 1;
        out.add(new Censored.Obs(hit.examples(), true, Math.min(low, hit.examples())));
      }
    }
    return out;
  }

  /** The table's lines for the findings page. */
  List<String> lines(String epsilonText) {
    List<String> out = new ArrayList<>();
    out.add("## Table E: the tolerance re-judged at ε′ = " + plain(epsilon) + " nats");
    out.add("");
    out.add("What each block costs when \"back\" means within ε′ of L* instead of the study's ε ("
        + epsilonText + "): examples to the first step at or under L* + max(ε′, 2σ), read from "
        + "the run's curve, where the study recorded the step each run first crossed ε′ "
        + "(searched on kept weights, exact to the step; this count does not ask the next step "
        + "to agree, T_ε does). Kaplan–Meier medians over seeds [95% CI]. Tighter tolerances "
        + "cannot be read back: a run stops at its own target (see \"Past the target\" for "
        + "where runs that went on settled).");
    out.add("");
    out.add("| N | D | block | T_ε (examples) | at ε′ (examples) | ratio |");
    out.add("|---|---|---|---|---|---|");
    for (Row r : rows) {
      String ratio = r.atTarget().median().isPresent() && r.atLooser().median().isPresent()
          ? String.format(Locale.ROOT, "%.2f", r.atLooser().median().getAsDouble()
              / r.atTarget().median().getAsDouble()) : "—";
      out.add(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s | %s |", r.n(), r.d(),
          r.block(), r.atTarget().formatCount(), r.atLooser().formatCount(), ratio));
    }
    out.add("");
    return out;
  }

  /** The answer's clause: how much a looser tolerance saves, over the cells where both exist. */
  String summary() {
    List<Double> ratios = new ArrayList<>();
    for (Row r : rows) {
      if (r.atTarget().median().isPresent() && r.atLooser().median().isPresent()) {
        ratios.add(r.atLooser().median().getAsDouble() / r.atTarget().median().getAsDouble());
      }
    }
    if (ratios.isEmpty()) {
      return "no cell has both costs";
    }
    ratios.sort(null);
    return String.format(Locale.ROOT, "at ε′ = %s nats a cell's median cost is %.2f–%.2f × "
        + "its cost at the study's ε (%d cells, table E)", plain(epsilon), ratios.get(0),
        ratios.get(ratios.size() - 1), ratios.size());
  }

  /** {@code 0.05}: a tolerance as typed. */
  private static String plain(double x) {
    return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
  }
}
