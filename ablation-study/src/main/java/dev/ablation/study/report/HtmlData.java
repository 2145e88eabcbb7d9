package dev.ablation.study.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.study.store.RunRecord;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The chart data of {@code report.html} as JSON, and the number of points each chart must draw
 * at first. Losses keep five significant digits (the page's size stays well under 5 MB for
 * the standard preset); a gap is {@code null}, never a number, so a line breaks there.
 */
final class HtmlData {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final MathContext DIGITS = new MathContext(5);

  private HtmlData() {}

  /** The summary's panels: per width, per depth the medians and their intervals by block. */
  static ObjectNode summary(Summary s) {
    ObjectNode out = F.objectNode();
    out.put("arm", s.arm());
    ArrayNode panels = out.putArray("panels");
    for (Summary.Panel p : s.panels()) {
      ObjectNode panel = panels.addObject();
      panel.put("id", "summary-D" + p.d());
      panel.put("title", "D = " + p.d());
      ArrayNode series = panel.putArray("series");
      p.lines().forEach((shape, pts) -> {
        ObjectNode line = series.addObject();
        line.put("name", Summary.label(shape));
        ArrayNode x = line.putArray("x");
        ArrayNode y = line.putArray("y");
        ArrayNode lo = line.putArray("lo");
        ArrayNode hi = line.putArray("hi");
        List<double[]> all = new ArrayList<>(pts);
        Map<Integer, String> gaps = p.gaps().getOrDefault(shape, Map.of());
        gaps.keySet().forEach(l -> all.add(new double[] {l, Double.NaN, Double.NaN,
            Double.NaN}));
        all.sort((a, b) -> Double.compare(a[0], b[0]));
        for (double[] q : all) {
          x.add((int) q[0]);
          num(y, q[1]);
          num(lo, q[2]);
          num(hi, q[3]);
        }
      });
    }
    return out;
  }

  /**
   * The recovery curves: per shape and arm a view, per seed its runs' curves with the target
   * and {@code L*} of that seed's original.
   */
  static ObjectNode curves(List<RunRecord> records) {
    ObjectNode out = F.objectNode();
    ArrayNode views = out.putArray("views");
    Sections.byShape(records).forEach((shape, rs) -> questionFirst(rs)
        .forEach((arm, ar) -> {
          ObjectNode view = views.addObject();
          view.put("label", shape + " · " + arm);
          ArrayNode seeds = view.putArray("seeds");
          Runs.sorted(ar, r -> r.key().seed()).forEach((seed, sr) -> {
            ObjectNode s = seeds.addObject();
            s.put("seed", seed);
            num(s, "target", sr.stream().mapToDouble(RunRecord::targetLoss)
                .filter(Double::isFinite).max().orElse(Double.NaN));
            num(s, "lossStar", sr.get(0).row().lossOriginal());
            ArrayNode series = s.putArray("series");
            for (RunRecord r : sr) {
              ObjectNode line = series.addObject();
              line.put("name", r.key().layer());
              line.put("verdict", r.row().verdict().name());
              points(line, HtmlRenderer.drawable(r.curve()));
            }
          });
        }));
    return out;
  }

  /** The points the curve chart draws first: the first view's lowest seed. */
  static int firstCurvePoints(List<RunRecord> records) {
    SortedMap<Shape, List<RunRecord>> byShape = Sections.byShape(records);
    if (byShape.isEmpty()) {
      return 0;
    }
    List<RunRecord> first = questionFirst(byShape.get(byShape.firstKey())).values().iterator()
        .next();
    long seed = Runs.sorted(first, r -> r.key().seed()).firstKey();
    return first.stream().filter(r -> r.key().seed() == seed)
        .mapToInt(r -> HtmlRenderer.drawable(r.curve()).size()).sum();
  }

  /** {@code rs} by arm, the question's arm first (as the answer lists them), then by name. */
  private static Map<Arm, List<RunRecord>> questionFirst(List<RunRecord> rs) {
    Map<Arm, List<RunRecord>> out = new java.util.TreeMap<>(java.util.Comparator
        .comparing((Arm a) -> !a.question()).thenComparing(Arm::toString));
    out.putAll(Runs.group(rs, Arm::of));
    return out;
  }

  /** Per shape the originals' curves, their mean {@code L*} and the task's floor if known. */
  static ObjectNode originals(List<Originals> all, List<RunRecord> records) {
    ObjectNode out = F.objectNode();
    ArrayNode charts = out.putArray("charts");
    SortedMap<Shape, List<RunRecord>> byShape = Sections.byShape(records);
    for (Originals o : all) {
      List<RunRecord> rs = byShape.getOrDefault(o.shape(), List.of());
      ObjectNode c = charts.addObject();
      c.put("label", o.shape().toString());
      num(c, "floor", Originals.floor(rs).orElse(Double.NaN));
      num(c, "lossStar", o.rows().stream().mapToDouble(Originals.Row::lossStar).average()
          .orElse(Double.NaN));
      ArrayNode series = c.putArray("series");
      Runs.sorted(rs, r -> r.key().seed()).forEach((seed, sr) -> curve(sr).ifPresent(curve -> {
        ObjectNode line = series.addObject();
        line.put("name", "seed " + seed);
        points(line, curve);
      }));
    }
    return out;
  }

  /** The points the originals' chart draws first: the first shape's curves. */
  static int firstOriginalPoints(List<Originals> all, List<RunRecord> records) {
    if (all.isEmpty()) {
      return 0;
    }
    List<RunRecord> rs = Sections.byShape(records).getOrDefault(all.get(0).shape(), List.of());
    return Runs.sorted(rs, r -> r.key().seed()).values().stream()
        .mapToInt(sr -> curve(sr).map(List::size).orElse(0)).sum();
  }

  /** An original's drawable curve: the first of its runs that carries one. */
  private static Optional<List<CurvePoint>> curve(List<RunRecord> seedRuns) {
    return seedRuns.stream().map(r -> HtmlRenderer.drawable(r.originalCurve()))
        .filter(c -> !c.isEmpty()).findFirst();
  }

  private static void points(ObjectNode line, List<CurvePoint> curve) {
    ArrayNode x = line.putArray("x");
    ArrayNode y = line.putArray("y");
    for (CurvePoint p : curve) {
      x.add(p.examples());
      num(y, p.loss());
    }
  }

  private static void num(ArrayNode a, double v) {
    if (Double.isFinite(v)) {
      a.add(new BigDecimal(v).round(DIGITS).doubleValue());
    } else {
      a.addNull();
    }
  }

  private static void num(ObjectNode o, String name, double v) {
    if (Double.isFinite(v)) {
      o.put(name, new BigDecimal(v).round(DIGITS).doubleValue());
    } else {
      o.putNull(name);
    }
  }
}
