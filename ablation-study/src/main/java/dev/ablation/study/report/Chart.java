package dev.ablation.study.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A plot a section asks for: its data and labels, not yet drawn. The Markdown renderer embeds
 * it by {@link #fileName()}; {@link #draw} renders the PNG. Keeping the two apart lets the
 * section computations stay free of files and the golden test compare text alone.
 */
sealed interface Chart {
  /** The file name stem, before sanitising. */
  String name();

  /** The image's alt text. */
  String alt();

  /** {@code name} with anything but {@code [A-Za-z0-9_.-]} replaced, plus {@code .png}. */
  default String fileName() {
    return name().replaceAll("[^A-Za-z0-9_.-]", "_") + ".png";
  }

  /** Draws the chart into {@code file}. */
  void draw(Path file) throws IOException;

  /**
   * A chart's words: the title over it and its axes' labels. A group of its own so the two
   * charts with the most parts ({@link Lines}, {@link IntervalsWithPoints}) take them as one
   * value rather than three strings in a row that a caller could swap.
   */
  record Labels(String title, String xLabel, String yLabel) {}

  /**
   * A line per series of (x, y) points, each its own colour, with horizontal reference lines
   * ({@code levels}: label to y, e.g. the recovery target and {@code L*}) dashed across.
   *
   * @param logX a log x axis (when every x is positive)
   */
  record Lines(String name, String alt, Labels labels, Map<String, List<double[]>> series,
      boolean logX, Map<String, Double> levels) implements Chart {
    /** The title over the chart. */
    String title() {
      return labels.title();
    }

    @Override
    public void draw(Path file) throws IOException {
      Plots.lines(file, labels.title(), labels.xLabel(), labels.yLabel(), series, logX, levels);
    }
  }

  /** Points only, a colour per series: a scatter is never joined into a line. */
  record Scatter(String name, String alt, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> series) implements Chart {
    @Override
    public void draw(Path file) throws IOException {
      Plots.scatter(file, title, xLabel, yLabel, series);
    }
  }

  /**
   * Side-by-side panels sharing a log y axis, each a map of series of points
   * {x, median, low, high} with interval bars; a NaN median breaks its line (a gap).
   */
  record Panels(String name, String alt, String title, String xLabel, String yLabel,
      Map<String, Map<String, List<double[]>>> panels) implements Chart {
    @Override
    public void draw(Path file) throws IOException {
      Plots.panels(file, title, xLabel, yLabel, panels);
    }
  }

  /** Points {x, mean, low, high} with interval bars, a series per line. */
  record Intervals(String name, String alt, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> series) implements Chart {
    @Override
    public void draw(Path file) throws IOException {
      Plots.intervals(file, title, xLabel, yLabel, series);
    }
  }

  /**
   * As {@link Intervals}, with each seed's point {x, y, event} beside them; a NaN median breaks
   * its line, and {@code marks} labels such x values (e.g. "undamaged") on the chart.
   */
  record IntervalsWithPoints(String name, String alt, Labels labels,
      Map<String, List<double[]>> medians, Map<String, List<double[]>> points,
      Map<Double, String> marks) implements Chart {
    /** The title over the chart. */
    String title() {
      return labels.title();
    }

    @Override
    public void draw(Path file) throws IOException {
      Plots.intervalsWithPoints(file, labels.title(), labels.xLabel(), labels.yLabel(), medians,
          points, marks);
    }
  }
}
