package dev.ablation.study.report;

import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The runs that did not end with a recovery, listed one by one (they are censored in every ρ,
 * so a reader can see each), and the wipes that left nothing to recover (never in any ρ).
 *
 * @param notRecovered damaged runs that did not recover, in the records' order
 * @param undamaged undamaged runs grouped by shape, target and scheme
 */
record Outcomes(List<NotRecovered> notRecovered, List<Undamaged> undamaged) {

  /** A run censored at what it spent. */
  record NotRecovered(RunKey key, Verdict verdict, double finalMinusLossStar,
      double spentOverRef) {}

  /** A group of undamaged wipes: seeds, mean L₀ − L* and mean target − L*. */
  record Undamaged(RunKey first, List<Long> seeds, double damage, double tolerance) {}

  /** Shape, target and scheme: what an undamaged wipe's seeds share. */
  private record Key(Shape shape, TargetScheme what) {}

  static Outcomes of(List<RunRecord> records) {
    List<NotRecovered> bad = records.stream()
        .filter(r -> !Runs.recovered(r) && !Runs.undamaged(r))
        .map(r -> new NotRecovered(r.key(), r.row().verdict(),
            r.row().lossFinal() - r.row().lossOriginal(),
            (double) r.examplesSpent() / r.row().refExamples())).toList();
    List<Undamaged> u = new ArrayList<>();
    Runs.group(records.stream().filter(Runs::undamaged).toList(),
        r -> new Key(Shape.of(r.key()), TargetScheme.of(r))).values().forEach(cell ->
        u.add(new Undamaged(cell.get(0).key(),
            cell.stream().map(r -> r.key().seed()).distinct().toList(),
            cell.stream().mapToDouble(r -> r.row().lossAfterWipe() - r.row().lossOriginal())
                .average().orElse(Double.NaN),
            cell.stream().mapToDouble(r -> r.targetLoss() - r.row().lossOriginal())
                .average().orElse(Double.NaN))));
    return new Outcomes(bad, u);
  }
}
