package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SortedMap;

/**
 * What a recovery cost in the units a user pays: examples seen and optimiser steps until
 * {@code T_ε}, per cell, with {@code ρ}, {@code ρ_orig} and the shape's {@code B_ref} and
 * {@code T_scratch} in examples beside them. The report leads with these because every ratio
 * divides by how an original trained: {@code ρ = T_ε / B_ref} moves with the original's
 * stopping rule (plateau δ, window k, epoch cap), while the examples a recovery needs do not.
 *
 * <p>A cost of a few steps measures the schedule as much as the block: it may lie inside the
 * recovery's learning-rate warm-up, or be no finer than the evaluation grid. Such costs are
 * flagged ({@link Near}) with the warm-up length and the evaluation resolution at {@code T_ε}.
 * Runs that did not recover are censored at what they spent ({@link Censored}), never dropped.
 *
 * @param shapes per shape, in order
 */
record AbsoluteCosts(List<ShapeCosts> shapes) {

  /** A cost this many steps or fewer above the warm-up or the resolution is flagged. */
  static final int FEW_STEPS = 3;

  /**
   * One shape: what its originals trained for, what training from scratch took, its cells.
   *
   * @param refExamples B_ref = S × E of each original, by seed
   * @param scratch T_scratch in examples over the originals that measured it
   * @param scratchMeasured originals with T_scratch
   * @param originals originals in all
   * @param rows one per cell
   */
  record ShapeCosts(Shape shape, List<Long> refExamples, Optional<Censored.Estimate> scratch,
      int scratchMeasured, int originals, List<CellCost> rows) {}

  /**
   * A cell's T_ε as ratios to the original's own costs, the two the report compares across
   * shapes: against the reference budget and against the original's training. Grouped because
   * a row prints them side by side and both come from the same censored runs.
   *
   * @param rho ρ = T_ε / B_ref
   * @param rhoOrig ρ_orig = T_ε / T_orig
   */
  record Ratios(Censored.Estimate rho, Censored.Estimate rhoOrig) {}

  /**
   * One cell's cost.
   *
   * @param examples T_ε in examples (Kaplan–Meier median, censored)
   * @param steps T_ε in optimiser steps
   * @param near where the median steps sit against the warm-up and the resolution
   * @param ratios T_ε against the original's costs
   */
  record CellCost(CellKey cell, Tally tally, Censored.Estimate examples,
      Censored.Estimate steps, Near near, Ratios ratios) {

    /** ρ = T_ε / B_ref. */
    Censored.Estimate rho() {
      return ratios.rho();
    }

    /** ρ_orig = T_ε / T_orig. */
    Censored.Estimate rhoOrig() {
      return ratios.rhoOrig();
    }

    static CellCost of(CellKey cell, List<RunRecord> runs) {
      Censored.Estimate steps = Censored.estimate(Runs.stepsObs(runs));
      OptionalLong resolution = runs.stream().map(Runs::resolution)
          .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max();
      String w = runs.get(0).manifest().configuration().get("recovery_warmup");
      OptionalInt warmup = w == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(w));
      return new CellCost(cell, Tally.of(runs), Censored.estimate(Runs.examplesObs(runs)), steps,
          Near.of(steps, warmup, resolution), new Ratios(Runs.rho(runs),
              Censored.estimate(Runs.rhoOrigObs(runs))));
    }
  }

  /**
   * Where a median cost in steps sits against the schedule.
   *
   * @param warmup the recovery's warm-up in steps, when the manifest names it
   * @param resolution the coarsest evaluation gap (steps) at any seed's T_ε, when any recovered
   * @param insideWarmup the median is at or below the warm-up's last step
   * @param nearWarmup the median is past the warm-up by at most {@link #FEW_STEPS}
   * @param nearResolution the median exceeds the resolution by at most {@link #FEW_STEPS}
   */
  record Near(OptionalInt warmup, OptionalLong resolution, boolean insideWarmup,
      boolean nearWarmup, boolean nearResolution) {

    static Near of(Censored.Estimate steps, OptionalInt warmup, OptionalLong resolution) {
      if (steps.median().isEmpty()) {
        return new Near(warmup, resolution, false, false, false);
      }
      double m = steps.median().getAsDouble();
      boolean inside = warmup.isPresent() && m <= warmup.getAsInt();
      boolean near = warmup.isPresent() && !inside && m <= warmup.getAsInt() + FEW_STEPS;
      boolean res = resolution.isPresent() && m <= resolution.getAsLong() + FEW_STEPS;
      return new Near(warmup, resolution, inside, near, res);
    }

    /** Whether the cost is flagged at all. */
    boolean flagged() {
      return insideWarmup || nearWarmup || nearResolution;
    }
  }

  static AbsoluteCosts of(SortedMap<Shape, List<RunRecord>> byShape) {
    List<ShapeCosts> shapes = new ArrayList<>();
    byShape.forEach((s, rs) -> {
      List<Long> ref = new ArrayList<>();
      List<Double> scratch = new ArrayList<>();
      Runs.sorted(rs, r -> r.key().seed()).values().forEach(sr -> {
        ref.add(sr.get(0).row().refExamples());
        sr.stream().filter(r -> r.row().examplesScratch().isPresent()).findFirst()
            .ifPresent(r -> scratch.add((double) r.row().examplesScratch().getAsLong()));
      });
      List<CellCost> rows = new ArrayList<>();
      Runs.group(rs, CellKey::of).forEach((cell, runs) -> rows.add(CellCost.of(cell, runs)));
      shapes.add(new ShapeCosts(s, ref,
          scratch.isEmpty() ? Optional.empty() : Optional.of(Censored.ratio(scratch)),
          scratch.size(), ref.size(), rows));
    });
    return new AbsoluteCosts(shapes);
  }
}
