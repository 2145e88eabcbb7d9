package dev.ablation.study.report;

import java.util.Locale;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * "Does it refuse to train?" past the target: for runs that trained on to a horizon
 * ({@code --past-target}), where the loss settles against the original's {@code L*}, and how
 * close the model comes to the original's function, at the target and at the horizon. The
 * protocol alone stops at {@code L* + ε} and cannot tell whether the frozen context keeps the
 * block from getting all the way back.
 *
 * <p>Per cell: the mean over seeds, with its 95 % bootstrap interval ({@link Interval}: these
 * differences may be negative), of the loss at the horizon minus {@code L*} and of the lowest
 * evaluated loss minus {@code L*}, over every damaged seed (a run that plateaued trains on to
 * the horizon too, so it is in both); how many seeds ended below {@code L*}; top-1 agreement
 * and KL to the original where the target was confirmed (recovered seeds) and at the horizon.
 *
 * @param cells one per cell with past-target runs, in cell order
 */
record PastTarget(List<Cell> cells) {

  /**
   * One cell.
   *
   * @param horizon the horizon in steps
   * @param recoveries which damaged seeds recovered, and how fast
   * @param againstStar where the runs ended against L*
   * @param agreement how close to the original the model's predictions came
   */
  record Cell(CellKey key, long horizon, Recoveries recoveries, AgainstStar againstStar,
      Agreement agreement) {}

  /**
   * A cell's damaged seeds by verdict, the table's "recovered (not)" and "T_ε" columns.
   *
   * @param recovered seeds that recovered (and trained on)
   * @param notRecovered damaged seeds that did not recover (a plateau trains on too)
   * @param tEpsSteps T_ε in steps, mean over the recovered seeds
   */
  record Recoveries(int recovered, int notRecovered, Interval tEpsSteps) {
    /** The damaged seeds, recovered or not. */
    int damaged() {
      return recovered + notRecovered;
    }
  }

  /**
   * The losses against the original's L*, the section's question (does the frozen context stop
   * a run short of L*?), over every damaged seed.
   *
   * @param endMinusStar loss at the end (the horizon, or where the budget stopped it) − L*
   * @param bestMinusStar lowest evaluated loss of the run − L*
   * @param belowStar seeds whose loss at the end is under L*
   */
  record AgainstStar(Interval endMinusStar, Interval bestMinusStar, int belowStar) {}

  /**
   * Agreement with the original, where the target was confirmed and at the end.
   *
   * @param top1AtTarget top-1 agreement with the original where the target was confirmed
   * @param top1AtEnd the same at the end
   * @param klAtTarget KL(original ‖ model), nats per token, where the target was confirmed
   * @param klAtEnd the same at the end
   */
  record Agreement(Interval top1AtTarget, Interval top1AtEnd, Interval klAtTarget,
      Interval klAtEnd) {}

  /** Whether any run trained past its target. */
  static boolean applies(List<RunRecord> records) {
    return records.stream().anyMatch(PastTarget::trainedOn);
  }

  private static boolean trainedOn(RunRecord r) {
    return r.manifest().configuration().containsKey(TrainingSettings.HORIZON_KEY);
  }

  static Optional<PastTarget> of(List<RunRecord> records) {
    if (!applies(records)) {
      return Optional.empty();
    }
    List<Cell> cells = new ArrayList<>();
    Runs.group(records.stream().filter(PastTarget::trainedOn).toList(), CellKey::of)
        .forEach((key, runs) -> cells.add(cell(key, runs)));
    return Optional.of(new PastTarget(cells));
  }

  private static Cell cell(CellKey key, List<RunRecord> runs) {
    long horizon = Long.parseLong(runs.get(0).manifest().configuration()
        .get(TrainingSettings.HORIZON_KEY));
    List<Double> tEps = new ArrayList<>();
    List<Double> end = new ArrayList<>();
    List<Double> best = new ArrayList<>();
    List<Double> top1T = new ArrayList<>();
    List<Double> top1E = new ArrayList<>();
    List<Double> klT = new ArrayList<>();
    List<Double> klE = new ArrayList<>();
    int below = 0;
    int notRecovered = 0;
    for (RunRecord r : runs) {
      if (Runs.undamaged(r)) {
        continue;
      }
      Optional<CurvePoint> at = Runs.recoveryPoint(r);
      if (Runs.recovered(r) && at.isPresent()) {
        tEps.add((double) at.get().step());
        r.targetFidelity().ifPresent(f -> {
          top1T.add(f.fidelity().top1Agreement());
          klT.add(f.fidelity().klToOriginal());
        });
      } else {
        notRecovered++; // plateaued (trained on to the horizon too) or stopped otherwise
      }
      double star = r.row().lossOriginal();
      if (Double.isFinite(r.row().lossFinal())) {
        end.add(r.row().lossFinal() - star);
        below += r.row().lossFinal() < star ? 1 : 0;
      }
      best.add(r.curve().stream().filter(p -> p.step() > 0).mapToDouble(CurvePoint::loss)
          .min().orElse(Double.NaN) - star);
      r.finalFidelity().map(Fidelity::top1Agreement).ifPresent(top1E::add);
      r.finalFidelity().map(Fidelity::klToOriginal).ifPresent(klE::add);
    }
    return new Cell(key, horizon,
        new Recoveries(tEps.size(), notRecovered, Interval.of(tEps)),
        new AgainstStar(Interval.of(end), Interval.of(best), below),
        new Agreement(Interval.of(top1T), Interval.of(top1E), Interval.of(klT),
            Interval.of(klE)));
  }

  /** The "Past the target" section's lines, also for pages other than a study's report. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("## Past the target: does the frozen context stop it short of L*?");
    out.add("");
    out.add("These runs trained on past their verdict (the target met, or a plateau) to a "
        + "horizon (`--past-target`), with the same optimiser and data. `L(end) − L*`: the "
        + "loss at the horizon (or where the budget stopped the run) minus the original's; "
        + "`best − L*`: the lowest evaluated loss; below 0 means the block got back under the "
        + "original's loss. Both over every damaged seed, T_ε over the recovered ones. Top-1 "
        + "agreement and KL(original ‖ model) in nats per token, where the target was "
        + "confirmed → at the end. Means over seeds with 95% bootstrap intervals.");
    out.add("");
    out.add("| arch | N | D | layer | arm | horizon, steps | recovered (not) | T_ε, steps "
        + "| L(end) − L* | best − L* | below L* at end | top-1 at target → end "
        + "| KL at target → end |");
    out.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Cell c : cells) {
      Shape s = c.key().shape();
      Recoveries rec = c.recoveries();
      AgainstStar star = c.againstStar();
      Agreement agree = c.agreement();
      out.add(String.format(Locale.ROOT,
          "| %s | %d | %d | %s | %s | %d | %d (%d) | %s | %s | %s | %d/%d | %s → %s | %s → %s |",
          s.arch().key(), s.n(), s.d(), c.key().target().label(), c.key().arm(), c.horizon(),
          rec.recovered(), rec.notRecovered(), rec.tEpsSteps().formatWhole(),
          star.endMinusStar().format(), star.bestMinusStar().format(), star.belowStar(),
          rec.damaged(), agree.top1AtTarget().format(), agree.top1AtEnd().format(),
          agree.klAtTarget().format(), agree.klAtEnd().format()));
    }
    out.add("");
    return out;
  }
}
