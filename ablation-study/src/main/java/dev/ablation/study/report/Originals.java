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
 * (the last minus the first of its last k evaluations), with their curves, the mean {@code L*}
 * and, where the manifests record it, the task's loss floor as dashed lines.
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

  /** The manifest key of the task's loss floor (nats/token), where the engine records one. */
  static final String FLOOR = "loss_floor";

  /**
   * The task's loss floor (the Bayes-optimal loss, or a measured reference) when the runs'
   * manifests record it under {@value #FLOOR}; empty otherwise, and then no floor is drawn.
   */
  static OptionalDouble floor(List<RunRecord> rs) {
    return rs.stream().map(r -> r.manifest().configuration().get(FLOOR))
        .filter(java.util.Objects::nonNull).mapToDouble(Double::parseDouble)
        .filter(Double::isFinite).findFirst();
  }

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
    Map<String, Double> levels = new LinkedHashMap<>();
    floor(rs).ifPresent(f -> levels.put("loss floor", f));
    rows.stream().mapToDouble(Row::lossStar).average()
        .ifPresent(m -> levels.put("L* (mean over seeds)", m));
    Optional<Chart> chart = series.isEmpty() ? Optional.empty()
        : Optional.of(new Chart.Lines("originals_" + shape.slug(), "original curves " + shape,
            new Chart.Labels("Originals' validation curves, " + shape, "examples seen",
                "validation loss (nats/token)"), series, false, levels));
    return new Originals(shape, rows, chart);
  }
}
