package dev.ablation.study.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The width-and-depth law as text: the fits' coefficients per place and the held-out check, as
 * the {@code law} command prints them and the findings page embeds them. Apart from
 * {@link WidthDepthLaw}, which fits, so that the fitting can be read without the table layout.
 */
public final class LawTable {
  private LawTable() {}

  /** The result as the {@code law} command prints it: Markdown tables and a verdict line. */
  public static List<String> format(WidthDepthLaw.Result r) {
    List<String> o = new ArrayList<>();
    o.add("ln T_ε (examples) = a + b·ln D + c·ln N (+ d·L/(N−1) for blocks 2..N−1), "
        + "one fit per "
        + "place; 95 % intervals resample whole originals.");
    o.add("");
    o.add("| place | cells | widths | depths | b (D exponent) | c (N exponent) | d (position) "
        + "| RMSE, ln | replicates |");
    o.add("|---|---|---|---|---|---|---|---|---|");
    for (WidthDepthLaw.Fit f : r.fits()) {
      if (f.problem().isPresent()) {
        o.add("| " + f.place().label() + " | " + f.cells() + " | " + f.widths() + " | "
            + f.depths() + " | no fit: " + f.problem().get() + " | | | | |");
        continue;
      }
      o.add("| " + f.place().label() + " | " + f.cells() + " | " + join(f.widths()) + " | "
          + join(f.depths()) + " | " + coef(f, 1) + " | " + coef(f, 2) + " | "
          + (f.coefficients().size() > 3 ? coef(f, 3) : "—") + " | "
          + String.format(Locale.ROOT, "%.3f", f.rmse()) + " | " + f.replicates() + " |");
    }
    if (r.held().isPresent()) {
      int[] h = r.held().get();
      long inside = r.checks().stream().filter(WidthDepthLaw.Check::inside).count();
      o.add("");
      o.add("Held out: N=" + h[0] + " D=" + h[1] + " (not in the fits above).");
      o.add("");
      o.add("| block | observed median, examples | predicted | 95 % prediction interval "
          + "| inside |");
      o.add("|---|---|---|---|---|");
      for (WidthDepthLaw.Check c : r.checks()) {
        o.add(String.format(Locale.ROOT, "| %d | %s | %.0f | [%.0f, %.0f] | %s |", c.block(),
            Double.isNaN(c.observed()) ? "not placed" : String.format(Locale.ROOT, "%.0f",
                c.observed()), c.predicted(), c.low(), c.high(), c.inside() ? "yes" : "no"));
      }
      o.add("");
      o.add("Hold-out check: " + inside + " of " + r.checks().size() + " cells inside their "
          + "prediction interval" + (inside == r.checks().size() && inside > 0 ? " (passes)."
          : " (fails)."));
    }
    if (!r.excluded().isEmpty()) {
      o.add("");
      o.add("Left out: " + String.join("; ", r.excluded()) + ".");
    }
    return o;
  }

  private static String join(List<Integer> xs) {
    return String.join(", ", xs.stream().map(String::valueOf).toList());
  }

  private static String coef(WidthDepthLaw.Fit f, int j) {
    WidthDepthLaw.Coefficient c = f.coefficients().get(j);
    return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", c.estimate(), c.low(), c.high());
  }
}
