package dev.ablation.study.report;

import dev.ablation.api.Architecture;
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
    int included = 0;
    for (Path study : studies) {
      List<RunRecord> rs = RunFiles.finished(study);
      if (rs.isEmpty()) {
        continue; // nothing to show yet, and git keeps no empty runs/: a clone would differ
      }
      included++;
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
    String checkLine = TrainedLongEnough.write(checkTable, data, records, longer);
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
        .append(" runs of ").append(included).append(" studies; see Provenance.\n\n");
    FindingsAnswer answer = new FindingsAnswer(
        new FindingsAnswer.Sweep(sections, law, records, sweepTask),
        new FindingsAnswer.Checks(checkLine, pastTarget, tolerance, scratch),
        new FindingsAnswer.Beyond(text, asides));
    md.append("## The answer\n\n");
    answer.shortLines(md);
    answerChart.ifPresent(c -> {
      charts.add(c);
      md.append("![").append(c.alt()).append("](").append(plotsDir).append('/')
          .append(c.fileName()).append(")\n\n");
    });
    md.append("## How it was measured\n\n").append(protocol(records)).append("\n\n");
    md.append("## The answer, line by line\n\n");
    answer.fullLines(md);
    md.append("## Table L: width and depth as a law, in examples\n\n");
    LawTable.format(law).forEach(l -> md.append(l).append('\n'));
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
      p.lines().forEach(l -> md.append(l).append('\n'));
      md.append("These runs are in `data/").append(checks(data).getFileName())
          .append("/past-target-*/`, on the sweep's own originals; their verdicts and T_ε "
              + "are the protocol's (the same as the sweep's runs of that shape).\n\n");
    });
    asides.forEach((t, a) -> {
      md.append("## Table A (").append(t).append("): the encoder-decoder aside\n\n");
      md.append("Task `").append(t).append("` (docs/tasks.md).\n\n");
      Aside.lines(a).stream().skip(2)
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
        answer.readme(page, answerChart, plotsDir));
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
        + "evaluations; " + lossStarClause(records) + "). Costs are read first in examples (and optimiser steps), which do not "
        + "divide by the length of the original's training; ρ = T_ε / B_ref does (B_ref = "
        + "S × E, the examples the original trained on). A run that does not get back within "
        + "its cap is "
        + "censored there, never dropped; medians are Kaplan–Meier medians over seeds.";
  }

  /**
   * What the runs' L* is, measured on their originals' curves: the loss of the original's final
   * weights (the model that is wiped), which the mean of its last k evaluations (the protocol's
   * noise window) differs from by the largest amount given here.
   */
  static String lossStarClause(List<RunRecord> records) {
    double largest = 0;
    boolean any = false;
    for (RunRecord r : records) {
      List<dev.ablation.api.recovery.CurvePoint> c = r.originalCurve();
      int k = Math.min(Runs.window(r), c.size());
      if (k < 1) {
        continue;
      }
      double mean = c.subList(c.size() - k, c.size()).stream()
          .mapToDouble(dev.ablation.api.recovery.CurvePoint::loss).average().orElseThrow();
      largest = Math.max(largest, Math.abs(mean - r.row().lossOriginal()));
      any = true;
    }
    return any ? String.format(Locale.ROOT, "L* is the loss of the original's final weights, "
        + "the model that is wiped; the mean of its last k evaluations differs from it by at "
        + "most %.4f nats over these originals", largest)
        : "L* is the loss of the original's final weights, the model that is wiped";
  }

  /** The distinct values of a manifest key over {@code records}, or "unrecorded". */
  static String values(List<RunRecord> records, String key) {
    List<String> v = records.stream().map(r -> r.manifest().configuration().get(key))
        .filter(Objects::nonNull).distinct().sorted().toList();
    return v.isEmpty() ? "an unrecorded number of" : String.join(" / ", v);
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
        if (rs.isEmpty()) {
          continue; // as in page(): a study with no finished run is not shown yet
        }
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

  /** The folder of the checks of {@code data}'s studies: {@code DATA-checks/} beside it. */
  public static Path checks(Path data) {
    return data.resolveSibling(data.getFileName() + "-checks");
  }

  private static String criterion(List<RunRecord> records) {
    return "T_ε as recorded in each run's manifest (t_eps_rule "
        + records.stream().map(r -> r.manifest().configuration().get("t_eps_rule"))
        .filter(java.util.Objects::nonNull).distinct().sorted().toList() + ")";
  }
}
