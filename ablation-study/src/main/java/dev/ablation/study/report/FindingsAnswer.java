package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The findings page's answer: the short one a reader meets first (a line per sub-question), the
 * full one below the protocol (every number, each line naming its table), and the README's few
 * lines, all computed from the same runs and checks so that none can drift from another.
 */
final class FindingsAnswer {

  /**
   * The sweep the answer is about.
   *
   * @param sections its report sections
   * @param law the width/depth law fitted to it
   * @param records its runs
   * @param task what its originals learned ({@code bigram})
   */
  record Sweep(Sections sections, WidthDepthLaw.Result law, List<RunRecord> records,
      String task) {}

  /**
   * What the sweep was checked with.
   *
   * @param trainedLongEnough table C's answer clause
   * @param pastTarget runs trained on past their verdict, when any
   * @param tolerance the re-judging at a looser ε (table E)
   * @param scratch T_scratch per shape (table S)
   */
  record Checks(String trainedLongEnough, Optional<PastTarget> pastTarget, Tolerance tolerance,
      ScratchTable scratch) {}

  /**
   * Beyond the sweep.
   *
   * @param text natural text (table T), when run
   * @param asides the encoder-decoder aside per task (table A)
   */
  record Beyond(Optional<TextTables> text, Map<String, List<Aside>> asides) {}

  private final Sections s;
  private final WidthDepthLaw.Result law;
  private final List<RunRecord> records;
  private final String sweepTask;
  private final String checkLine;
  private final Optional<PastTarget> pastTarget;
  private final Tolerance tolerance;
  private final ScratchTable scratch;
  private final Optional<TextTables> text;
  private final Map<String, List<Aside>> asides;

  FindingsAnswer(Sweep sweep, Checks checks, Beyond beyond) {
    Objects.requireNonNull(sweep, "sweep");
    Objects.requireNonNull(checks, "checks");
    Objects.requireNonNull(beyond, "beyond");
    this.s = sweep.sections();
    this.law = sweep.law();
    this.records = sweep.records();
    this.sweepTask = sweep.task();
    this.checkLine = checks.trainedLongEnough();
    this.pastTarget = checks.pastTarget();
    this.tolerance = checks.tolerance();
    this.scratch = checks.scratch();
    this.text = beyond.text();
    this.asides = beyond.asides();
  }

  /** "88 of 94 damaged runs got back" and what the others did. */
  private String gotBack() {
    long recovered = records.stream().filter(Runs::recovered).count();
    long damaged = records.stream().filter(r -> !Runs.undamaged(r)).count();
    return String.format(Locale.ROOT, "%d of %d damaged runs got back", recovered, damaged)
        + stoppedShort(records);
  }

  /**
   * The answer a reader meets first: one short line per sub-question (at most ten), each with
   * its number and the table that holds it; {@link #fullLines} below the protocol gives every
   * number in full.
   */
  void shortLines(StringBuilder md) {
    md.append("Reset one block of a trained decoder to fresh weights, freeze the rest, retrain "
        + "it alone (").append(sweepTask).append(" task; Kaplan–Meier medians over seeds; how "
        + "it was measured and every number in full: below):\n\n");
    for (Headline.Line h : s.headline().lines()) {
      if (h.question().equals("examples to recover")) {
        md.append("- **How many examples:** ").append(h.answer()).append(".\n");
      }
      if (h.question().equals("share of S×E (ρ)")) {
        md.append("- **How much of S×E:** ").append(h.answer()).append(" (table \"Absolute "
            + "costs\").\n");
      }
    }
    md.append("- **Refuse to train?** ").append(gotBack());
    pastTarget.ifPresent(p -> {
      int below = p.cells().stream().mapToInt(c -> c.againstStar().belowStar()).sum();
      int runs = p.cells().stream().mapToInt(c -> c.recoveries().damaged()).sum();
      md.append(String.format(Locale.ROOT, "; trained on past the target (%d runs, table "
          + "\"Past the target\"), %d went under L*", runs, below));
    });
    md.append(".\n");
    md.append("- **Position:** ").append(firstCostsMost(s.summary())).append(".\n");
    List<String> laws = new ArrayList<>();
    for (WidthDepthLaw.Fit f : law.fits()) {
      if (f.problem().isEmpty()) {
        WidthDepthLaw.Coefficient b = f.coefficients().get(1);
        WidthDepthLaw.Coefficient c = f.coefficients().get(2);
        laws.add(String.format(Locale.ROOT, "%s's examples × %.2f [%.2f, %.2f] per doubling "
            + "of D, × %.2f [%.2f, %.2f] per doubling of N", f.place().label(),
            Math.pow(2, b.estimate()), Math.pow(2, b.low()), Math.pow(2, b.high()),
            Math.pow(2, c.estimate()), Math.pow(2, c.low()), Math.pow(2, c.high())));
      }
    }
    if (!law.checks().isEmpty()) {
      long inside = law.checks().stream().filter(WidthDepthLaw.Check::inside).count();
      laws.add(String.format(Locale.ROOT, "held-out N=%d D=%d: %d of %d cells inside the "
          + "law's 95%% prediction interval", law.held().get()[0], law.held().get()[1], inside,
          law.checks().size()));
    }
    md.append("- **N and D:** ").append(laws.isEmpty() ? "no fit" : String.join("; ", laws))
        .append(" (table L).\n");
    if (!scratch.rows().isEmpty()) {
      md.append("- **Against training from scratch:** ").append(scratch.summary())
          .append(".\n");
    }
    md.append("- **Natural text:** ").append(text.map(t -> t.answer(sweepTask))
        .orElse("not in these runs.")).append('\n');
    if (!asides.isEmpty()) {
      md.append("- **Encoder-decoder (the aside):** ").append(asideShort(asides))
          .append(" (table A).\n");
    }
    md.append("- **Has anyone done this?** Not that we found: no measurement of the examples "
        + "one re-initialised block needs, the rest frozen, to get back (section \"Has anyone "
        + "done this?\", [literature.md](literature.md)).\n");
    Answer.Limits l = s.answer().limits();
    md.append("- **How sure:** originals trained long enough? ").append(checkLine
        .replaceAll("\\.$", "")).append("; ").append(tolerance.summary())
        .append(String.format(Locale.ROOT, "; limits: %d seeds per cell, N ≤ %d, D ≤ %d, %s%s."
        + "\n\n", l.seeds(), l.maxN(), l.maxD(), l.language(),
        text.isPresent() ? " and natural text" : ""));
  }

