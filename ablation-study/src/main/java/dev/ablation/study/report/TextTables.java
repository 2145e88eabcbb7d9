package dev.ablation.study.report;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.study.plan.WipeTarget;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The findings page's natural-text section (table T): whether each text original learned more
 * than counting its own training characters would (its L* against the like-for-like n-gram the
 * study recorded in its manifest, {@code ngram_reference}, and the whole-corpus 4-gram beside
 * it), and what each block cost to recover on text next to the same shape and block on the
 * synthetic task. An original that does not beat its n-gram is listed, never dropped.
 *
 * @param originals one row per text original
 * @param costs one row per shape and block of the text runs
 */
record TextTables(List<TextOriginal> originals, List<Cost> costs) {

  /** The manifest key of the like-for-like reference (written by the study engine). */
  static final String NGRAM = "ngram_reference";
  /** The manifest key of the whole-corpus 4-gram (written by the study engine). */
  static final String WHOLE = "ngram_whole_4gram";

  /**
   * What trained in a cost's runs and at what rate, on originals trained how long: the arm of
   * the text sweep a cell belongs to.
   *
   * @param freeze the freeze policy's key
   * @param lr the recovery rate as a multiple of the original's peak
   * @param steps the originals' schedule length ({@code train_steps}; 0: not recorded)
   */
  record Training(String freeze, double lr, long steps) {
    /** Whether this is the question's arm (only the wiped block trains) at the peak rate. */
    boolean question() {
      return freeze.equals(FreezePolicy.onlyWiped().key()) && lr == 1.0;
    }
  }

  /**
   * How the text runs of a cell recovered.
   *
   * @param examples examples to recover, Kaplan–Meier over seeds
   * @param tally how many recovered
   * @param closest the median over the damaged runs that did not recover of how far above its
   *     target the run's lowest loss stayed, in nats; empty when every damaged run recovered
   */
  record OnText(Censored.Estimate examples, Tally tally, OptionalDouble closest) {}

  /**
   * One shape, block and recovery rate: examples to recover on text, and on the other task at
   * the original's peak rate (the sweep's only rate).
   *
   * @param training what trained, at what rate
   * @param onText how the text runs recovered
   * @param other the other task's runs of the question's arm, when run
   */
  record Cost(int n, int d, int block, Training training, OnText onText,
      Optional<Censored.Estimate> other) {
    String freeze() {
      return training.freeze();
    }

    double lr() {
      return training.lr();
    }

    boolean question() {
      return training.question();
    }

    Censored.Estimate text() {
      return onText.examples();
    }

    Tally tally() {
      return onText.tally();
    }

    OptionalDouble closest() {
      return onText.closest();
    }
  }

  /**
   * The tables of {@code text}'s runs, with {@code other}'s runs of the same shape and block
   * (the question's arm of both) beside them.
   */
  static TextTables of(List<RunRecord> text, List<RunRecord> other) {
    return of(text, List.of(), other);
  }

  /**
   * As {@link #of(List, List)}, with {@code controls}' runs (text runs of other arms on the
   * same originals: every weight trainable, or another rate) as cells of their own.
   */
  static TextTables of(List<RunRecord> text, List<RunRecord> controls, List<RunRecord> other) {
    Map<String, TextOriginal> originals = new LinkedHashMap<>();
    List<RunRecord> all = java.util.stream.Stream.concat(text.stream(), controls.stream())
        .toList();
    // the controls' originals too: the same originals dedupe, another schedule's are rows
    for (RunRecord r : all.stream().sorted(java.util.Comparator.comparing(RunRecord::key))
        .toList()) {
      String k = r.key().nLayers() + "/" + r.key().dModel() + "/" + r.key().seed() + "/"
          + steps(r);
      Map<String, String> c = r.manifest().configuration();
      originals.computeIfAbsent(k, x -> new TextOriginal(r.key().nLayers(), r.key().dModel(),
          r.key().seed(), steps(r), r.row().lossOriginal(), new TextOriginal.NGrams(number(c.get(NGRAM)),
              c.getOrDefault(NGRAM + "_model", "—"), number(c.get(WHOLE))), lowest(r)));
    }
    List<TextOriginal> rows = new ArrayList<>(originals.values());
    rows.sort((a, b) -> a.n() != b.n() ? Integer.compare(a.n(), b.n())
        : a.d() != b.d() ? Integer.compare(a.d(), b.d())
        : a.steps() != b.steps() ? Long.compare(b.steps(), a.steps())
        : Long.compare(a.seed(), b.seed()));
    List<Cost> costs = new ArrayList<>();
    TreeMap<String, List<RunRecord>> cells = new TreeMap<>();
    for (RunRecord r : blocks(all)) {
      cells.computeIfAbsent(cell(r) + "/" + r.key().lrMultiple() + "/" + steps(r),
          x -> new ArrayList<>()).add(r);
    }
    Map<String, List<RunRecord>> others = Runs.group(blocks(other).stream()
        .filter(r -> r.key().lrMultiple() == 1.0).toList(), TextTables::cell);
    cells.forEach((k, rs) -> {
      RunRecord r = rs.get(0);
      List<RunRecord> o = others.get(cell(r));
      costs.add(new Cost(r.key().nLayers(), r.key().dModel(), Runs.position(r),
          new Training(r.key().freeze().key(), r.key().lrMultiple(), steps(r)),
          new OnText(Censored.estimate(Runs.examplesObs(rs)), Tally.of(rs), closest(rs)),
          o == null ? Optional.empty() : Optional.of(Censored.estimate(Runs.examplesObs(o)))));
    });
    costs.sort((a, b) -> a.n() != b.n() ? Integer.compare(a.n(), b.n())
        : a.d() != b.d() ? Integer.compare(a.d(), b.d())
        : a.block() != b.block() ? Integer.compare(a.block(), b.block())
        : a.training().steps() != b.training().steps()
            ? Long.compare(b.training().steps(), a.training().steps())
        : a.question() != b.question() ? (a.question() ? -1 : 1)
        : !a.freeze().equals(b.freeze()) ? a.freeze().compareTo(b.freeze())
        : Double.compare(b.lr(), a.lr()));
    return new TextTables(rows, costs);
  }

