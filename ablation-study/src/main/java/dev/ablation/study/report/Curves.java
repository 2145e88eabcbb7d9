package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The recovery curves: per shape and arm, the lowest seed's validation loss against examples
 * seen (as a fraction of {@code B_ref}), one line per wiped target.
 *
 * @param charts one per shape and arm
 */
record Curves(List<Chart> charts) {
  static Curves of(SortedMap<Shape, List<RunRecord>> byShape) {
    List<Chart> charts = new ArrayList<>();
    byShape.forEach((s, rs) -> Runs.group(rs, Arm::of).forEach((a, ar) -> {
      long seed = ar.stream().mapToLong(r -> r.key().seed()).min().orElseThrow();
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      ar.stream().filter(r -> r.key().seed() == seed).forEach(r -> series.put(r.key().layer(),
          r.curve().stream().filter(p -> Double.isFinite(p.loss()))
              .map(p -> new double[] {(double) p.examples() / r.row().refExamples(), p.loss()})
              .toList()));
      charts.add(new Chart.Lines("curves_" + s.slug() + "_" + a.scheme() + "_"
          + a.freeze().key() + (a.lr() == 1.0 ? "" : "_lr" + a.lr()),
          "recovery curves " + s + " " + a, "Recovery, " + s + ", " + a + ", seed " + seed,
          "examples / B_ref", "validation loss (nats/token)", series));
    }));
    return new Curves(charts);
  }
}
