package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The two charts that put every shape on one page: each cell's median ρ against relative depth
 * L/(N−1), one line per shape (N and D) and arm (does the position effect scale with depth?),
 * and each recovered run's step-0 damage against its ρ, every shape's runs pooled and labelled
 * so (does damage predict cost?). Charts only: no statistic pools across shapes.
 *
 * @param byDepth ρ against relative depth, when any cell with N ≥ 2 placed a median
 * @param damageVsRho damage against ρ, when any single-block run recovered
 */
record Pooled(Optional<Chart> byDepth, Optional<Chart> damageVsRho) {

  /** The charts of {@code single}, the single-block runs; empty when there are none. */
  static Optional<Pooled> of(List<RunRecord> single) {
    if (single.isEmpty()) {
      return Optional.empty();
    }
    Map<String, List<double[]>> byDepth = new LinkedHashMap<>();
    // one line per shape (N and D) and arm: a cell's ρ is never pooled across widths
    Runs.sorted(single.stream().filter(r -> r.key().nLayers() > 1).toList(),
        r -> Shape.of(r.key())).forEach((shape, rn) -> Runs.group(rn, Arm::of)
        .forEach((arm, ra) -> {
          List<double[]> pts = new ArrayList<>();
          Runs.sorted(ra, Runs::position).forEach((l, rl) -> {
            Censored.Estimate e = Runs.rho(rl);
            if (e.median().isPresent()) {
              double m = e.median().getAsDouble();
              pts.add(new double[] {l / (double) (shape.n() - 1), m,
                  Double.isNaN(e.low()) ? m : e.low(), Double.isNaN(e.high()) ? m : e.high()});
            }
          });
          if (!pts.isEmpty()) {
            byDepth.put("N=" + shape.n() + " D=" + shape.d() + ", " + arm, pts);
          }
        }));
    Map<String, List<double[]>> damageRho = new LinkedHashMap<>();
    single.stream().filter(Runs::recovered).forEach(r -> damageRho.computeIfAbsent(
        r.key().scheme().toString(), x -> new ArrayList<>()).add(new double[] {
            DamageTable.damage(r), r.row().rho().getAsDouble()}));
    damageRho.values().forEach(l -> l.sort((a, b) -> Double.compare(a[0], b[0])));
    return Optional.of(new Pooled(
        byDepth.isEmpty() ? Optional.empty() : Optional.of(new Chart.Intervals(
            "rho_vs_relative_depth", "rho vs relative depth", "ρ vs relative depth L/(N−1)",
            "L / (N − 1)", "ρ = T_ε / B_ref", byDepth)),
        damageRho.isEmpty() ? Optional.empty() : Optional.of(new Chart.Scatter("damage_vs_rho",
            "damage vs rho", "Step-0 damage vs ρ (recovered runs, every shape pooled)", "L₀ − L* (nats)", "ρ",
            damageRho))));
  }
}
