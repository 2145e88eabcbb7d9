package dev.ablation.study.report;

import dev.ablation.api.Architecture;
import dev.ablation.study.plan.WipeTarget;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The summary figure: for the question's arm, the examples each whole block needed to recover
 * (Kaplan–Meier median over seeds, 95% interval) against the block, one panel per width D and
 * one line per depth N. Examples, not {@code ρ}: they do not move with where an original
 * stopped. Another architecture of the same width is a line of its own. A block whose median
 * was not reached, or whose every wipe was undamaged, is a gap in its line and is listed in
 * {@link Panel#gaps()}, never drawn as a median; one not reached is drawn as a lower bound
 * (an upward triangle at the first cap it was censored at, {@link Panel#floors()}), so a
 * block that never got back does not vanish from the figure.
 *
 * @param arm the arm drawn (the first of {@link Answer#arms()})
 * @param panels one per width, narrowest first
 */
record Summary(String arm, List<Panel> panels) {

  /** The figure's file stem, under {@code plots/}. */
  static final String NAME = "summary";

  /**
   * One width.
   *
   * @param d the width
   * @param lines per shape of this width (by architecture, then depth N), points
   *     {block, median, low, high} in block order
   * @param gaps per shape, the blocks without a median and why ("not reached", "undamaged")
   * @param floors per shape, the blocks not reached and the examples their median is at least
   *     (the first censoring point)
   */
  record Panel(int d, SortedMap<Shape, List<double[]>> lines,
      SortedMap<Shape, Map<Integer, String>> gaps, SortedMap<Shape, Map<Integer, Double>> floors) {
    /** The points drawn in this panel: one per block with a median. */
    int points() {
      return lines.values().stream().mapToInt(List::size).sum();
    }
  }

  static Summary of(SortedMap<Shape, List<RunRecord>> byShape, Answer answer) {
    if (answer.empty()) {
      return new Summary("", List.of());
    }
    Arm lead = answer.arms().get(0);
    SortedMap<Integer, Panel> panels = new TreeMap<>();
    byShape.forEach((s, rs) -> {
      List<RunRecord> blocks = rs.stream().filter(r -> r.key().target() instanceof WipeTarget.Block
          && r.position().isPresent() && Arm.of(r).equals(lead)).toList();
      if (blocks.isEmpty()) {
        return;
      }
      Panel p = panels.computeIfAbsent(s.d(), d -> new Panel(d, new TreeMap<>(), new TreeMap<>(),
          new TreeMap<>()));
      List<double[]> pts = new ArrayList<>();
      Map<Integer, String> gaps = new LinkedHashMap<>();
      Map<Integer, Double> floors = new LinkedHashMap<>();
      Runs.sorted(blocks, Runs::position).forEach((l, lr) -> {
        Censored.Estimate e = Censored.estimate(Runs.examplesObs(lr));
        if (e.median().isPresent()) {
          double m = e.median().getAsDouble();
          pts.add(new double[] {l, m, Double.isNaN(e.low()) ? m : e.low(),
              Double.isNaN(e.high()) || Double.isInfinite(e.high()) ? m : e.high()});
        } else {
          gaps.put(l, e.n() == 0 ? "undamaged" : "not reached");
          if (e.n() > 0 && !Double.isNaN(e.censoredFrom())) {
            floors.put(l, e.censoredFrom());
          }
        }
      });
      p.lines().put(s, pts);
      if (!gaps.isEmpty()) {
        p.gaps().put(s, gaps);
      }
      if (!floors.isEmpty()) {
        p.floors().put(s, floors);
      }
    });
    return new Summary(lead.toString(), List.copyOf(panels.values()));
  }

  /** Whether there is anything to draw. */
  boolean empty() {
    return panels.stream().allMatch(p -> p.points() == 0);
  }

  /** The points drawn in all panels. */
  int points() {
    return panels.stream().mapToInt(Panel::points).sum();
  }

  /** The PNG of this figure, when there is anything to draw. */
  Optional<Chart> chart() {
    if (empty()) {
      return Optional.empty();
    }
    Map<String, Map<String, List<double[]>>> byPanel = new LinkedHashMap<>();
    for (Panel p : panels) {
      Map<String, List<double[]>> lines = new LinkedHashMap<>();
      p.lines().forEach((s, pts) -> lines.put(label(s), withGaps(pts, p.gaps().get(s))));
      addFloors(lines, p, "");
      byPanel.put("D=" + p.d(), lines);
    }
    return Optional.of(new Chart.Panels(NAME, "summary: examples to recover per block",
        "Examples to recover vs wiped block, " + arm + " (median over seeds, 95% CI"
        + (anyFloor(panels) ? FLOOR_NOTE : "") + ")",
        "wiped block L", "examples to recover (T_ε)", byPanel));
  }

  /**
   * This figure with {@code other}'s lines drawn beside its own in the panel of their width,
   * each named {@code tag N=…} (e.g. the text runs beside the bigram task's), as the chart
   * {@code name}. Empty when neither has a point.
   */
  Optional<Chart> chartWith(String name, String tag, Summary other) {
    if (empty() && other.empty()) {
      return Optional.empty();
    }
    SortedMap<Integer, Map<String, List<double[]>>> byWidth = new TreeMap<>();
    for (Panel p : panels) {
      Map<String, List<double[]>> lines = byWidth.computeIfAbsent(p.d(), d -> new LinkedHashMap<>());
      p.lines().forEach((s, pts) -> lines.put(label(s), withGaps(pts, p.gaps().get(s))));
      addFloors(lines, p, "");
    }
    for (Panel p : other.panels) {
      Map<String, List<double[]>> lines = byWidth.computeIfAbsent(p.d(), d -> new LinkedHashMap<>());
      p.lines().forEach((s, pts) -> lines.put(tag + " " + label(s),
          withGaps(pts, p.gaps().get(s))));
      addFloors(lines, p, tag + " ");
    }
    Map<String, Map<String, List<double[]>>> byPanel = new LinkedHashMap<>();
    byWidth.forEach((d, lines) -> byPanel.put("D=" + d, lines));
    boolean both = !other.empty();
    return Optional.of(new Chart.Panels(name, "summary: examples to recover per block"
        + (both ? ", " + tag + " dashed" : ""), "Examples to recover vs wiped block, "
        + (arm.isEmpty() ? other.arm : arm) + " (median over seeds, 95% CI"
        + (both ? "; " + tag + " dashed" : "")
        + (anyFloor(panels) || anyFloor(other.panels) ? FLOOR_NOTE : "") + ")", "wiped block L",
        "examples to recover (T_ε)", byPanel));
  }

  /** The suffix of a series of lower bounds: {@code N=2 ≥} holds line {@code N=2}'s. */
  static final String FLOOR = " ≥";

  /** What the title says of the lower bounds. */
  private static final String FLOOR_NOTE = "; ▲ median not reached: at least there";

  private static boolean anyFloor(List<Panel> panels) {
    return panels.stream().anyMatch(p -> !p.floors().isEmpty());
  }

  /** Each line's lower bounds as a series of its own, {@code NAME ≥}, points {block, floor ×3}. */
  private static void addFloors(Map<String, List<double[]>> lines, Panel p, String prefix) {
    p.floors().forEach((s, f) -> lines.put(prefix + label(s) + FLOOR, f.entrySet().stream()
        .map(e -> new double[] {e.getKey(), e.getValue(), e.getValue(), e.getValue()})
        .toList()));
  }

  /** A line's name: {@code N=4} for the reference decoders, {@code encdec N=2} otherwise. */
  static String label(Shape s) {
    return (s.arch() == Architecture.DECODER_ONLY ? ""
        : s.arch().key() + " ") + "N=" + s.n();
  }

  /** {@code pts} with a NaN point at each gap, so the drawn line breaks there. */
  private static List<double[]> withGaps(List<double[]> pts, Map<Integer, String> gaps) {
    if (gaps == null || gaps.isEmpty()) {
      return pts;
    }
    List<double[]> out = new ArrayList<>(pts);
    gaps.keySet().forEach(l -> out.add(new double[] {l, Double.NaN, Double.NaN, Double.NaN}));
    out.sort((a, b) -> Double.compare(a[0], b[0]));
    return out;
  }
}