  void fullLines(StringBuilder md) {
    Headline h = s.headline();
    md.append("On the ").append(sweepTask).append(" task, for ")
        .append(h.arm().isEmpty() ? "these runs" : h.arm())
        .append(" (Kaplan–Meier medians over seeds [95% CI]; each line names its table):\n\n");
    for (Headline.Line l : h.lines()) {
      if (l.question().equals("limits") || l.question().equals("N and D")) {
        continue; // N and D: the law below says it in examples
      }
      md.append("- **").append(l.question()).append(":** ").append(l.answer())
          .append(" (table \"Absolute costs: examples and steps to recover\" below).\n");
    }
    long recovered = records.stream().filter(Runs::recovered).count();
    long damaged = records.stream().filter(r -> !Runs.undamaged(r)).count();
    md.append(String.format(Locale.ROOT, "- **refuse to train?** %d of %d damaged runs reached "
        + "the target within one B_ref", recovered, damaged));
    md.append(stoppedShort(records));
    pastTarget.ifPresentOrElse(p -> md.append("; trained on past the verdict: ")
        .append(pastSummary(p)).append(" (table \"Past the target\").\n"),
        () -> md.append("; whether they go on to L* itself is not measured in these runs "
            + "(`--past-target`).\n"));
    for (WidthDepthLaw.Fit f : law.fits()) {
      if (f.problem().isPresent()) {
        md.append("- **N and D, ").append(f.place().label()).append(":** no fit (")
            .append(f.problem().get()).append(") (table L).\n");
        continue;
      }
      WidthDepthLaw.Coefficient b = f.coefficients().get(1);
      WidthDepthLaw.Coefficient c = f.coefficients().get(2);
      // the exponents read as what a doubling does: 2^b, its interval 2^low..2^high
      md.append(String.format(Locale.ROOT, "- **N and D, %s:** examples ∝ D^%.2f [%.2f, %.2f] "
          + "× N^%.2f [%.2f, %.2f] over D ∈ %s, N ∈ %s: doubling D multiplies them by %.2f "
          + "[%.2f, %.2f], doubling N by %.2f [%.2f, %.2f] (table L).\n", f.place().label(),
          b.estimate(), b.low(), b.high(), c.estimate(), c.low(), c.high(), f.widths(),
          f.depths(), Math.pow(2, b.estimate()), Math.pow(2, b.low()), Math.pow(2, b.high()),
          Math.pow(2, c.estimate()), Math.pow(2, c.low()), Math.pow(2, c.high())));
    }
    if (!law.checks().isEmpty()) {
      long inside = law.checks().stream().filter(WidthDepthLaw.Check::inside).count();
      md.append(String.format(Locale.ROOT, "- **held-out shape N=%d D=%d:** %d of %d cells "
          + "inside the law's 95%% prediction interval (table L).\n", law.held().get()[0],
          law.held().get()[1], inside, law.checks().size()));
    }
    md.append("- **originals trained long enough?** ").append(checkLine).append('\n');
    md.append("- **a looser tolerance?** ").append(tolerance.summary()).append(".\n");
    if (!scratch.rows().isEmpty()) {
      md.append("- **against training from scratch:** ").append(scratch.summary())
          .append(".\n");
    }
    md.append("- **natural text:** ").append(text.map(t -> t.answer(sweepTask))
        .orElse("not in these runs.")).append('\n');
    md.append("- **the aside (encoder-decoder):** ").append(asides.isEmpty()
        ? "not in these runs.\n" : "one line per task (table A):\n" + asideSummary(asides));
    md.append("- **literature:** see \"Has anyone done this?\" below.\n");
    Answer.Limits l = s.answer().limits();
    md.append(String.format(Locale.ROOT, "- **limits:** %d seeds per cell; N ≤ %d, D ≤ %d; %s%s."
        + "\n\n", l.seeds(), l.maxN(), l.maxD(), l.language(),
        text.isPresent() ? " and natural text (table T)" : " (natural text not in these runs)"));
  }

