package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Table C of the findings page: were the sweep's originals trained long enough? Each shape's
 * seed-1 original beside the same original trained twice as long (the checks' {@code
 * check-2x*} studies), its drop in L* against twice the shorter one's σ and against the
 * target's ε.
 */
final class TrainedLongEnough {
  private TrainedLongEnough() {}

  /**
   * "Trained long enough?" into {@code md}, returning the answer's line: for each shape with
   * a {@code check-2x*} original (the same seed trained twice as many steps, the rate decayed
   * over the longer length), both L* and the drop against twice the shorter original's σ and
   * against the target's ε.
   */
  static String write(StringBuilder md, Path data, List<RunRecord> records,
      List<RunRecord> checked) {
    if (checked.isEmpty()) {
      return "not checked in these runs.";
    }
    List<RunRecord> longer = checked.stream().sorted(java.util.Comparator
        .comparingInt((RunRecord r) -> r.key().nLayers()).thenComparingInt(r -> r.key().dModel())
        .thenComparingLong(r -> r.key().seed())).toList();
    md.append("## Table C: trained long enough? The same original trained twice as long\n\n");
    md.append("Each row: seed 1 of a shape trained the sweep's 2,048 steps and, in `data/")
        .append(Findings.checks(data).getFileName()).append("/check-2x*/`, 4,096 steps with the rate "
            + "decayed over the longer length (the same data order and initialisation). The "
            + "length is long enough for a shape when the longer training lowers L* by less "
            + "than 2σ of the shorter (σ: spread of its last evaluations; with the rate decayed "
            + "to 0 it is tiny). The last column compares the drop with the recovery target's "
            + "tolerance ε instead: a drop under ε moves L* by less than what the target "
            + "forgives.\n\n");
    md.append("| N | D | seed | L* at 2,048 steps | σ | L* at 4,096 steps | drop | drop < 2σ "
        + "| drop < ε |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    int rows = 0;
    int pass = 0;
    int withinEps = 0;
    for (RunRecord l : longer) {
      Optional<RunRecord> base = records.stream()
          .filter(r -> r.key().nLayers() == l.key().nLayers()
              && r.key().dModel() == l.key().dModel() && r.key().seed() == l.key().seed())
          .findFirst();
      if (base.isEmpty()) {
        continue;
      }
      double star = base.get().row().lossOriginal();
      double sigma = base.get().row().lossOriginalSd();
      double drop = star - l.row().lossOriginal();
      double eps = epsilon(base.get());
      boolean ok = drop < 2 * sigma;
      rows++;
      pass += ok ? 1 : 0;
      withinEps += drop < eps ? 1 : 0;
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.4f | %.4f | %.4f | %.4f | %s "
          + "| %s (ε = %s) |%n", l.key().nLayers(), l.key().dModel(), l.key().seed(), star,
          sigma, l.row().lossOriginal(), drop, ok ? "yes" : "no", drop < eps ? "yes" : "no",
          Interval.fmt(eps)));
    }
    md.append(String.format(Locale.ROOT, "%n%d of %d shapes checked pass (drop < 2σ); %d of %d "
        + "moved L* by less than ε.%n%n", pass, rows, withinEps, rows));
    return String.format(Locale.ROOT, "for %d of %d shapes checked, training twice as long "
        + "lowered L* by less than 2σ; for %d, by less than the target's ε (table C).", pass,
        rows, withinEps);
  }

  /** The run's target tolerance ε in nats, from its manifest ({@code epsilon_nats}). */
  static double epsilon(RunRecord r) {
    String e = r.manifest().configuration().get("epsilon_nats");
    return e == null ? Double.NaN : Double.parseDouble(e);
  }
}
