package dev.ablation.study.report;

import dev.ablation.samediff.model.Architecture;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.plan.WipeTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * The question's aside, from the encoder-decoder runs of one shape: which wipe "acted as if the
 * whole model had been reset" — at step 0 (L₀ near the loss of uniform guessing, ln V) and in
 * cost (T_ε near T_scratch, or never recovered) — next to the loss of the decoder without its
 * source (all cross-attention deleted), which is what the target side's own structure gives.
 *
 * @param shape an encoder-decoder shape
 * @param lossStar L* over seeds
 * @param lnV the loss of uniform guessing (NaN when the vocabulary is unknown)
 * @param decoderAlone the loss with every cross-attention deleted, over seeds
 * @param rows one per target and scheme
 */
record Aside(Shape shape, Interval lossStar, double lnV, Interval decoderAlone, List<Row> rows) {

  /** Whether a wipe looked like a full reset, and in which of the two ways. */
  enum Likeness {
    BOTH("yes: at step 0 and in cost"), AT_START("at step 0 only"), IN_COST("in cost only"),
    NO("no");

    private final String text;

    Likeness(String text) {
      this.text = text;
    }

    static Likeness of(boolean atStart, boolean inCost) {
      return atStart && inCost ? BOTH : atStart ? AT_START : inCost ? IN_COST : NO;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * One target and scheme.
   *
   * @param resetFraction (L₀ − L*) / (ln V − L*), over seeds
   * @param examples examples to recover, Kaplan–Meier over seeds (the absolute cost, which a
   *     ratio to T_scratch hides)
   * @param scratch T_ε / T_scratch of the recovered runs
   */
  record Row(TargetScheme what, Interval wipe, Interval resetFraction, Tally tally,
      Censored.Estimate examples, Interval scratch, Likeness likeness) {}

  /** Whether {@code shape}'s runs belong in the aside. */
  static boolean applies(Shape shape) {
    return shape.arch() == Architecture.ENCODER_DECODER;
  }

  static Aside of(Shape shape, List<RunRecord> rs) {
    var config = rs.get(0).manifest().configuration();
    double lnV = Math.log(config.containsKey("vocab")
        ? Double.parseDouble(config.get("vocab")) : Double.NaN);
    Interval alone = Runs.perSeed(rs.stream()
        .filter(r -> r.key().target() instanceof WipeTarget.AllCrossAttention)
        .filter(r -> r.row().lossDeleted().isPresent()).toList(),
        r -> r.row().lossDeleted().getAsDouble());
    List<Row> rows = new ArrayList<>();
    Runs.group(rs, TargetScheme::of).forEach((what, cell) -> {
      Interval frac = Runs.perSeed(cell, r -> Damage.damage(r) / (lnV - r.row().lossOriginal()));
      Interval cost = Interval.of(Runs.scratchRatios(cell));
      // never recovered: of the runs the wipe damaged; a cell of undamaged runs is no reset
      List<RunRecord> damaged = cell.stream().filter(r -> !Runs.undamaged(r)).toList();
      boolean never = !damaged.isEmpty() && damaged.stream().noneMatch(Runs::recovered);
      rows.add(new Row(what, Runs.perSeed(cell, Damage::damage), frac, Tally.of(cell),
          Censored.estimate(Runs.examplesObs(cell)), cost,
          Likeness.of(frac.mean() >= 0.8, never || (cost.n() > 0 && cost.mean() >= 0.5))));
    });
    return new Aside(shape, Runs.perSeed(rs, r -> r.row().lossOriginal()), lnV, alone, rows);
  }
}
