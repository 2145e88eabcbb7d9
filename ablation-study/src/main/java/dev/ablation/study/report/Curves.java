package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The recovery curves: per shape and arm, the lowest seed's validation loss against examples
 * seen (a log axis, so step 0 is left out), one line per wiped target, with the recovery
 * target and the original's {@code L*} as dashed lines. Examples, not examples / {@code B_ref}:
 * the report leads with the absolute cost, which does not move with where the original stopped.
 *
 * @param charts one per shape and arm
 */
record Curves(List<Chart> charts) {
  static Curves of(SortedMap<Shape, List<RunRecord>> byShape) {
    List<Chart> charts = new ArrayList<>();
    byShape.forEach((s, rs) -> Runs.group(rs, Arm::of).forEach((a, ar) -> {
      long seed = ar.stream().mapToLong(r -> r.key().seed()).min().orElseThrow();
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      List<RunRecord> lowest = ar.stream().filter(r -> r.key().seed() == seed).toList();
      lowest.forEach(r -> series.put(r.key().layer(),
          r.curve().stream().filter(p -> Double.isFinite(p.loss()) && p.examples() > 0)
              .map(p -> new double[] {p.examples(), p.loss()}).toList()));
      Map<String, Double> levels = new LinkedHashMap<>();
      lowest.stream().mapToDouble(RunRecord::targetLoss).filter(Double::isFinite).max()
          .ifPresent(t -> levels.put("target", t));
      levels.put("L*", lowest.get(0).row().lossOriginal());
      charts.add(new Chart.Lines("curves_" + s.slug() + "_" + a.scheme() + "_"
          + a.freeze().key() + (a.lr() == 1.0 ? "" : "_lr" + a.lr()),
          "recovery curves " + s + " " + a,
          new Chart.Labels("Recovery, " + s + ", " + a + ", seed " + seed,
              "examples seen (log)", "validation loss (nats/token)"), series, true, levels));
    }));
    return new Curves(charts);
  }
}
