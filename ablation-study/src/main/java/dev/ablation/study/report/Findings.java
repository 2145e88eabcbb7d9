package dev.ablation.study.report;

import dev.ablation.samediff.model.Architecture;
import dev.ablation.study.store.RunFiles;
import dev.ablation.study.store.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The findings page, made from the committed runs alone: every study folder under a data
 * directory (its {@code runs/*.json}, which a study writes as each run ends, so a study still
 * running contributes what it has), rendered with the report's own code — one median and one
 * interval method per quantity, the same as every {@code report.md} — and the width/depth law.
 * Nothing is trained, and nothing is typed in by hand: a test regenerates the page from the
 * repository's {@code data/} and fails when the committed page differs.
 *
 * <p>The page opens with the answer, one line per sub-question pointing at its table, then
 * the summary figure, the law with its held-out shape, where runs settled past the target (when
 * measured), the provenance of every study, and the full report of the runs.
 */
public final class Findings {
  private Findings() {}

  /** Where the plots of {@code page} go: beside it, in {@code <stem>-plots/}. */
  public static String plotsFolder(Path page) {
    String name = page.getFileName().toString();
    return (name.endsWith(".md") ? name.substring(0, name.length() - 3) : name) + "-plots";
  }
  /** The shape held out of the law's fit, when it was run. */
  static final int[] HELD_OUT = {4, 256};

  /** The page and the charts it links to (drawn by {@link #write}). */
  public record Page(String markdown, List<Chart> charts, String readmeAnswer) {}

  /** The line before the README's answer, which {@link #writeReadme} replaces up to {@link #README_END}. */
  public static final String README_BEGIN =
      "<!-- answer: made by `ablation.jar findings DATA PAGE --readme README.md`; do not edit -->";
  /** The line after the README's answer. */
  public static final String README_END = "<!-- answer: end -->";

  /** The looser tolerance the page re-judges the runs at (table E), nats. */
  static final double LOOSER_EPSILON = 0.05;

  /** The chart of the answer: the synthetic task's blocks with the text runs' beside them. */
  static final String ANSWER_CHART = "answer";

  /** Which part of the page a study's runs belong to, by what its originals learned. */
  enum Part {
    /** The width/depth sweep's synthetic task: the answer, the law, the full report. */
    SWEEP,
    /** Natural text: table T. */
    TEXT,
    /** Encoder-decoders: the aside, table A. */
    ASIDE;

    static Part of(List<RunRecord> rs) {
      if (rs.stream().anyMatch(r -> r.key().arch() == Architecture.ENCODER_DECODER)) {
        return ASIDE;
      }
      return rs.stream().anyMatch(r -> "text".equals(task(r))) ? TEXT : SWEEP;
    }

    /** The part of a study folder: by its runs, or by its plan's task before any run ended. */
    static Part of(Path study, List<RunRecord> rs) throws IOException {
      if (!rs.isEmpty()) {
        return of(rs);
      }
      Path plan = study.resolve(dev.ablation.study.store.ResultStore.STUDY);
      if (!Files.isRegularFile(plan)) {
        return SWEEP;
      }
      com.fasterxml.jackson.databind.JsonNode task = new com.fasterxml.jackson.databind
          .ObjectMapper().readTree(plan.toFile()).path("training").path("task");
      Optional<dev.ablation.study.plan.Task> t =
          dev.ablation.study.plan.Task.byKey(task.asText(""));
      return t.filter(dev.ablation.study.plan.Task::isSeq2Seq).isPresent() ? ASIDE
          : t.filter(x -> x == dev.ablation.study.plan.Task.TEXT).isPresent() ? TEXT : SWEEP;
    }
  }

  /**
   * The page for the study folders under {@code data} (each a study's {@code --out}, with a
   * {@code runs/} folder), sorted by name: the synthetic sweep's, the text runs' and the
   * aside's, each told apart by what its originals learned.
   *
   * @param data a folder of study folders and a {@code commands.txt}
   * @param page where the page will be written (its plots go beside it)
   */
  public static Page page(Path data, Path page) throws IOException {
    String plotsDir = plotsFolder(page);
    List<Path> studies;
    try (Stream<Path> s = Files.list(data)) {
      studies = s.filter(p -> Files.isDirectory(p.resolve("runs"))).sorted().toList();
    }
    if (studies.isEmpty()) {
      throw new IllegalArgumentException(data + " holds no study folder (a folder with runs/)");
    }
    Map<Part, List<RunRecord>> parts = new EnumMap<>(Part.class);
    Map<Part, List<Path>> folders = new EnumMap<>(Part.class);
    for (Part p : Part.values()) {
      parts.put(p, new ArrayList<>());
      folders.put(p, new ArrayList<>());
    }
    List<String> provenance = new ArrayList<>();
    int total = 0;
    for (Path study : studies) {
      List<RunRecord> rs = RunFiles.finished(study);
      Part part = Part.of(study, rs);
      parts.get(part).addAll(rs);
      folders.get(part).add(study);
      total += rs.size();
      provenance.add(Provenance.row(data, study, rs.size()));
    }
    List<RunRecord> records = parts.get(Part.SWEEP);
    String sweepTask = records.stream().map(Findings::task).filter(Objects::nonNull)
        .findFirst().orElse("synthetic");
    Sections sections = Sections.of(records, List.of());
    MarkdownRenderer.Rendered full = MarkdownRenderer.render(sections, criterion(records));
    Optional<int[]> held = records.stream().anyMatch(r -> r.key().nLayers() == HELD_OUT[0]
        && r.key().dModel() == HELD_OUT[1]) ? Optional.of(HELD_OUT) : Optional.empty();
    WidthDepthLaw.Result law = WidthDepthLaw.fit(records, held, WidthDepthLaw.RESAMPLES);

    StringBuilder checkTable = new StringBuilder();
    // trained long enough? the checks' check-2x* studies
    List<RunRecord> longer = checkRuns(data, "check-2x", provenance);
    String checkLine = twiceAsLong(checkTable, data, records, longer);
    // "does it refuse to train?" past the target: the checks' past-target-* studies
    List<RunRecord> past = checkRuns(data, "past-target", provenance);
    Optional<PastTarget> pastTarget = PastTarget.of(past);
    // T_scratch, one seed per shape: the checks' scratch-* studies
    List<RunRecord> scratchRuns = checkRuns(data, "scratch", provenance);
    ScratchTable scratch = ScratchTable.of(scratchRuns, records);
    Tolerance tolerance = Tolerance.of(records, LOOSER_EPSILON);
    List<RunRecord> textRuns = parts.get(Part.TEXT);
    // text controls on the text originals: the checks' text-* studies
    List<RunRecord> textControls = checkRuns(data, "text-", provenance);
    Optional<TextTables> text = textRuns.isEmpty() ? Optional.empty()
        : Optional.of(TextTables.of(textRuns, textControls, records));
    // one aside per task: two tasks of one shape must not pool
    Map<String, List<Aside>> asides = new TreeMap<>();
    Runs.group(parts.get(Part.ASIDE), Findings::task).forEach((t, rs) ->
        asides.put(t, Sections.byShape(rs).entrySet().stream()
            .filter(e -> Aside.applies(e.getKey()))
            .map(e -> Aside.of(e.getKey(), e.getValue())).toList()));
    List<Chart> charts = new ArrayList<>(full.charts());
    Optional<Chart> answerChart = sections.summary().chartWith(ANSWER_CHART, "text",
        Sections.of(textRuns, List.of()).summary());

    StringBuilder md = new StringBuilder();
    md.append("# Findings: how fast does a wiped transformer block heal?\n\n");
    md.append("Made by `java -jar ablation.jar findings data/").append(data.getFileName())
        .append(" docs/").append(page.getFileName())
        .append("` from the runs committed under `data/")
        .append(data.getFileName()).append("/` (nothing retrained; a test regenerates this page "
            + "and fails on any difference). ").append(total)
        .append(" runs of ").append(studies.size()).append(" studies; see Provenance.\n\n");
    md.append("## The answer\n\n");
    shortAnswer(md, sections, law, records, checkLine, pastTarget, text, asides, sweepTask,
        tolerance, scratch);
    answerChart.ifPresent(c -> {
      charts.add(c);
      md.append("![").append(c.alt()).append("](").append(plotsDir).append('/')
          .append(c.fileName()).append(")\n\n");
    });
    md.append("## How it was measured\n\n").append(protocol(records)).append("\n\n");
    md.append("## The answer, line by line\n\n");
    answer(md, sections, law, records, checkLine, pastTarget, text, asides, sweepTask,
        tolerance, scratch);
    md.append("## Table L: width and depth as a law, in examples\n\n");
    WidthDepthLaw.format(law).forEach(l -> md.append(l).append('\n'));
    md.append("\nCommand: `java -jar ablation.jar law ")
        .append(String.join(" ", folders.get(Part.SWEEP).stream().map(p -> "data/"
            + data.getFileName() + "/" + p.getFileName()).toList()))
        .append(held.map(h -> " --hold-out " + h[0] + "x" + h[1]).orElse(""))
        .append("` prints this table.\n\n");
    md.append(checkTable);
    tolerance.lines(values(records, "epsilon_nats") + " nats")
        .forEach(l -> md.append(l).append('\n'));
    if (!scratch.rows().isEmpty()) {
      scratch.lines("data/" + checks(data).getFileName() + "/scratch-*/")
          .forEach(l -> md.append(l).append('\n'));
    }
    text.ifPresent(t -> t.lines(sweepTask).forEach(l -> md.append(l).append('\n')));
    pastTarget.ifPresent(p -> {
      MarkdownRenderer.pastTargetLines(p).forEach(l -> md.append(l).append('\n'));
      md.append("These runs are in `data/").append(checks(data).getFileName())
          .append("/past-target-*/`, on the sweep's own originals; their verdicts and T_ε "
              + "are the protocol's (the same as the sweep's runs of that shape).\n\n");
    });
    asides.forEach((t, a) -> {
      md.append("## Table A (").append(t).append("): the encoder-decoder aside\n\n");
      md.append("Task `").append(t).append("` (docs/tasks.md).\n\n");
      MarkdownRenderer.asideLines(a).stream().skip(2)
          .forEach(l -> md.append(l.startsWith("#") ? "#" + l : l).append('\n'));
    });
    md.append("## Has anyone done this?\n\nSee [literature.md](literature.md): in the works "
        + "read there we found no measurement of the examples one re-initialised block needs, "
        + "with the rest frozen, to get back to the original's loss.\n\n");
    md.append("## Provenance\n\n");
    md.append("| study | runs | command | machine, commit | wall | user CPU | peak RSS |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    provenance.forEach(p -> md.append(p).append('\n'));
    md.append("\nWall and user CPU add up every session of a study (`--resume` continues one "
        + "in a later session); a session killed before `/usr/bin/time` wrote its figures is "
        + "counted as unmeasured.\n\n");
    md.append("## The full report of the ").append(sweepTask).append(" sweep\n\n");
    md.append("Every table below is the study report's own (`report.md`), over all the "
        + sweepTask + " runs above.\n\n");
    for (String line : full.markdown().split("\n", -1)) {
      if (line.startsWith("Interactive: [report.html]")) {
        continue; // the page has no report.html beside it
      }
      // one level down, and the plots in this page's folder
      String l = line.startsWith("#") ? "#" + line : line;
      md.append(l.replace("](" + Report.PLOTS + "/", "](" + plotsDir + "/")).append('\n');
    }
    return new Page(md.toString().stripTrailing() + "\n", charts,
        readme(sections, records, law, page, answerChart, plotsDir));
  }

  /**
   * The question and the protocol in one paragraph, its settings read from the runs'
   * manifests (never typed in), so a reader meets the units before the numbers.
   */
  static String protocol(List<RunRecord> records) {
    String warmup = values(records, "recovery_warmup");
    String eps = values(records, "epsilon_nats");
    String rule = values(records, "target_rule");
    return "The question: take a trained N-block transformer, reset one block to fresh random "
        + "weights (attention, MLP and layer norms), freeze every other weight, and retrain. "
        + "How many examples until its validation loss is back? Here a recovery trains only "
        + "the wiped block at the original's peak rate (warmed up over " + warmup + " steps, "
        + "then constant) and stops at T_ε, the first step whose loss, and the next step's, "
        + "are at or under the target L* + max(ε, 2σ) (target rule " + rule + ", ε = " + eps
        + " nats; L* and σ: the original's validation loss and its spread over its last "
        + "evaluations). Costs are read first in examples (and optimiser steps), which do not "
        + "divide by the length of the original's training; ρ = T_ε / B_ref does (B_ref = "
        + "S × E, the examples the original trained on). A run that does not get back within "
        + "its cap is "
        + "censored there, never dropped; medians are Kaplan–Meier medians over seeds.";
  }

  /** The distinct values of a manifest key over {@code records}, or "unrecorded". */
  private static String values(List<RunRecord> records, String key) {
    List<String> v = records.stream().map(r -> r.manifest().configuration().get(key))
        .filter(Objects::nonNull).distinct().sorted().toList();
    return v.isEmpty() ? "an unrecorded number of" : String.join(" / ", v);
  }

  /**
   * The README's answer: a few lines computed from the same runs as the page, so the first
   * screen a user reads cannot drift from the data (a test compares it with the README).
   */
  static String readme(Sections s, List<RunRecord> records, WidthDepthLaw.Result law,
      Path page, Optional<Chart> chart, String plotsDir) {
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
            + "within ").append(values(records, "epsilon_nats")).append(" nats of L*.\n\n");
    for (Headline.Line h : s.headline().lines()) {
      if (h.question().equals("share of S×E (ρ)")) {
        md.append("- **How much of S×E:** ").append(h.answer()).append(".\n");
      }
    }
    long recovered = records.stream().filter(Runs::recovered).count();
    long damaged = records.stream().filter(r -> !Runs.undamaged(r)).count();
    md.append(String.format(Locale.ROOT, "- **Refuse to train?** %d of %d damaged runs got "
        + "back", recovered, damaged)).append(stoppedShort(records)).append(".\n");
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

  /**
   * Replaces the README's answer (between {@link #README_BEGIN} and {@link #README_END}) with
   * {@code answer}.
   *
   * @throws IllegalArgumentException when the README lacks the two marker lines
   */
  public static void writeReadme(Path readme, String answer) throws IOException {
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int a = text.indexOf(README_BEGIN);
    int b = text.indexOf(README_END);
    if (a < 0 || b < a) {
      throw new IllegalArgumentException(readme + " has no answer to replace: it needs the lines "
          + README_BEGIN + " and " + README_END);
    }
    String out = text.substring(0, a + README_BEGIN.length()) + "\n" + answer
        + text.substring(b);
    Files.writeString(readme, out, StandardCharsets.UTF_8);
  }

  /** The README's answer as committed: the lines between the two markers. */
  public static String readmeAnswer(Path readme) throws IOException {
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int a = text.indexOf(README_BEGIN);
    int b = text.indexOf(README_END);
    if (a < 0 || b < a) {
      throw new IllegalArgumentException(readme + " has no answer between " + README_BEGIN
          + " and " + README_END);
    }
    return text.substring(a + README_BEGIN.length() + 1, b);
  }

  /**
   * The runs of every study folder under {@link #checks} whose name starts with {@code prefix},
   * in name order, each folder's provenance row added to {@code provenance}.
   */
  private static List<RunRecord> checkRuns(Path data, String prefix, List<String> provenance)
      throws IOException {
    List<RunRecord> out = new ArrayList<>();
    if (!Files.isDirectory(checks(data))) {
      return out;
    }
    try (Stream<Path> c = Files.list(checks(data))) {
      for (Path d : c.filter(x -> x.getFileName().toString().startsWith(prefix)
          && Files.isDirectory(x.resolve("runs"))).sorted().toList()) {
        List<RunRecord> rs = RunFiles.finished(d);
        out.addAll(rs);
        provenance.add(Provenance.row(checks(data), d, rs.size()));
      }
    }
    return out;
  }

  /** The task a run's originals learned ({@code task} in its manifest). */
  static String task(RunRecord r) {
    return r.manifest().configuration().get("task");
  }

  /**
   * Writes the page to {@code page} and its charts beside it ({@link #plotsFolder}), and
   * returns it (its README answer included, so a caller need not render it twice).
   */
  public static Page write(Path data, Path page) throws IOException {
    Page p = page(data, page);
    Path plots = page.toAbsolutePath().getParent().resolve(plotsFolder(page));
    if (Files.isDirectory(plots)) {
      try (Stream<Path> old = Files.list(plots)) {
        for (Path f : old.toList()) {
          Files.delete(f);
        }
      }
    }
    Files.createDirectories(plots);
    for (Chart c : p.charts()) {
      c.draw(plots.resolve(c.fileName()));
    }
    Files.writeString(page, p.markdown(), StandardCharsets.UTF_8);
    return p;
  }

  /**
   * The answer a reader meets first: one short line per sub-question (at most ten), each with
   * its number and the table that holds it; {@link #answer} below the protocol gives every
   * number in full.
   */
  private static void shortAnswer(StringBuilder md, Sections s, WidthDepthLaw.Result law,
      List<RunRecord> records, String checkLine, Optional<PastTarget> pastTarget,
      Optional<TextTables> text, Map<String, List<Aside>> asides, String sweepTask,
      Tolerance tolerance, ScratchTable scratch) {
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
    long recovered = records.stream().filter(Runs::recovered).count();
    long damaged = records.stream().filter(r -> !Runs.undamaged(r)).count();
    md.append(String.format(Locale.ROOT, "- **Refuse to train?** %d of %d damaged runs got "
        + "back", recovered, damaged)).append(stoppedShort(records));
    pastTarget.ifPresent(p -> {
      int below = p.cells().stream().mapToInt(PastTarget.Cell::belowStar).sum();
      int runs = p.cells().stream().mapToInt(c -> c.recovered() + c.notRecovered()).sum();
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

  private static void answer(StringBuilder md, Sections s, WidthDepthLaw.Result law,
      List<RunRecord> records, String checkLine, Optional<PastTarget> pastTarget,
      Optional<TextTables> text, Map<String, List<Aside>> asides, String sweepTask,
      Tolerance tolerance, ScratchTable scratch) {
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
          + "L(end) − L* %s", s.n(), s.d(), c.key().target().label(), c.belowStar(),
          c.recovered() + c.notRecovered(), c.horizon(), c.endMinusStar().format()));
    }
    return String.join("; ", parts);
  }

  /** The run's target tolerance ε in nats, from its manifest ({@code epsilon_nats}). */
  private static double epsilon(RunRecord r) {
    String e = r.manifest().configuration().get("epsilon_nats");
    return e == null ? Double.NaN : Double.parseDouble(e);
  }

  /** The folder of the checks of {@code data}'s studies: {@code DATA-checks/} beside it. */
  public static Path checks(Path data) {
    return data.resolveSibling(data.getFileName() + "-checks");
  }

  /**
   * "Trained long enough?" into {@code md}, returning the answer's line: for each shape with
   * a {@code check-2x*} original (the same seed trained twice as many steps, the rate decayed
   * over the longer length), both L* and the drop against twice the shorter original's σ and
   * against the target's ε.
   */
  private static String twiceAsLong(StringBuilder md, Path data, List<RunRecord> records,
      List<RunRecord> checked) {
    if (checked.isEmpty()) {
      return "not checked in these runs.";
    }
    List<RunRecord> longer = checked.stream().sorted(java.util.Comparator
        .comparingInt((RunRecord r) -> r.key().nLayers()).thenComparingInt(r -> r.key().dModel())
        .thenComparingLong(r -> r.key().seed())).toList();
    md.append("## Table C: trained long enough? The same original trained twice as long\n\n");
    md.append("Each row: seed 1 of a shape trained the sweep's 2,048 steps and, in `data/")
        .append(checks(data).getFileName()).append("/check-2x*/`, 4,096 steps with the rate "
            + "decayed over the longer length (the same data order and initialisation). The "
            + "length is long enough for a shape when the longer training lowers L* by less "
            + "than 2σ of the shorter (σ: spread of its last evaluations; with the rate decayed "
            + "to 0 it is tiny). The last column compares the drop with the recovery target's "
            + "tolerance ε instead: a drop under ε moves L* by less than what the target "
            + "forgives.\n\n");
    md.append("| N | D | seed | L* at 2,048 steps | σ | L* at 4,096 steps | drop | drop < 2σ "
        + "| drop < ε |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    int rows = 0;
    int pass = 0;
    int withinEps = 0;
    for (RunRecord l : longer) {
      Optional<RunRecord> base = records.stream()
          .filter(r -> r.key().nLayers() == l.key().nLayers()
              && r.key().dModel() == l.key().dModel() && r.key().seed() == l.key().seed())
          .findFirst();
      if (base.isEmpty()) {
        continue;
      }
      double star = base.get().row().lossOriginal();
      double sigma = base.get().row().lossOriginalSd();
      double drop = star - l.row().lossOriginal();
      double eps = epsilon(base.get());
      boolean ok = drop < 2 * sigma;
      rows++;
      pass += ok ? 1 : 0;
      withinEps += drop < eps ? 1 : 0;
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.4f | %.4f | %.4f | %.4f | %s "
          + "| %s (ε = %s) |%n", l.key().nLayers(), l.key().dModel(), l.key().seed(), star,
          sigma, l.row().lossOriginal(), drop, ok ? "yes" : "no", drop < eps ? "yes" : "no",
          Interval.fmt(eps)));
    }
    md.append(String.format(Locale.ROOT, "%n%d of %d shapes checked pass (drop < 2σ); %d of %d "
        + "moved L* by less than ε.%n%n", pass, rows, withinEps, rows));
    return String.format(Locale.ROOT, "for %d of %d shapes checked, training twice as long "
        + "lowered L* by less than 2σ; for %d, by less than the target's ε (table C).", pass,
        rows, withinEps);
  }

  private static String criterion(List<RunRecord> records) {
    return "T_ε as recorded in each run's manifest (t_eps_rule "
        + records.stream().map(r -> r.manifest().configuration().get("t_eps_rule"))
        .filter(java.util.Objects::nonNull).distinct().sorted().toList() + ")";
  }
}
