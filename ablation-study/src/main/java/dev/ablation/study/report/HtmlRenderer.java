package dev.ablation.study.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Environment;
import dev.ablation.study.store.FailedRun;
import dev.ablation.study.store.Provenance;
import dev.ablation.study.store.ResultsCsv;
import dev.ablation.study.store.RunRecord;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code report.html} from the computed {@link Sections}: the same headline and summary the
 * Markdown renders, then what only a browser can offer (hover, log axes, per-seed curves,
 * sortable and filterable tables, the raw rows to download). Text is written into the page
 * (readable without scripts); chart and table data go into one JSON block that
 * {@link HtmlAssets#script()} draws with uPlot. Every chart records the points it drew in a
 * {@code data-points} attribute beside the {@code data-expected} count computed here, so a
 * browser test can tell a chart that drew too little from one that drew everything.
 */
final class HtmlRenderer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StringBuilder html = new StringBuilder();

  private HtmlRenderer() {}

  /** The page for {@code s} over {@code records} and {@code failures}. */
  static String render(Sections s, List<RunRecord> records, List<FailedRun> failures,
      Optional<Provenance> provenance) {
    HtmlRenderer r = new HtmlRenderer();
    r.page(s, records, failures, provenance);
    return r.html.toString();
  }

  private HtmlRenderer add(String text) {
    html.append(text);
    return this;
  }

  /** {@code text} with the five HTML-special characters escaped. */
  static String esc(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&#39;");
  }

  private void page(Sections s, List<RunRecord> records, List<FailedRun> failures,
      Optional<Provenance> provenance) {
    Headline h = s.headline();
    add("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .add("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .add(HtmlReport.CONTENT_SECURITY_POLICY).add("\">\n")
        .add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .add("<title>Recovery study: how fast does a wiped layer heal?</title>\n")
        .add("<style>\n").add(HtmlAssets.style()).add("\n</style>\n</head>\n<body>\n<main>\n");
    answer(h, s, records.size());
    summary(s.summary());
    curves(records);
    runs(records, failures);
    originals(s.originals(), records);
    provenance(records, provenance);
    downloads(records.size() + failures.size());
    add("</main>\n<script type=\"application/json\" id=\"report-data\">")
        .add(data(s, records, failures)).add("</script>\n<script>\n")
        .add(HtmlAssets.uplotScript()).add("\n</script>\n<script>\n")
        .add(HtmlAssets.script()).add("\n</script>\n</body>\n</html>\n");
  }

  private void answer(Headline h, Sections s, int runs) {
    add("<section id=\"answer\">\n<h1>How fast does a wiped layer heal?</h1>\n")
        .add("<p class=\"lead\">").add(esc(h.title())).add("</p>\n<table class=\"headline\">\n");
    for (Headline.Line l : h.lines()) {
      add("<tr><th scope=\"row\">").add(esc(l.question())).add("</th><td>").add(esc(l.answer()))
          .add("</td></tr>\n");
    }
    add("</table>\n<p class=\"note\">").add(String.format(Locale.ROOT, "%d runs of %d shape%s. "
        + "A run that did not recover is censored at what it spent, never dropped; undamaged "
        + "wipes (%d) count apart. Every arm in sentences: report.md.", runs,
        s.method().shapes(), s.method().shapes() == 1 ? "" : "s", s.method().undamaged()))
        .add("</p>\n</section>\n");
  }

  private void summary(Summary sm) {
    add("<section id=\"summary\">\n<h2>Examples to recover, per wiped block</h2>\n")
        .add("<p class=\"note\">").add(esc(sm.arm().isEmpty() ? "No single-block runs yet."
            : sm.arm() + ": median over seeds with its 95% interval, one panel per width D, "
                + "one line per depth N (log axis). Gaps: no median (" + gaps(sm) + ")."))
        .add("</p>\n<div class=\"panels\">\n");
    for (Summary.Panel p : sm.panels()) {
      add(String.format(Locale.ROOT, "<div class=\"chart\" id=\"summary-D%d\" data-expected=\"%d\">"
          + "</div>\n", p.d(), p.points()));
    }
    add("</div>\n</section>\n");
  }

  private static String gaps(Summary sm) {
    String g = sm.panels().stream().flatMap(p -> p.gaps().entrySet().stream()
        .flatMap(e -> e.getValue().entrySet().stream().map(x -> Summary.label(e.getKey())
            + " D=" + p.d() + " L=" + x.getKey() + " " + x.getValue())))
        .collect(Collectors.joining("; "));
    return g.isEmpty() ? "none" : g;
  }

  private void curves(List<RunRecord> records) {
    int first = HtmlData.firstCurvePoints(records);
    add("<section id=\"curves\">\n<h2>Recovery curves</h2>\n<p class=\"note\">Validation loss "
        + "against examples seen (log axis; step 0 left out), one line per wiped target; "
        + "dashed: the recovery target and the original's L*. Hover for values; click a "
        + "legend entry to hide it.</p>\n<p class=\"controls\"><label>cells <select "
        + "id=\"curve-view\"></select></label> <label>seed <select id=\"curve-seed\"></select>"
        + "</label></p>\n").add(String.format(Locale.ROOT, "<div class=\"chart wide\" "
            + "id=\"curve-chart\" data-expected=\"%d\"></div>\n</section>\n", first));
  }

  private void runs(List<RunRecord> records, List<FailedRun> failures) {
    add("<section id=\"runs\">\n<h2>Every run</h2>\n<p class=\"controls\"><label>filter "
        + "<input id=\"runs-filter\" type=\"search\" placeholder=\"e.g. blocks.0 FRESH\">"
        + "</label> <span id=\"runs-count\"></span> · click a column to sort</p>\n")
        .add(String.format(Locale.ROOT, "<div class=\"scroll\"><table id=\"runs-table\" "
            + "class=\"data\" data-expected=\"%d\"><thead></thead><tbody></tbody></table>"
            + "</div>\n</section>\n", records.size() + failures.size()));
  }

  private void originals(List<Originals> all, List<RunRecord> records) {
    add("<section id=\"originals\">\n<h2>Originals</h2>\n<p class=\"note\">S × E = B_ref: "
        + "what each original trained for; L* the mean of its last evaluations, σ their "
        + "spread; the chart's dashed lines are the mean L* and, where recorded, the task's "
        + "loss floor.</p>\n<div class=\"scroll\"><table class=\"data\"><thead><tr><th>shape"
        + "</th><th>seed</th><th>S × E (examples)</th><th>L*</th><th>σ</th><th>T_orig / (S×E)"
        + "</th><th>loss floor</th></tr></thead><tbody>\n");
    for (Originals o : all) {
      String floor = Originals.floor(records.stream()
          .filter(r -> Shape.of(r.key()).equals(o.shape())).toList()).stream()
          .mapToObj(Interval::fmt).findFirst().orElse("—");
      for (Originals.Row r : o.rows()) {
        add("<tr><td>").add(esc(o.shape().toString())).add("</td><td>")
            .add(Long.toString(r.seed())).add("</td><td>").add(Long.toString(r.refExamples()))
            .add("</td><td>").add(Interval.fmt(r.lossStar())).add("</td><td>")
            .add(Interval.fmt(r.sigma())).add("</td><td>")
            .add(r.tOrigToRef().isPresent() ? Interval.fmt(r.tOrigToRef().getAsDouble()) : "—")
            .add("</td><td>").add(floor).add("</td></tr>\n");
      }
    }
    add("</tbody></table></div>\n<p class=\"controls\"><label>shape <select "
        + "id=\"original-view\"></select></label></p>\n")
        .add(String.format(Locale.ROOT, "<div class=\"chart wide\" id=\"originals-chart\" "
            + "data-expected=\"%d\"></div>\n</section>\n", HtmlData.firstOriginalPoints(all,
                records)));
  }

  private void provenance(List<RunRecord> records, Optional<Provenance> p) {
    add("<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl>\n");
    item("command", p.map(Provenance::command).orElse("not recorded (the study was run "
        + "without the command line)"));
    item("commit", records.stream().map(r -> r.manifest().gitCommit()).distinct()
        .collect(Collectors.joining(", ")));
    item("library", records.stream().map(r -> r.manifest().library()).distinct()
        .collect(Collectors.joining(", ")));
    item("machine", records.stream().map(r -> machine(r.manifest().environment())).distinct()
        .collect(Collectors.joining("; ")));
    item("wall time", p.map(x -> duration(x.wallSeconds())).orElse("not recorded"));
    item("user CPU", p.flatMap(x -> x.userCpuSeconds().isPresent()
        ? Optional.of(duration(x.userCpuSeconds().getAsDouble())) : Optional.empty())
        .orElse("not recorded"));
    item("peak memory (RSS)", p.flatMap(x -> x.peakRssBytes().isPresent()
        ? Optional.of(String.format(Locale.ROOT, "%.2f GB", x.peakRssBytes().getAsLong() / 1e9))
        : Optional.empty()).orElse("not recorded"));
    item("finished", p.map(x -> x.finished().toString()).orElse("not recorded"));
    add("</dl>\n</section>\n");
  }

  private void item(String term, String value) {
    add("<dt>").add(esc(term)).add("</dt><dd>").add(esc(value.isEmpty() ? "—" : value))
        .add("</dd>\n");
  }

  private static String machine(Environment e) {
    return String.format(Locale.ROOT, "%s, %d cores, %s %s, Java %s (%s), %s %s on %s",
        e.cpu(), e.cores(), e.os(), e.arch(), e.javaVersion(), e.javaVendor(), e.engine(),
        e.engineVersion(), e.backend());
  }

  /** {@code 2 min 29 s}, or {@code 41.3 s} under a minute. */
  static String duration(double seconds) {
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d h %02d min %02d s", s / 3600,
        s % 3600 / 60, s % 60) : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }

  private void downloads(int rows) {
    add("<section id=\"downloads\">\n<h2>Raw rows</h2>\n<p>").add(String.format(Locale.ROOT,
        "The %d rows of results.csv, from this page: ", rows))
        .add("<a id=\"download-csv\" download=\"results.csv\" href=\"#downloads\">results.csv"
            + "</a> · <a id=\"download-json\" download=\"rows.json\" href=\"#downloads\">"
            + "rows.json</a> (the same rows as JSON). Curves and manifests: results.json "
            + "beside this file.</p>\n</section>\n");
  }

  private static String data(Sections s, List<RunRecord> records, List<FailedRun> failures) {
    ObjectNode root = JSON.createObjectNode();
    root.set("summary", HtmlData.summary(s.summary()));
    root.set("curves", HtmlData.curves(records));
    root.set("originals", HtmlData.originals(s.originals(), records));
    ObjectNode runs = root.putObject("runs");
    ArrayNode cols = runs.putArray("columns");
    ResultsCsv.HEADER.forEach(cols::add);
    ArrayNode rows = runs.putArray("rows");
    StringBuilder csv = new StringBuilder(ResultsCsv.headerLine());
    for (RunRecord r : records) {
      ArrayNode row = rows.addArray();
      ResultsCsv.cells(r.row()).forEach(row::add);
      csv.append(ResultsCsv.line(r.row()));
    }
    for (FailedRun f : failures) {
      ArrayNode row = rows.addArray();
      ResultsCsv.cells(f).forEach(row::add);
      csv.append(ResultsCsv.line(f));
    }
    root.put("csv", csv.toString());
    try {
      // "</" cannot end the script element early: JSON allows "\/" for "/"
      return JSON.writeValueAsString(root).replace("</", "<\\/");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report's data", e);
    }
  }

  /** Curve points with a finite loss and at least one example (a log axis has no 0). */
  static List<CurvePoint> drawable(List<CurvePoint> curve) {
    return curve.stream().filter(p -> Double.isFinite(p.loss()) && p.examples() > 0).toList();
  }
}