  /** The lowest finite loss of {@code r}'s original's curve; empty when none is recorded. */
  static Optional<TextOriginal.Lowest> lowest(RunRecord r) {
    return r.originalCurve().stream().filter(p -> Double.isFinite(p.loss()))
        .min(java.util.Comparator.comparingDouble(CurvePoint::loss)
            .thenComparingLong(CurvePoint::step))
        .map(p -> new TextOriginal.Lowest(p.loss(), p.step(),
            r.row().targetLoss() - r.row().lossOriginal()));
  }

  /** The originals that overfit ({@link TextOriginal#overfit()}), in table order. */
  List<TextOriginal> overfit() {
    return originals.stream().filter(TextOriginal::overfit).toList();
  }

  /** Whether any original of cost {@code c}'s shape and schedule overfit. */
  private boolean overfit(Cost c) {
    return originals.stream().anyMatch(o -> o.n() == c.n() && o.d() == c.d()
        && o.steps() == c.training().steps() && o.overfit());
  }

  /** Whether the originals were trained on more than one schedule length. */
  boolean schedules() {
    return originals.stream().mapToLong(TextOriginal::steps).distinct().count() > 1;
  }

  /** {@code N=4 D=128}, or {@code N=4 D=128 (2048 steps)} when schedules differ. */
  private String shape(int n, int d, long steps) {
    return "N=" + n + " D=" + d + (schedules() ? " (" + steps + " steps)" : "");
  }

  /** The schedule length {@code r}'s original was trained for; 0 when not recorded. */
  private static long steps(RunRecord r) {
    double v = number(r.manifest().configuration().get("train_steps"));
    return Double.isNaN(v) ? 0 : (long) v;
  }

  /**
   * {@code N=4 D=128: 3 of 3, +0.1824 to +0.1976 nats}: per shape with an original that overfit,
   * how many of its originals did and how far above their lowest loss they ended.
   */
  private String overfitList() {
    Map<String, List<TextOriginal>> byShape = new LinkedHashMap<>();
    for (TextOriginal o : originals) {
      byShape.computeIfAbsent(shape(o.n(), o.d(), o.steps()), k -> new ArrayList<>()).add(o);
    }
    List<String> parts = new ArrayList<>();
    byShape.forEach((shape, os) -> {
      double[] above = os.stream().filter(TextOriginal::overfit)
          .mapToDouble(o -> o.aboveLowest().getAsDouble()).sorted().toArray();
      if (above.length > 0) {
        parts.add(String.format(Locale.ROOT, "%s: %d of %d, %s nats", shape, above.length,
            os.size(), above.length == 1 ? String.format(Locale.ROOT, "+%.4f", above[0])
                : String.format(Locale.ROOT, "+%.4f to +%.4f", above[0],
                    above[above.length - 1])));
      }
    });
    return String.join("; ", parts);
  }

  /**
   * The median over the damaged runs that did not recover of how far above its target the
   * run's lowest evaluated loss stayed, in nats; empty when every damaged run recovered.
   */
  static OptionalDouble closest(List<RunRecord> rs) {
    double[] gaps = rs.stream().filter(r -> !Runs.undamaged(r) && !Runs.recovered(r))
        .mapToDouble(r -> r.curve().stream().mapToDouble(CurvePoint::loss)
            .filter(Double::isFinite).min().orElse(Double.NaN) - r.row().targetLoss())
        .filter(Double::isFinite).sorted().toArray();
    if (gaps.length == 0) {
      return OptionalDouble.empty();
    }
    int m = gaps.length / 2;
    return OptionalDouble.of(gaps.length % 2 == 1 ? gaps[m] : (gaps[m - 1] + gaps[m]) / 2);
  }