  /**
   * The README's answer: a few lines computed from the same runs as the page, so the first
   * screen a user reads cannot drift from the data (a test compares it with the README).
   */
  String readme(Path page, Optional<Chart> chart, String plotsDir) {
    String link = "docs/" + page.getFileName();
    Answer.Limits l = s.answer().limits();
    List<Integer> depths = records.stream().map(r -> r.key().nLayers()).distinct().sorted()
        .toList();
    List<Integer> widths = records.stream().map(r -> r.key().dModel()).distinct().sorted()
        .toList();
    StringBuilder md = new StringBuilder();
    md.append("From the runs committed under `data/` ([").append(link).append("](").append(link)
        .append("), made from them by one command; a test fails if the two disagree): "
            + "decoder-only transformers of N = ")
        .append(depths.stream().map(String::valueOf).collect(java.util.stream.Collectors
            .joining(", ")))
        .append(" blocks and width D = ").append(widths.stream().map(String::valueOf)
            .collect(java.util.stream.Collectors.joining(", ")))
        .append(" on the ").append(records.stream().map(Findings::task)
            .filter(Objects::nonNull).findFirst().orElse("synthetic"))
        .append(" task, ").append(l.seeds()).append(" seeds; one block reset to fresh random "
            + "weights, only it trainable, retrained at a constant rate until its loss is back "
            + "within ").append(Findings.values(records, "epsilon_nats")).append(" nats of L*.\n\n");
    for (Headline.Line h : s.headline().lines()) {
      if (h.question().equals("share of S×E (ρ)")) {
        md.append("- **How much of S×E:** ").append(h.answer()).append(".\n");
      }
    }
    md.append("- **Refuse to train?** ").append(gotBack()).append(".\n");
    for (WidthDepthLaw.Fit f : law.fits()) {
      if (f.problem().isEmpty() && f.place() == law.fits().get(0).place()) {
        WidthDepthLaw.Coefficient b = f.coefficients().get(1);
        WidthDepthLaw.Coefficient c = f.coefficients().get(2);
        md.append(String.format(Locale.ROOT, "- **Position, N, D:** %s; block 0's "
            + "examples ∝ D^%.2f × N^%.2f (doubling D multiplies them by %.2f, doubling N by "
            + "%.2f).%n", firstCostsMost(s.summary()), b.estimate(), c.estimate(),
            Math.pow(2, b.estimate()), Math.pow(2, c.estimate())));
      }
    }
    md.append("- **Natural text, the encoder-decoder aside, the checks and the limits:** [")
        .append(link).append("](").append(link).append(").\n");
    chart.ifPresent(c -> md.append("\n![").append(c.alt()).append("](docs/").append(plotsDir)
        .append('/').append(c.fileName()).append(")\n"));
    return md.toString();
  }

  /**
   * Per task, what the decoder gives with no encoder, and the range of the wipes' costs
   * against training from scratch: the aside in one clause per task.
   */
  static String asideShort(Map<String, List<Aside>> asides) {
    List<String> parts = new ArrayList<>();
    asides.forEach((t, as) -> {
      for (Aside a : as) {
        double[] ratios = a.rows().stream().filter(r -> r.scratch().n() > 0)
            .mapToDouble(r -> r.scratch().mean()).sorted().toArray();
        long never = a.rows().stream().filter(r -> r.examples().n() > 0
            && r.examples().median().isEmpty()).count();
        parts.add(String.format(Locale.ROOT, "`%s` %s: decoder alone %s nats against ln V "
            + "%.2f; %s%s", t, a.shape(), a.decoderAlone().n() == 0 ? "not measured"
            : String.format(Locale.ROOT, "%.2f", a.decoderAlone().mean()), a.lnV(),
            ratios.length == 0 ? "no wipe compared with T_scratch"
            : String.format(Locale.ROOT, "a wipe costs %.2f–%.2f × T_scratch", ratios[0],
                ratios[ratios.length - 1]),
            never == 0 ? "" : String.format(Locale.ROOT, ", %d not reached", never)));
      }
    });
    return String.join("; ", parts);
  }

