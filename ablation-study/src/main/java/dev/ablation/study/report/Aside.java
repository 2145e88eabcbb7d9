package dev.ablation.study.report;

import java.util.Locale;
import dev.ablation.api.Architecture;
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
 * @param swapShift how much higher the encoder swaps' reference loss is than the other wipes'
 *     (the mean of the original's last k evaluations against its final weights' loss; largest
 *     over seeds, NaN without swaps): their target is that much easier
 */
record Aside(Shape shape, Interval lossStar, double lnV, Interval decoderAlone, List<Row> rows,
    double swapShift) {

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
   * What a wipe did to a target before recovery: the loss it added and how far back towards
   * uniform guessing that is. Grouped because the aside's question (is a wipe a reset?) reads
   * the two together.
   *
   * @param wipe L₀ − L*, over seeds
   * @param resetFraction (L₀ − L*) / (ln V − L*), over seeds
   */
  record Damage(Interval wipe, Interval resetFraction) {}

  /**
   * One target and scheme.
   *
   * @param damage what the wipe did
   * @param examples examples to recover, Kaplan–Meier over seeds (the absolute cost, which a
   *     ratio to T_scratch hides)
   * @param scratch T_ε / T_scratch of the recovered runs
   */
  record Row(TargetScheme what, Damage damage, Tally tally, Censored.Estimate examples,
      Interval scratch, Likeness likeness) {}

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
      Interval frac = Runs.perSeed(cell, r -> DamageTable.damage(r) / (lnV - r.row().lossOriginal()));
      Interval cost = Interval.of(Runs.scratchRatios(cell));
      // never recovered: of the runs the wipe damaged; a cell of undamaged runs is no reset
      List<RunRecord> damaged = cell.stream().filter(r -> !Runs.undamaged(r)).toList();
      boolean never = !damaged.isEmpty() && damaged.stream().noneMatch(Runs::recovered);
      rows.add(new Row(what, new Damage(Runs.perSeed(cell, DamageTable::damage), frac),
          Tally.of(cell), Censored.estimate(Runs.examplesObs(cell)), cost,
          Likeness.of(frac.mean() >= 0.8, never || (cost.n() > 0 && cost.mean() >= 0.5))));
    });
    // L* of the wipes (the original's final weights); an encoder swap is judged against the
    // mean of the original's last k evaluations instead (docs/protocol.md), shown apart
    List<RunRecord> wipes = rs.stream().filter(r -> !isSwap(r)).toList();
    double shift = Double.NaN;
    for (RunRecord swap : rs.stream().filter(Aside::isSwap).toList()) {
      for (RunRecord w : wipes) {
        if (w.key().seed() == swap.key().seed()) {
          double d = swap.row().lossOriginal() - w.row().lossOriginal();
          shift = Double.isNaN(shift) ? d : Math.max(shift, d);
          break;
        }
      }
    }
    return new Aside(shape, Runs.perSeed(wipes.isEmpty() ? rs : wipes,
        r -> r.row().lossOriginal()), lnV, alone, rows, shift);
  }

  private static boolean isSwap(RunRecord r) {
    return r.key().target() instanceof WipeTarget.SwapEncoder;
  }

  /** The aside's section, also for pages other than a study's report. */
  static List<String> lines(List<Aside> asides) {
    List<String> out = new ArrayList<>();
    if (asides.isEmpty()) {
      return out;
    }
    out.add("## The aside: when does a wipe act like resetting the whole model?");
    out.add("");
    out.add("A full reset has two signatures: at step 0 the loss is that of an untrained model "
        + "(≈ ln V, uniform guessing: reset fraction (L₀ − L*) / (ln V − L*) ≈ 1), and "
        + "recovering costs as much as training from scratch (T_ε / T_scratch ≈ 1, or never). "
        + "`decoder alone` is the loss with every cross-attention deleted: what the decoder "
        + "predicts from the target's own structure, without the source. `T_ε, examples` is "
        + "the absolute cost (Kaplan–Meier median over seeds [95% CI]; a run that did not "
        + "recover is censored at what it spent). `encoder.swap(d_model=w)` is a freshly "
        + "initialised encoder of width w (`fresh_encoder`), `encoder.trained(…)` one trained on "
        + "the same task (`trained_encoder`), each with a new projection to the decoder's width "
        + "and the cross-attention wiped, and `encoder.stitched(…)` the trained one with the "
        + "cross-attention kept, only the projection training (`stitched_encoder`).");
    out.add("");
    for (Aside a : asides) {
      out.add("### " + a.shape());
      out.add("");
      out.add("L* = " + a.lossStar().format() + "; ln V = " + Interval.fmt(a.lnV())
          + "; decoder alone = "
          + (a.decoderAlone().n() == 0 ? "not measured" : a.decoderAlone().format()) + "."
          + (Double.isNaN(a.swapShift()) ? "" : String.format(Locale.ROOT, " The encoder "
          + "swaps' target is relative to the mean of the original's last k evaluations, the "
          + "other wipes' to its final weights' loss (docs/protocol.md): the swaps' reference is "
          + "higher by up to %.4f nats here, so their target is that much easier.",
          a.swapShift())));
      out.add("");
      out.add("| target | scheme | L₀ − L* | reset fraction at step 0 | recovered | "
          + "T_ε, examples | T_ε / T_scratch | like a full reset? |");
      out.add("|---|---|---|---|---|---|---|---|");
      for (Aside.Row r : a.rows()) {
        out.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |",
            r.what().target().label(), r.what().scheme(), r.damage().wipe().format(),
            Interval.fmt(r.damage().resetFraction().mean()), r.tally(),
            r.examples().formatCount(),
            r.scratch().n() == 0 ? "–" : Interval.fmt(r.scratch().mean()), r.likeness()));
      }
      out.add("");
    }
    out.add("Reading it: a target whose reset fraction is near 1 left the model guessing at "
        + "step 0 — wiping cross-attention cuts the decoder off from the source, and a FRESH "
        + "cross-attention also writes noise into the decoder's residual stream, so the loss "
        + "can exceed the decoder-alone loss. Whether it then *costs* a full reset depends on "
        + "what must be relearned: with the decoder and a trained encoder in place only the "
        + "alignment between them is missing (cross-attention, or only a projection when "
        + "stitching), and its T_ε / T_scratch shows how much of the original training that "
        + "alignment is.");
    out.add("");
    return out;
  }
}
