package dev.ablation.study.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** PNG charts with JFreeChart, rendered headless. */
final class Plots {
  private Plots() {}

  static final int WIDTH = 800;
  static final int HEIGHT = 480;

  static {
    // charts render off-screen; without this a server with no display fails on AWT init
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /**
   * Ten colours that stay apart (Tableau 10), so that a legend of up to ten series names each
   * line once; series past ten reuse them dashed.
   */
  static final Color[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B),
      new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948),
      new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0x6B6B6B)};

  /**
   * A line per series of (x, y) points, each its own colour, with each of {@code levels}
   * (label to y) drawn as a dashed horizontal line with its label.
   */
  static void lines(Path file, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> series, boolean logX, Map<String, Double> levels)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach((name, points) -> {
      XYSeries s = new XYSeries(name, false, true);
      points.forEach(p -> s.add(p[0], p[1]));
      data.addSeries(s);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    style(plot);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    if (logX && allPositive(series, 0)) {
      plot.setDomainAxis(logAxis(xLabel));
    }
    levels.forEach((label, y) -> {
      if (Double.isFinite(y)) {
        ValueMarker m = new ValueMarker(y, Color.DARK_GRAY, new BasicStroke(1.2f,
            BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(m);
      }
    });
    // a reference line outside the data would be clipped: widen the range to hold it
    levels.values().stream().filter(Double::isFinite).forEach(y -> {
      org.jfree.data.Range r = plot.getRangeAxis().getRange();
      if (y < r.getLowerBound() || y > r.getUpperBound()) {
        plot.getRangeAxis().setRange(Math.min(r.getLowerBound(), y - 0.02 * r.getLength()),
            Math.max(r.getUpperBound(), y + 0.02 * r.getLength()));
      }
    });
    save(file, chart);
  }

  /** Points only, a colour per series. */
  static void scatter(Path file, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> series) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach((name, points) -> {
      XYSeries s = new XYSeries(name, false, true);
      points.forEach(p -> s.add(p[0], p[1]));
      data.addSeries(s);
    });
    JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
    }
    plot.setRenderer(r);
    style(plot);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
    save(file, chart);
  }

  /**
   * Panels side by side on one shared log y axis, each with a line per series of points
   * {x, median, low, high} and interval bars; a NaN median breaks the line.
   */
  static void panels(Path file, String title, String xLabel, String yLabel,
      Map<String, Map<String, List<double[]>>> panels) throws IOException {
    CombinedRangeXYPlot combined = new CombinedRangeXYPlot(logAxis(yLabel));
    combined.setGap(12);
    // one colour per line name in every panel (N=4 the same in each), one legend entry per
    // name; a line named "text …" is dashed
    Map<String, Integer> index = new java.util.LinkedHashMap<>();
    panels.values().forEach(lines -> lines.keySet().stream()
        .filter(k -> !k.endsWith(Summary.FLOOR)).forEach(k -> index.putIfAbsent(k, index.size())));
    java.util.Set<String> shown = new java.util.HashSet<>();
    for (Map.Entry<String, Map<String, List<double[]>>> panel : panels.entrySet()) {
      YIntervalSeriesCollection data = new YIntervalSeriesCollection();
      for (Map.Entry<String, List<double[]>> e : panel.getValue().entrySet()) {
        YIntervalSeries s = new YIntervalSeries(e.getKey(), false, true);
        for (double[] p : e.getValue()) {
          s.add(p[0], p[1], p[2], p[3]);
        }
        data.addSeries(s);
      }
      NumberAxis x = new NumberAxis(xLabel + " (" + panel.getKey() + ")");
      x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
      // half a block beyond the first and last, so a marker there is drawn whole
      double lo = panel.getValue().values().stream().flatMap(List::stream)
          .mapToDouble(p -> p[0]).min().orElse(0);
      double hi = panel.getValue().values().stream().flatMap(List::stream)
          .mapToDouble(p -> p[0]).max().orElse(1);
      x.setRange(lo - 0.4, hi + 0.4);
      XYErrorRenderer r = new XYErrorRenderer();
      r.setDrawXError(false);
      r.setDefaultLinesVisible(true);
      r.setDefaultShapesVisible(true);
      XYPlot sub = new XYPlot(data, x, null, r);
      style(sub);
      int i = 0;
      for (String name : panel.getValue().keySet()) {
        if (name.endsWith(Summary.FLOOR)) {
          // a line's lower bounds: its colour, an upward triangle, no line, no legend entry
          String line = name.substring(0, name.length() - Summary.FLOOR.length());
          r.setSeriesPaint(i, PALETTE[index.getOrDefault(line, 0) % PALETTE.length]);
          r.setSeriesLinesVisible(i, false);
          r.setSeriesShape(i, new java.awt.Polygon(new int[] {0, 6, -6}, new int[] {-7, 4, 4}, 3));
          r.setSeriesVisibleInLegend(i, false);
          i++;
          continue;
        }
        int c = index.get(name);
        r.setSeriesPaint(i, PALETTE[c % PALETTE.length]);
        r.setSeriesStroke(i, name.startsWith("text ") ? new BasicStroke(2f,
            BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 4f}, 0f)
            : new BasicStroke(2f));
        r.setSeriesVisibleInLegend(i, shown.add(name));
        i++;
      }
      combined.add(sub, 1);
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
    chart.setBackgroundPaint(Color.WHITE);
    save(file, chart, Math.max(WIDTH, 420 * panels.size()), HEIGHT);
  }

  /** Means with interval bars per series, joined by lines; a log y axis when all means are positive. */
  static void intervals(Path file, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> series) throws IOException {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    boolean positive = true;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      YIntervalSeries s = new YIntervalSeries(e.getKey(), false, true);
      for (double[] p : e.getValue()) {
        double lo = Double.isNaN(p[2]) ? p[1] : p[2];
        double hi = Double.isNaN(p[3]) ? p[1] : p[3];
        positive &= p[1] > 0 && lo > 0;
        s.add(p[0], p[1], lo, hi);
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDrawXError(false);
    r.setDefaultLinesVisible(true);
    r.setDefaultShapesVisible(true);
    plot.setRenderer(r);
    style(plot);
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    if (positive && !series.isEmpty() && series.values().stream().anyMatch(l -> !l.isEmpty())) {
      plot.setRangeAxis(logAxis(yLabel));
    }
    save(file, chart);
  }

  /**
   * As {@link #intervals}, with each seed's value drawn as a dot beside the medians: filled
   * where the seed recovered, hollow where it was censored ({@code p[2] == 0}).
   */
  static void intervalsWithPoints(Path file, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> medians, Map<String, List<double[]>> seeds,
      Map<Double, String> marks) throws IOException {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    boolean positive = true;
    for (Map.Entry<String, List<double[]>> e : medians.entrySet()) {
      YIntervalSeries s = new YIntervalSeries(e.getKey() + " (median)", false, true);
      for (double[] p : e.getValue()) {
        double lo = Double.isNaN(p[2]) ? p[1] : p[2];
        double hi = Double.isNaN(p[3]) ? p[1] : p[3];
        positive &= Double.isNaN(p[1]) || p[1] > 0 && lo > 0; // NaN: a gap in the line
        s.add(p[0], p[1], lo, hi);
      }
      data.addSeries(s);
    }
    XYSeriesCollection dots = new XYSeriesCollection();
    int armIndex = 0;
    int arms = Math.max(1, seeds.size());
    for (Map.Entry<String, List<double[]>> e : seeds.entrySet()) {
      XYSeries rec = new XYSeries(e.getKey() + " seeds", false, true);
      XYSeries cens = new XYSeries(e.getKey() + " censored", false, true);
      // a small sideways offset per arm keeps the arms' dots apart
      double dx = 0.08 * (armIndex - (arms - 1) / 2.0);
      for (double[] p : e.getValue()) {
        positive &= p[1] > 0;
        (p[2] > 0 ? rec : cens).add(p[0] + dx, p[1]);
      }
      dots.addSeries(rec);
      dots.addSeries(cens);
      armIndex++;
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDrawXError(false);
    r.setDefaultLinesVisible(true);
    r.setDefaultShapesVisible(true);
    plot.setRenderer(r);
    plot.setDataset(1, dots);
    XYLineAndShapeRenderer d = new XYLineAndShapeRenderer(false, true);
    // an arm's seeds in its median's colour; the legend names the medians, and a censored
    // series only where it has a dot
    List<String> armNames = List.copyOf(medians.keySet());
    for (int k = 0; k < armNames.size(); k++) {
      r.setSeriesPaint(k, PALETTE[k % PALETTE.length]);
    }
    List<String> seedArms = List.copyOf(seeds.keySet());
    for (int i = 0; i < dots.getSeriesCount(); i++) {
      int arm = armNames.indexOf(seedArms.get(i / 2));
      d.setSeriesPaint(i, PALETTE[(arm < 0 ? i / 2 : arm) % PALETTE.length]);
      d.setSeriesShapesFilled(i, i % 2 == 0);
      d.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
      d.setSeriesVisibleInLegend(i, i % 2 == 1 && dots.getSeries(i).getItemCount() > 0);
    }
    plot.setRenderer(1, d);
    style(plot);
    marks.forEach((x, label) -> {
      ValueMarker m = new ValueMarker(x, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
          BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
      m.setLabel(label);
      m.setLabelAnchor(RectangleAnchor.TOP);
      m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(m);
    });
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    // half a layer beyond the first and last, so the dots offset beside them are drawn whole
    double[] xs = medians.values().stream().flatMap(List::stream).mapToDouble(p -> p[0])
        .toArray();
    if (xs.length > 0) {
      x.setRange(java.util.Arrays.stream(xs).min().getAsDouble() - 0.4,
          java.util.Arrays.stream(xs).max().getAsDouble() + 0.4);
    }
    if (positive && medians.values().stream().anyMatch(l -> !l.isEmpty())) {
      plot.setRangeAxis(logAxis(yLabel));
    }
    save(file, chart);
  }

  /** A log axis labelled with plain numbers (0.05, 0.1), not powers of ten. */
  private static LogAxis logAxis(String label) {
    LogAxis a = new LogAxis(label);
    a.setNumberFormatOverride(new Significant());
    a.setStandardTickUnits(NumberAxis.createStandardTickUnits());
    return a;
  }

  /**
   * Tick labels of a log axis to three significant digits ({@code 15,800}, {@code 0.0251}):
   * its ticks fall at powers of ten in steps that are not whole numbers, whose full decimals
   * (15848.9319) only clutter the axis.
   */
  static final class Significant extends java.text.NumberFormat {
    private static final long serialVersionUID = 1L;

    @Override
    public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
      if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
        return to.append(v == 0 ? "0" : Double.toString(v));
      }
      java.math.BigDecimal b = new java.math.BigDecimal(v)
          .round(new java.math.MathContext(3)).stripTrailingZeros();
      if (Math.abs(v) >= 1000) {
        return to.append(String.format(java.util.Locale.ROOT, "%,d",
            b.setScale(0, java.math.RoundingMode.HALF_EVEN).toBigInteger()));
      }
      return to.append(b.toPlainString());
    }

    @Override
    public StringBuffer format(long v, StringBuffer to, java.text.FieldPosition pos) {
      return format((double) v, to, pos);
    }

    @Override
    public Number parse(String source, java.text.ParsePosition pos) {
      throw new UnsupportedOperationException("a tick label format only");
    }
  }

  private static boolean allPositive(Map<String, List<double[]>> series, int i) {
    return series.values().stream().flatMap(List::stream).allMatch(p -> p[i] > 0);
  }

  private static void style(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    if (plot.getRenderer() instanceof XYLineAndShapeRenderer r) {
      for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
        r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        r.setSeriesStroke(i, i < PALETTE.length ? new BasicStroke(2f)
            : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {8f, 4f}, 0f));
      }
    }
  }

  private static void save(Path file, JFreeChart chart) throws IOException {
    save(file, chart, WIDTH, HEIGHT);
  }

  private static void save(Path file, JFreeChart chart, int width, int height)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
  }
}
