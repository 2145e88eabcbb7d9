package dev.ablation.study.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The answer in a few lines a person can scan: per sub-question one line with its number and
 * interval, for the question's arm (the first of {@link Answer#arms()}). The terminal's last
 * screen, the top of {@code report.html} and the top of {@code report.md} all render this one
 * value, so they cannot disagree; the full sentences for every arm stay in {@link Answer}'s
 * section of the Markdown.
 *
 * @param arm the arm the lines speak of, empty text when there is no single-layer cell
 * @param lines one per sub-question, then the limits
 */
record Headline(String arm, List<Line> lines) {

  /** How many shapes a line lists before it says how many more the report holds. */
  static final int SHAPES_SHOWN = 4;

  /** One sub-question: a short label and its answer with numbers. */
  record Line(String question, String answer) {}

  static Headline of(Answer a) {
    if (a.empty()) {
      return new Headline("", List.of(new Line("answer", "no single-layer runs yet")));
    }
    Arm lead = a.arms().get(0);
    List<Line> lines = new ArrayList<>();
    a.costSpreads().stream().filter(s -> s.arm().equals(lead)).findFirst()
        .ifPresent(s -> lines.add(new Line("examples to recover", costs(s))));
    a.spreads().stream().filter(s -> s.arm().equals(lead)).findFirst()
        .ifPresent(s -> lines.add(new Line("share of S×E (ρ)", share(s, a))));
    lines.add(new Line("position (first / last)", position(a, lead)));
    lines.add(new Line("N and D", shapes(a, lead)));
    Answer.Limits l = a.limits();
    lines.add(new Line("limits", String.format(Locale.ROOT, "%d seeds per cell; N ≤ %d, "
        + "D ≤ %d; %s; other arms in report.md", l.seeds(), l.maxN(), l.maxD(), l.language())));
    return new Headline(lead.toString(), lines);
  }

  /** The title line above the lines. */
  String title() {
    return arm.isEmpty() ? "The answer"
        : "The answer for " + arm + " (Kaplan–Meier medians over seeds [95% CI])";
  }

  /** The lines with their labels padded to one column, as a terminal shows them. */
  List<String> aligned() {
    int w = lines.stream().mapToInt(x -> x.question().length()).max().orElse(0);
    List<String> out = new ArrayList<>();
    out.add(title());
    for (Line x : lines) {
      out.add("  " + x.question() + " ".repeat(w - x.question().length() + 2) + x.answer());
    }
    return out;
  }

  private static String costs(Answer.CostSpread s) {
    if (s.placed().isEmpty()) {
      return String.format(Locale.ROOT, "no cell's median reached within the budget (%d cells)",
          s.cells());
    }
    AbsoluteCosts.CellCost lo = s.placed().get(0);
    AbsoluteCosts.CellCost hi = s.placed().get(s.placed().size() - 1);
    String range = lo == hi ? count(lo.examples()) + " (" + where(lo.cell()) + ")"
        : count(lo.examples()) + " (" + where(lo.cell()) + ") to " + count(hi.examples()) + " ("
            + where(hi.cell()) + ")";
    return range + " examples" + notReached(s.notReached(), s.cells());
  }

  private static String share(Answer.ArmSpread s, Answer a) {
    String ref = a.refExamples().map(r -> r.min() == r.max() ? Long.toString(r.min())
        : r.min() + "–" + r.max()).orElse("—");
    if (s.placed().isEmpty()) {
      return "no cell's median reached (B_ref = " + ref + " examples)";
    }
    Answer.CellRho lo = s.placed().get(0);
    Answer.CellRho hi = s.placed().get(s.placed().size() - 1);
    String range = lo == hi ? pct(lo.rho()) : pct(lo.rho()) + " to " + pct(hi.rho());
    return String.format(Locale.ROOT, "%s of B_ref = %s examples; %d of %d cells ≤ 1%%, "
        + "%d ≤ 10%%", range, ref, s.atMost(0.01), s.cells(), s.atMost(0.1))
        + notReached(s.notReached(), s.cells());
  }

