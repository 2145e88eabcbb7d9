package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cells of one shape with their costs relative to three references: {@code ρ = T_ε /
 * B_ref}, {@code ρ_orig = T_ε / T_orig} and {@code T_ε / T_scratch}, and a chart of each seed's
 * ρ against the wiped block beside the cell's median. A block without a median (every wipe
 * undamaged, or not reached) breaks the line and is labelled on the chart.
 *
 * @param shape the shape
 * @param rows one per cell, in order of first appearance
 * @param chart ρ against the block, when the shape has single-block cells
 */
record RhoPerLayer(Shape shape, List<Row> rows, Optional<Chart> chart) {

  /** One cell: its tally and the three ratios (the last empty without T_scratch). */
  record Row(CellKey cell, Tally tally, Censored.Estimate rho, Censored.Estimate rhoOrig,
      Optional<Censored.Estimate> scratch) {}

  static RhoPerLayer of(Shape shape, List<RunRecord> rs) {
    List<Row> rows = new ArrayList<>();
    Runs.group(rs, CellKey::of).forEach((cell, runs) -> {
      List<Double> ratio = Runs.scratchRatios(runs);
      rows.add(new Row(cell, Tally.of(runs), Runs.rho(runs),
          Censored.estimate(Runs.rhoOrigObs(runs)),
          ratio.isEmpty() ? Optional.empty() : Optional.of(Censored.ratio(ratio))));
    });
    Map<String, List<double[]>> medians = new LinkedHashMap<>();
    Map<String, List<double[]>> seeds = new LinkedHashMap<>();
    Map<Double, String> marks = new java.util.TreeMap<>();
    Runs.group(rs.stream().filter(r -> r.position().isPresent()).toList(), Arm::of)
        .forEach((a, ar) -> {
          List<double[]> pts = new ArrayList<>();
          List<double[]> each = new ArrayList<>();
          Runs.sorted(ar, Runs::position).forEach((l, lr) -> {
            Censored.Estimate i = Runs.rho(lr);
            if (i.median().isPresent()) {
              pts.add(new double[] {l, i.median().getAsDouble(), i.low(),
                  Double.isInfinite(i.high()) ? i.median().getAsDouble() : i.high()});
            } else {
              // a gap, never a line drawn straight across a block without a median
              pts.add(new double[] {l, Double.NaN, Double.NaN, Double.NaN});
              marks.merge((double) l, i.n() == 0 ? "undamaged" : "not reached",
                  (x, y) -> x.equals(y) ? x : x + " / " + y);
            }
            for (Censored.Obs o : Runs.rhoObs(lr)) {
              each.add(new double[] {l, o.value(), o.event() ? 1 : 0});
            }
          });
          medians.put(a.toString(), pts);
          seeds.put(a.toString(), each);
        });
    Optional<Chart> chart = medians.isEmpty() ? Optional.empty()
        : Optional.of(new Chart.IntervalsWithPoints("rho_vs_layer_" + shape.slug(),
            "rho vs layer " + shape, new Chart.Labels("ρ vs wiped layer, " + shape,
                "wiped layer L", "ρ = T_ε / B_ref (median, 95% CI; dots: seeds)"),
            medians, seeds, marks));
    return new RhoPerLayer(shape, rows, chart);
  }
}
