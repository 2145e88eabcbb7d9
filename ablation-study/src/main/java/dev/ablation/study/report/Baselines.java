package dev.ablation.study.report;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.plan.WipeTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The two fair comparisons beside ρ: training from scratch ({@code ρ_scratch = T_scratch /
 * B_ref} per shape), and the control (ρ with only the wiped layer trainable over ρ with
 * everything trainable, paired by seed).
 *
 * @param scratch per shape, when any run measured T_scratch; else empty
 * @param control per cell with both policies, when the study ran both; else empty
 */
record Baselines(Optional<List<Scratch>> scratch, Optional<List<Control>> control) {

  /** One shape's T_scratch / B_ref over the originals that measured it. */
  record Scratch(Shape shape, int measured, int originals, Optional<Censored.Estimate> rho) {}

  /**
   * One target, scheme and rate: the paired ratio, the pairs used and the damaged pairs left out
   * because one of the two did not recover.
   */
  record Control(Shape shape, ControlKey key, Optional<Censored.Estimate> ratio, int used,
      long leftOut) {}

  /** What the two policies of a control pair share besides the original. */
  record ControlKey(WipeTarget target, ReinitScheme scheme, double lr) {
    static ControlKey of(RunRecord r) {
      return new ControlKey(r.key().target(), r.key().scheme(), r.key().lrMultiple());
    }
  }

  static Baselines of(SortedMap<Shape, List<RunRecord>> byShape, List<RunRecord> records) {
    Optional<List<Scratch>> scratch = Optional.empty();
    if (records.stream().anyMatch(r -> r.row().examplesScratch().isPresent())) {
      List<Scratch> s = new ArrayList<>();
      byShape.forEach((shape, rs) -> {
        Map<Long, OptionalDouble> perSeed = new TreeMap<>();
        rs.forEach(r -> perSeed.put(r.key().seed(), r.row().rhoScratch()));
        List<Double> vals = perSeed.values().stream().filter(OptionalDouble::isPresent)
            .map(OptionalDouble::getAsDouble).toList();
        s.add(new Scratch(shape, vals.size(), perSeed.size(),
            vals.isEmpty() ? Optional.empty() : Optional.of(Censored.ratio(vals))));
      });
      scratch = Optional.of(s);
    }
    Optional<List<Control>> control = Optional.empty();
    if (records.stream().anyMatch(r -> r.key().freeze() instanceof FreezePolicy.AllTrainable)
        && records.stream().anyMatch(r -> r.key().freeze() instanceof FreezePolicy.OnlyWiped)) {
      List<Control> c = new ArrayList<>();
      byShape.forEach((shape, rs) -> Runs.group(rs, ControlKey::of).forEach((key, cell) -> {
        if (cell.stream().noneMatch(r -> r.key().freeze() instanceof FreezePolicy.AllTrainable)) {
          return;
        }
        List<Double> ratios = Runs.pairedRatios(cell,
            r -> r.key().freeze() instanceof FreezePolicy.OnlyWiped,
            r -> r.key().freeze() instanceof FreezePolicy.AllTrainable);
        long seeds = cell.stream().map(r -> r.key().seed()).distinct().count();
        long undamagedSeeds = cell.stream().filter(Runs::undamaged)
            .map(r -> r.key().seed()).distinct().count();
        c.add(new Control(shape, key,
            ratios.isEmpty() ? Optional.empty() : Optional.of(Censored.ratio(ratios)),
            ratios.size(), seeds - undamagedSeeds - ratios.size()));
      }));
      control = Optional.of(c);
    }
    return new Baselines(scratch, control);
  }
}