  private static String position(Answer a, Arm lead) {
    List<Answer.PositionRatio> rs = a.positionRatios().stream()
        .filter(p -> p.arm().equals(lead)).toList();
    if (rs.isEmpty()) {
      return "too few seed pairs in which the first and the last block both recovered";
    }
    long apart = rs.stream().filter(Answer.PositionRatio::excludesOne).count();
    return "ρ(first) / ρ(last) " + shown(rs.stream().map(p -> nd(p.shape()) + " "
        + ratio(p.ratio())).toList()) + String.format(Locale.ROOT, "; excludes 1 in %d of %d",
            apart, rs.size());
  }

  private static String shapes(Answer a, Arm lead) {
    List<Answer.ShapeComparison> cs = a.shapeComparisons().stream()
        .filter(c -> c.arm().equals(lead)).toList();
    if (cs.isEmpty()) {
      return "one shape per end: add --layers and --widths values to compare";
    }
    int pairs = cs.stream().mapToInt(Answer.ShapeComparison::pairs).sum();
    int apart = cs.stream().mapToInt(Answer.ShapeComparison::disjointPairs).sum();
    Answer.ShapeComparison last = cs.stream().filter(c -> c.end() == Answer.End.LAST)
        .findFirst().orElse(cs.get(0));
    return "ρ of the " + last.end() + " block " + shown(last.perShape().stream()
        .map(x -> nd(x.shape()) + " " + pct(x.rho())).toList())
        + String.format(Locale.ROOT, "; %d of %d pairs of shapes apart%s", apart, pairs,
            apart == 0 ? " (not separated)" : "");
  }

  private static String shown(List<String> parts) {
    String s = parts.stream().limit(SHAPES_SHOWN).collect(Collectors.joining(", "));
    return parts.size() <= SHAPES_SHOWN ? s : s + ", +" + (parts.size() - SHAPES_SHOWN)
        + " more";
  }

  private static String notReached(long n, int cells) {
    return n == 0 ? "" : String.format(Locale.ROOT, "; %d of %d cells not reached (censored)",
        n, cells);
  }

  private static String where(CellKey c) {
    return nd(c.shape()) + " " + c.target().label();
  }

  /** {@code N=2 D=32} for the reference decoders; other architectures are named. */
  private static String nd(Shape s) {
    return Summary.label(s) + " D=" + s.d();
  }

  /** {@code 88 [79, 96]}: a count with its interval, nothing when it has none. */
  static String count(Censored.Estimate e) {
    if (e.median().isEmpty()) {
      return "≥ " + Censored.count(e.censoredFrom());
    }
    String m = Censored.count(e.median().getAsDouble());
    if (e.n() < 2 || Double.isNaN(e.low()) || e.degenerate()) {
      return m;
    }
    return m + " [" + (long) Math.floor(e.low()) + ", " + (Double.isInfinite(e.high()) ? "—"
        : Long.toString((long) Math.ceil(e.high()))) + "]";
  }

  /** {@code 8.6% [7.8%, 9.4%]}. */
  static String pct(Censored.Estimate e) {
    if (e.median().isEmpty()) {
      return "≥ " + Censored.pct(e.censoredFrom());
    }
    String m = Censored.pct(e.median().getAsDouble());
    if (e.n() < 2 || Double.isNaN(e.low()) || e.degenerate()) {
      return m;
    }
    return m + " [" + Censored.pct(e.low()) + ", " + (Double.isInfinite(e.high()) ? "—"
        : Censored.pct(e.high())) + "]";
  }

  /** {@code 3.50 [3.25, 5.67]}. */
  private static String ratio(Censored.Estimate e) {
    String m = String.format(Locale.ROOT, "%.2f", e.median().orElse(Double.NaN));
    if (e.n() < 2 || Double.isNaN(e.low()) || e.degenerate()) {
      return m;
    }
    return m + String.format(Locale.ROOT, " [%.2f, %.2f]", e.low(), e.high());
  }
}
