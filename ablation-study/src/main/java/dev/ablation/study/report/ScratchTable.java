package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Table S of the findings page: for one seed per shape, {@code T_scratch} (a fresh model of the
 * shape trained as the original was, to the original's recovery target) beside {@code T_orig}
 * (where the original itself first met it) and block 0's {@code T_ε}; and, because the check
 * reruns the sweep's block-0 run of that seed on the same originals, whether the rerun equals
 * the sweep's run (same T_ε and the same loss at every evaluated step), a determinism check.
 *
 * @param rows one per shape, from the scratch check's block-0 runs
 */
record ScratchTable(List<Row> rows) {

  /**
   * One shape.
   *
   * @param examples T_scratch, T_orig and block 0's T_ε (see {@link Examples})
   * @param same whether the sweep's run of that seed and block is the same run, step for step;
   *     empty when the sweep has no such run
   */
  record Row(int n, int d, long seed, Examples examples, Optional<Boolean> same) {
    OptionalLong scratch() {
      return examples.scratch();
    }

    OptionalLong orig() {
      return examples.orig();
    }

    OptionalLong block0() {
      return examples.block0();
    }
  }

  /**
   * A shape's three costs in examples, the table's middle columns: what a fresh model needs,
   * what the original took, what recovering block 0 took. Grouped because the section compares
   * them with each other (the ratio column, the summary's ratios), never with the other parts.
   *
   * @param scratch T_scratch in examples, empty when not reached within its cap
   * @param orig T_orig in examples
   * @param block0 block 0's T_ε in this check's run, empty when it did not recover
   */
  record Examples(OptionalLong scratch, OptionalLong orig, OptionalLong block0) {}

  static ScratchTable of(List<RunRecord> check, List<RunRecord> sweep) {
    List<Row> rows = new ArrayList<>();
    for (RunRecord r : check.stream()
        .sorted(java.util.Comparator.comparing(RunRecord::key)).toList()) {
      if (r.position().isEmpty() || Runs.position(r) != 0) {
        continue;
      }
      Optional<Boolean> same = sweep.stream().filter(s -> s.key().equals(r.key())).findFirst()
          .map(s -> s.row().verdict() == r.row().verdict()
              && s.row().examplesToRecover().equals(r.row().examplesToRecover())
              && s.curve().equals(r.curve()));
      rows.add(new Row(r.key().nLayers(), r.key().dModel(), r.key().seed(),
          new Examples(r.row().examplesScratch(), r.row().examplesOrig(),
              r.row().examplesToRecover()), same));
    }
    return new ScratchTable(rows);
  }

  /** The section's lines. */
  List<String> lines(String folder) {
    List<String> out = new ArrayList<>();
    out.add("## Table S: training from scratch, one seed per shape");
    out.add("");
    out.add("`T_scratch`: examples a freshly initialised model of the shape, trained exactly as "
        + "the original was (its optimiser and schedule, its own initialisation and data "
        + "order), needed to first meet the original's recovery target. A fixed-length "
        + "schedule decays the rate to 0 at B_ref, so a fresh model that has not met the "
        + "target by then never will: \"not reached\" means not within the original's own "
        + "training (the check's cap, 2 × B_ref, spends the rest at rate 0); "
        + "`T_orig`: where the original itself first met it. Both move with the length of the "
        + "original's schedule (the rate decays over it); block 0's T_ε does not divide by "
        + "either. `same as the sweep`: this check reruns the sweep's block-0 run of the seed "
        + "on the same original, and the two must be the same run (verdict, T_ε and the loss "
        + "at every evaluated step). Runs in `" + folder + "`.");
    out.add("");
    out.add("| N | D | seed | T_scratch (examples) | T_orig (examples) | block 0 T_ε (examples) "
        + "| T_ε / T_scratch | same as the sweep |");
    out.add("|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      String ratio = r.scratch().isPresent() && r.block0().isPresent()
          ? String.format(Locale.ROOT, "%.2f", (double) r.block0().getAsLong()
              / r.scratch().getAsLong()) : "—";
      out.add(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s | %s | %s | %s |", r.n(),
          r.d(), r.seed(), count(r.scratch(), "not reached"), count(r.orig(), "—"),
          count(r.block0(), "not recovered"), ratio,
          r.same().map(b -> b ? "yes" : "**no**").orElse("not in the sweep")));
    }
    out.add("");
    return out;
  }

  private static String count(OptionalLong v, String none) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : none;
  }

  /** The answer's clause: block 0 against T_scratch over the shapes with both, and the check. */
  String summary() {
    List<Double> ratios = new ArrayList<>();
    for (Row r : rows) {
      if (r.scratch().isPresent() && r.block0().isPresent()) {
        ratios.add((double) r.block0().getAsLong() / r.scratch().getAsLong());
      }
    }
    long compared = rows.stream().filter(r -> r.same().isPresent()).count();
    long same = rows.stream().filter(r -> r.same().orElse(false)).count();
    String check = String.format(Locale.ROOT, "; rerun, %d of %d block-0 runs were the "
        + "sweep's step for step", same, compared);
    if (ratios.isEmpty()) {
      return "no shape has both block 0's T_ε and T_scratch yet" + check + " (table S)";
    }
    ratios.sort(null);
    return String.format(Locale.ROOT, "block 0 needed %.2f–%.2f × the examples a fresh model "
        + "needs to reach the same target (%d of %d shapes, seed 1)%s (table S)", ratios.get(0),
        ratios.get(ratios.size() - 1), ratios.size(), rows.size(), check);
  }
}
