package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import dev.ablation.study.plan.WipeTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Step 0 of one shape: the damage a wipe does ({@code L₀ − L*}) and the loss with the target
 * deleted, per target and scheme (policies and rates cannot change step 0); whether any block
 * is idle; and the (N − 1)-layer baseline when the study holds that shape.
 *
 * @param shape the shape
 * @param rows one per target and scheme
 * @param idle the idle-block test, when any block's deleted loss was measured
 * @param baseline the (N − 1)-layer baseline, when the study holds that shape
 * @param chart damage and deleted loss against the block
 */
record DamageTable(Shape shape, List<Row> rows, Optional<IdleBlocks> idle,
    Optional<Baseline> baseline, Optional<Chart> chart) {

  /** One target and scheme: mean L*, L₀ − L* and deleted − L* over seeds. */
  record Row(TargetScheme what, Interval lossStar, Interval wipe, Interval deleted) {}

  /**
   * Blocks whose deletion costs no more than ε (the recovery tolerance, {@code target − L*}):
   * the original would count as "recovered" without them.
   *
   * @param epsilon the mean tolerance over the block runs
   * @param idle the idle blocks, by index
   * @param cheapest the smallest mean deletion cost of any block
   */
  record IdleBlocks(double epsilon, List<Idle> idle, double cheapest) {}

  /** An idle block and what deleting it costs. */
  record Idle(int position, double cost) {}

  /**
   * An (N − 1)-layer model trained from scratch on the same data: the fair reference for a
   * deleted block.
   */
  record Baseline(int shallowerN, Interval shallower, int n, Interval own) {
    double difference() {
      return shallower.mean() - own.mean();
    }
  }

  static DamageTable of(Shape shape, SortedMap<Shape, List<RunRecord>> byShape) {
    List<RunRecord> rs = byShape.get(shape);
    List<Row> rows = new ArrayList<>();
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    Runs.group(rs, TargetScheme::of).forEach((what, cell) -> {
      Interval wipe = Runs.perSeed(cell, DamageTable::damage);
      rows.add(new Row(what, Runs.perSeed(cell, r -> r.row().lossOriginal()), wipe,
          Runs.perSeed(cell.stream().filter(r -> r.row().lossDeleted().isPresent()).toList(),
              DamageTable::deleted)));
      if (cell.get(0).position().isPresent()) {
        series.computeIfAbsent("wiped, " + what.scheme(), x -> new ArrayList<>())
            .add(new double[] {Runs.position(cell.get(0)), wipe.mean(), wipe.low(),
                wipe.high()});
      }
    });
    List<double[]> deleted = new ArrayList<>();
    Runs.sorted(rs.stream().filter(r -> r.position().isPresent())
        .filter(r -> r.row().lossDeleted().isPresent()).toList(), Runs::position)
        .forEach((l, lr) -> {
          Interval del = Runs.perSeed(lr, DamageTable::deleted);
          deleted.add(new double[] {l, del.mean(), del.low(), del.high()});
        });
    if (!deleted.isEmpty()) {
      series.put("layer deleted", deleted);
    }
    Optional<Chart> chart = series.isEmpty() ? Optional.empty()
        : Optional.of(new Chart.Intervals("damage_vs_layer_" + shape.slug(),
            "damage vs layer " + shape, "Step-0 damage vs layer, " + shape, "wiped layer L",
            "loss − L* (nats)", series));
    return new DamageTable(shape, rows, idle(rs), baseline(shape, byShape), chart);
  }

  static double damage(RunRecord r) {
    return r.row().lossAfterWipe() - r.row().lossOriginal();
  }

  static double deleted(RunRecord r) {
    return r.row().lossDeleted().getAsDouble() - r.row().lossOriginal();
  }

  private static Optional<IdleBlocks> idle(List<RunRecord> rs) {
    List<RunRecord> blocks = rs.stream().filter(r -> r.key().target() instanceof WipeTarget.Block)
        .filter(r -> r.row().lossDeleted().isPresent()).toList();
    if (blocks.isEmpty()) {
      return Optional.empty();
    }
    double eps = blocks.stream().mapToDouble(r -> r.targetLoss() - r.row().lossOriginal())
        .average().orElse(Double.NaN);
    List<Idle> idle = new ArrayList<>();
    double smallest = Double.POSITIVE_INFINITY;
    for (Map.Entry<Integer, List<RunRecord>> e : Runs.sorted(blocks, Runs::position)
        .entrySet()) {
      double cost = Runs.perSeed(e.getValue(), DamageTable::deleted).mean();
      smallest = Math.min(smallest, cost);
      if (cost <= eps) {
        idle.add(new Idle(e.getKey(), cost));
      }
    }
    return Optional.of(new IdleBlocks(eps, idle, smallest));
  }

  private static Optional<Baseline> baseline(Shape shape,
      SortedMap<Shape, List<RunRecord>> byShape) {
    List<RunRecord> shallower = byShape.getOrDefault(shape.shallower(), List.of());
    if (shape.n() < 2 || shallower.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Baseline(shape.n() - 1,
        Runs.perSeed(shallower, r -> r.row().lossOriginal()), shape.n(),
        Runs.perSeed(byShape.get(shape), r -> r.row().lossOriginal())));
  }
}
