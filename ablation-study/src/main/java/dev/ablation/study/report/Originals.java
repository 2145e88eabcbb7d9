package dev.ablation.study.report;

import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The originals of one shape, one row per seed: what {@code B_ref} and {@code L*} were, when
 * the original first reached the recovery target, and whether it was still falling at the end
 * (the last minus the first of its last k evaluations), with their curves.
 *
 * @param shape the shape
 * @param rows one per seed, by seed
 * @param chart the originals' validation curves, when any was recorded
 */
record Originals(Shape shape, List<Row> rows, Optional<Chart> chart) {

  /**
   * One original.
   *
   * @param tOrigToRef the smallest {@code T_orig / B_ref} over its runs' targets, if any
   * @param drift last − first of its last k evaluations; NaN when the curve is too short
   */
  record Row(long seed, long refExamples, double lossStar, double sigma,
      OptionalDouble tOrigToRef, double drift) {}

  static Originals of(Shape shape, List<RunRecord> rs) {
    List<Row> rows = new ArrayList<>();
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    Runs.sorted(rs, r -> r.key().seed()).forEach((seed, sr) -> {
      RunRecord r = sr.get(0);
      List<CurvePoint> oc = r.originalCurve();
      OptionalDouble tOrig = sr.stream().map(x -> x.row().rhoOrigToRef())
          .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).min();
      int k = Math.min(Runs.window(r), oc.size());
      double drift = oc.size() >= k && k > 1
          ? oc.get(oc.size() - 1).loss() - oc.get(oc.size() - k).loss() : Double.NaN;
      rows.add(new Row(seed, r.row().refExamples(), r.row().lossOriginal(),
          r.row().lossOriginalSd(), tOrig, drift));
      if (!oc.isEmpty()) {
        series.put("seed " + seed, oc.stream()
            .map(p -> new double[] {p.examples(), p.loss()}).toList());
      }
    });
    Optional<Chart> chart = series.isEmpty() ? Optional.empty()
        : Optional.of(new Chart.Lines("originals_" + shape.slug(), "original curves " + shape,
            "Originals' validation curves, " + shape, "examples seen",
            "validation loss (nats/token)", series));
    return new Originals(shape, rows, chart);
  }
}
