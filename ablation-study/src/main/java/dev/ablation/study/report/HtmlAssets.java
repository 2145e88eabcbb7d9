package dev.ablation.study.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The scripts and styles {@code report.html} inlines: uPlot's from the webjar the build pins
 * (no CDN, so the page opens offline and its Content-Security-Policy can forbid every fetch),
 * and the report's own {@code report.js} and {@code report.css} beside this class.
 */
final class HtmlAssets {
  /** The uPlot version of the webjar on the classpath; the pom's {@code uplot.version}. */
  static final String UPLOT_VERSION = "1.6.30";

  private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION
      + "/dist/";

  private HtmlAssets() {}

  /** uPlot's script, with its licence line. */
  static String uplotScript() {
    return read(UPLOT + "uPlot.iife.min.js");
  }

  /** uPlot's style, then the report's. */
  static String style() {
    return "/* uPlot " + UPLOT_VERSION + ", MIT licence */\n" + read(UPLOT + "uPlot.min.css")
        + "\n" + read("report.css");
  }

  /** The report's script: draws the charts and the runs table from the page's JSON. */
  static String script() {
    return read("report.js");
  }

  private static String read(String resource) {
    try (InputStream in = HtmlAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("report asset " + resource + " is not on the class "
            + "path (uPlot comes from org.webjars.npm:uplot:" + UPLOT_VERSION + ")");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report asset " + resource, e);
    }
  }
}