  /**
   * Per task, which wipes looked like a full reset and what the decoder alone gives: the
   * aside's answer in one clause per task.
   */
  private static String asideSummary(Map<String, List<Aside>> asides) {
    List<String> parts = new ArrayList<>();
    asides.forEach((t, as) -> {
      for (Aside a : as) {
        List<String> reset = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (Aside.Row r : a.rows()) {
          String what = r.what().target().label() + (r.examples().n() == 0 ? " (undamaged)"
              : " " + r.examples().formatCount() + " examples" + (r.scratch().n() == 0 ? ""
              : String.format(Locale.ROOT, " (%.2f × T_scratch)", r.scratch().mean())));
          (r.likeness() == Aside.Likeness.NO ? not : reset).add(what);
        }
        parts.add(String.format(Locale.ROOT, "  - `%s`, %s (decoder alone %s against ln V "
            + "%.2f): like a full reset at step 0 or in cost: %s; not: %s.%n", t, a.shape(),
            a.decoderAlone().n() == 0 ? "not measured" : a.decoderAlone().format(), a.lnV(),
            reset.isEmpty() ? "none" : String.join(", ", reset),
            not.isEmpty() ? "none" : String.join(", ", not)));
      }
    });
    return String.join("", parts);
  }

  /**
   * What the damaged runs that did not recover did: their verdicts, and how far above the
   * target their lowest evaluated loss stayed (a plateau a few thousandths above it is the
   * plateau rule's call, not a block that cannot learn).
   */
  static String stoppedShort(List<RunRecord> records) {
    List<RunRecord> not = records.stream()
        .filter(r -> !Runs.undamaged(r) && !Runs.recovered(r)).toList();
    if (not.isEmpty()) {
      return "";
    }
    Map<String, Long> verdicts = new TreeMap<>();
    not.forEach(r -> verdicts.merge(r.row().verdict().name(), 1L, Long::sum));
    double[] gaps = not.stream().mapToDouble(r -> r.curve().stream()
        .mapToDouble(dev.ablation.api.recovery.CurvePoint::loss).filter(Double::isFinite)
        .min().orElse(Double.NaN) - r.row().targetLoss()).filter(Double::isFinite).sorted()
        .toArray();
    List<String> parts = new ArrayList<>();
    verdicts.forEach((v, n) -> parts.add(n + " " + v));
    String gap = gaps.length == 0 ? "" : String.format(Locale.ROOT, ", their lowest loss "
        + "%.4f–%.4f nats above the target", gaps[0], gaps[gaps.length - 1]);
    return "; the other " + not.size() + ": " + String.join(", ", parts) + gap;
  }

  /** One clause per cell group: how many seeds ended under L*, and the mean end − L*. */
  private static String pastSummary(PastTarget p) {
    List<String> parts = new ArrayList<>();
    for (PastTarget.Cell c : p.cells()) {
      Shape s = c.key().shape();
      parts.add(String.format(Locale.ROOT, "N=%d D=%d %s: %d of %d seeds under L* at step %d, "
          + "L(end) − L* %s", s.n(), s.d(), c.key().target().label(),
          c.againstStar().belowStar(), c.recoveries().damaged(), c.horizon(),
          c.againstStar().endMinusStar().format()));
    }
    return String.join("; ", parts);
  }

  /**
   * In how many shapes block 0's median cost is the largest of its blocks' (shapes where
   * block 0 has a median and so does another block).
   */
  static String firstCostsMost(Summary summary) {
    int shapes = 0;
    int first = 0;
    for (Summary.Panel p : summary.panels()) {
      for (List<double[]> pts : p.lines().values()) {
        java.util.OptionalDouble zero = pts.stream().filter(x -> x[0] == 0)
            .mapToDouble(x -> x[1]).findFirst();
        double others = pts.stream().filter(x -> x[0] != 0).mapToDouble(x -> x[1]).max()
            .orElse(Double.NaN);
        if (zero.isPresent() && !Double.isNaN(others)) {
          shapes++;
          first += zero.getAsDouble() >= others ? 1 : 0;
        }
      }
    }
    return shapes == 0 ? "no shape has block 0's cost beside another's"
        : first == shapes ? "block 0 costs the most in every shape (" + shapes + ")"
        : "block 0 costs the most in " + first + " of " + shapes + " shapes";
  }
}