  /** Whether any cell is a control (another freeze policy or rate than the question's). */
  boolean controlled() {
    return costs.stream().anyMatch(c -> !c.question());
  }

  /** How many originals beat their like-for-like n-gram, of how many have one recorded. */
  int[] beating() {
    int have = 0;
    int beat = 0;
    for (TextOriginal o : originals) {
      if (o.beats().isPresent()) {
        have++;
        beat += o.beats().get() ? 1 : 0;
      }
    }
    return new int[] {beat, have};
  }

  /** The section's lines. */
  List<String> lines(String otherTask) {
    List<String> out = new ArrayList<>();
    out.add("## Table T: natural text (Europarl characters)");
    out.add("");
    out.add("The `text` task: characters of the Europarl proceedings that Lucene's test "
        + "framework ships — multilingual (the languages of the European Parliament), "
        + "lower-cased and stripped of accents; the 26 letters, space, `. , ' - ?` and digits "
        + "(all `0`) keep their own token and every other character becomes `#` "
        + "(docs/tasks.md). Each original against the best add-k character n-gram of order "
        + "1–5 counted on exactly the windows it trained on (k chosen on a held-out tenth of "
        + "them), and the add-0.1 4-gram counted on the whole training part (16 M "
        + "characters), both scored on the original's validation windows, nats per character. "
        + "An original that does not beat its like-for-like n-gram learned no more than "
        + "counting its own characters would; it is listed, not dropped.");
    out.add("");
    out.add("`lowest (step)`: the original's lowest validation loss during its training and the "
        + "step it was evaluated at; `L* − lowest`: how far its final weights, the model that is "
        + "wiped, ended above it. An original that ended further above it than its recovery "
        + "target's tolerance (target − L*, max(ε, 2σ)) is marked **overfit**: it fitted its "
        + "windows better and the validation text worse late in training, so its L* is a weaker "
        + "model to get back to than the one it passed through.");
    out.add("");
    boolean schedules = schedules();
    out.add("| N | D | " + (schedules ? "steps | " : "") + "seed | L* | like-for-like n-gram "
        + "| its model | beats it | whole-corpus 4-gram | lowest (step) | L* − lowest |");
    out.add("|---|---|" + (schedules ? "---|" : "") + "---|---|---|---|---|---|---|---|");
    for (TextOriginal o : originals) {
      out.add(String.format(Locale.ROOT, "| %d | %d | %s%d | %.4f | %s | %s | %s | %s | %s | %s |",
          o.n(), o.d(), schedules ? o.steps() + " | " : "", o.seed(), o.lossStar(),
          fmt(o.references().ngram()),
          o.references().model(),
          o.beats().map(b -> b ? "yes" : "**no**").orElse("not recorded"),
          fmt(o.references().whole()),
          o.lowest().map(l -> String.format(Locale.ROOT, "%.4f (%d)", l.loss(), l.step()))
              .orElse("not recorded"),
          o.aboveLowest().isPresent() ? String.format(Locale.ROOT, "%+.4f%s",
              o.aboveLowest().getAsDouble(), o.overfit() ? " **overfit**" : "")
              : "not recorded"));
    }
    int[] b = beating();
    out.add("");
    long curves = originals.stream().filter(o -> o.lowest().isPresent()).count();
    out.add(String.format(Locale.ROOT, "%d of %d originals beat their like-for-like n-gram%s.",
        b[0], b[1], curves == 0 ? "" : String.format(Locale.ROOT, "; %d of %d overfit%s",
            overfit().size(), curves, overfit().isEmpty() ? "" : " (" + overfitList() + ")")));
    out.add("");
    out.add("Examples to recover per block (FRESH, only the wiped block trains; Kaplan–Meier "
        + "median over seeds [95% CI]; a run that did not recover is censored at what it "
        + "spent), text beside the " + otherTask + " task's runs of the same shape and block. "
        + "`rate`: the recovery's constant rate as a multiple of the original's peak; the "
        + otherTask + " runs recovered at 1×. Read a censored text cell with its cause in "
        + "mind: a text original reached its L* with the rate decayed to 0, while a recovery "
        + "trains at a constant rate, whose own noise keeps it above an annealed loss, so a "
        + "text block that is not back within the cap may be limited by the rate as much as "
        + "by the frozen blocks around it. "
        + (controlled() ? "The controls (`trains`: every weight, or the wiped block at a "
            + "lower rate; data/issue32-checks/text-*) separate the two on the same originals: "
            + "if a block is not back with every weight trainable either, the frozen context "
            + "is not what holds it; if it is back at a lower rate, the rate was."
            : "These runs do not separate the two (data/issue32/README.md).")
        + " `closest`: for the runs that did not recover, the median of how far above its "
        + "target each run's lowest evaluated loss stayed.");
    out.add("");
    if (schedules) {
      out.add("`steps`: how long the text originals of a row were trained (a fixed schedule, the "
          + "rate decayed to 0 over it); the " + otherTask + " runs are the sweep's.");
      out.add("");
    }
    out.add("| N | D | " + (schedules ? "steps | " : "") + "block | trains | rate | text: "
        + "recovered | text: examples | closest | " + otherTask + ": examples | text / "
        + otherTask + " |");
    out.add("|---|---|" + (schedules ? "---|" : "") + "---|---|---|---|---|---|---|---|");
    for (Cost c : costs) {
      String ratio = "—";
      if (c.other().isPresent() && c.text().median().isPresent()
          && c.other().get().median().isPresent()) {
        ratio = String.format(Locale.ROOT, "%.2f", c.text().median().getAsDouble()
            / c.other().get().median().getAsDouble());
      }
      out.add(String.format(Locale.ROOT,
          "| %d | %d | %s%d | %s | %s× | %s | %s%s | %s | %s | %s |",
          c.n(), c.d(), schedules ? c.training().steps() + " | " : "", c.block(),
          trains(c.freeze()), rate(c.lr()), c.tally(),
          c.text().formatCount(), overfit(c) ? " †" : "",
          c.closest().isPresent()
              ? String.format(Locale.ROOT, "+%.4f", c.closest().getAsDouble()) : "—",
          c.other().map(Censored.Estimate::formatCount).orElse("not run"), ratio));
    }
    if (!overfit().isEmpty()) {
      out.add("");
      out.add("† an original of this shape" + (schedules ? " and schedule" : "") + " overfit "
          + "(table above): its blocks are measured against a weaker target than the other "
          + "shapes', so read their cost beside the others' with that in mind.");
    }
    out.add("");
    return out;
  }

  /** The answer's line on text, pointing at table T. */
  String answer(String otherTask) {
    int[] b = beating();
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%d of %d text originals beat the like-for-like n-gram",
        b[0], b[1]));
    if (!overfit().isEmpty()) {
      s.append(String.format(Locale.ROOT, "; %d of %d overfit late in training, their L* above "
          + "their own lowest validation loss by more than the target's tolerance (%s), so "
          + "their blocks are judged against a weaker target", overfit().size(),
          originals.stream().filter(o -> o.lowest().isPresent()).count(), overfitList()));
    }
    List<String> block0 = new ArrayList<>();
    for (Cost c : costs) {
      if (c.block() == 0 && c.question()) {
        block0.add(String.format(Locale.ROOT, "%s %s (%s: %s)",
            shape(c.n(), c.d(), c.training().steps()), c.text().formatCount(), otherTask,
            c.other().map(Censored.Estimate::formatCount).orElse("not run")));
      }
    }
    if (!block0.isEmpty()) {
      s.append("; block 0 needed ").append(String.join(", ", block0)).append(" examples");
    }
    List<String> controls = new ArrayList<>();
    for (Cost c : costs) {
      if (!c.question()) {
        controls.add(String.format(Locale.ROOT, "%s block %d, %s training at %s×: %s "
            + "recovered", shape(c.n(), c.d(), c.training().steps()), c.block(),
            trains(c.freeze()), rate(c.lr()), c.tally()));
      }
    }
    if (!controls.isEmpty()) {
      s.append("; controls: ").append(String.join(", ", controls));
    }
    return s.append(" (table T).").toString();
  }

  private static List<RunRecord> blocks(List<RunRecord> rs) {
    return rs.stream().filter(r -> r.key().target() instanceof WipeTarget.Block
        && r.position().isPresent()).toList();
  }

  private static String cell(RunRecord r) {
    return String.format(Locale.ROOT, "%03d/%05d/%03d/%s/%s", r.key().nLayers(),
        r.key().dModel(), Runs.position(r), r.key().scheme(), r.key().freeze().key());
  }

  /** What a freeze policy leaves trainable, in words. */
  private static String trains(String freeze) {
    return freeze.equals(FreezePolicy.onlyWiped().key()) ? "the wiped block"
        : freeze.equals(FreezePolicy.allTrainable().key()) ? "every weight" : freeze;
  }

  private static double number(String s) {
    if (s == null) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** {@code 0.3}, {@code 1}: a rate multiple as typed on the command line. */
  private static String rate(double lr) {
    return java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
  }

  private static String fmt(double x) {
    return Double.isNaN(x) ? "not recorded" : String.format(Locale.ROOT, "%.4f", x);
  }
}
