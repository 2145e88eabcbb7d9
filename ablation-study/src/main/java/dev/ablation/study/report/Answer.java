package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The report's answer to the question's three sub-questions, computed from the single-layer
 * cells: how many of S×E a cell needs (per arm, the cheapest and dearest cell), ρ against the
 * original's own path, whether the position matters (first/last paired by seed), whether N and
 * D matter (shapes compared at the same relative position), and what the data cannot support.
 *
 * <p>The first sub-question's five parts (how much a cell costs, against what) are one
 * {@link Costs}; the accessors stay on the answer, so a renderer reads
 * {@code answer.spreads()} as before.
 *
 * @param arms the arms of single-layer cells, the question's policy first
 * @param costs how much the cells cost, and the originals' costs they are compared with
 * @param positionRatios per (arm, shape with N ≥ 2) with two or more seed pairs: first/last
 * @param shapeComparisons per (arm, first or last block) held by two or more shapes
 * @param limits what bounds every claim
 */
record Answer(List<Arm> arms, Costs costs, List<PositionRatio> positionRatios,
    List<ShapeComparison> shapeComparisons, Limits limits) {

  /**
   * The answer to "how many of S×E does a cell need": the cells' costs per arm, absolute and
   * as ρ and ρ_orig, beside the originals' own B_ref and T_scratch.
   *
   * @param costSpreads per arm, how the cells' absolute costs (examples, steps) spread: the
   *     answer leads with these
   * @param refExamples the range of B_ref = S × E over the originals, in examples
   * @param scratchExamples the range of T_scratch over the originals that measured it
   * @param spreads per arm, how the cells' medians spread
   * @param origSpreads per arm with any ρ_orig median, how those spread
   */
  record Costs(List<CostSpread> costSpreads, Optional<Range> refExamples,
      Optional<Range> scratchExamples, List<ArmSpread> spreads, List<OrigSpread> origSpreads) {}

  List<CostSpread> costSpreads() {
    return costs.costSpreads();
  }

  Optional<Range> refExamples() {
    return costs.refExamples();
  }

  Optional<Range> scratchExamples() {
    return costs.scratchExamples();
  }

  List<ArmSpread> spreads() {
    return costs.spreads();
  }

  List<OrigSpread> origSpreads() {
    return costs.origSpreads();
  }

  /**
   * How one arm's cells spread in absolute cost.
   *
   * @param cells cells with at least one observation of T_ε
   * @param placed those whose median exists, cheapest (in examples) first
   */
  record CostSpread(Arm arm, int cells, List<AbsoluteCosts.CellCost> placed) {
    long notReached() {
      return cells - placed.size();
    }
  }

  /** The smallest and largest of some per-original count. */
  record Range(long min, long max) {
    static Optional<Range> of(List<Long> xs) {
      return xs.isEmpty() ? Optional.empty() : Optional.of(new Range(
          xs.stream().mapToLong(Long::longValue).min().orElseThrow(),
          xs.stream().mapToLong(Long::longValue).max().orElseThrow()));
    }
  }

  /** A cell and its ρ estimate. */
  record CellRho(CellKey cell, Censored.Estimate rho) {}

  /**
   * How one arm's cells spread.
   *
   * @param cells cells with at least one observation of ρ
   * @param placed those whose median exists, cheapest first
   */
  record ArmSpread(Arm arm, int cells, List<CellRho> placed) {
    long notReached() {
      return cells - placed.size();
    }

    long atMost(double rho) {
      return placed.stream().filter(c -> c.rho().median().getAsDouble() <= rho).count();
    }
  }

  /** The per-cell medians of ρ_orig of one arm, and the originals' T_orig / S×E range. */
  record OrigSpread(Arm arm, double min, double max, double tOrigMin, double tOrigMax) {}

  /** ρ(first block) / ρ(last block) over the seed pairs of one shape and arm. */
  record PositionRatio(Shape shape, Arm arm, Censored.Estimate ratio, int pairs) {
    boolean excludesOne() {
      return ratio.low() > 1 || ratio.high() < 1;
    }
  }

  /** The first or the last block. */
  enum End {
    FIRST, LAST;

    int position(Shape s) {
      return this == FIRST ? 0 : s.n() - 1;
    }

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One end's ρ in each shape that has it. */
  record ShapeComparison(End end, Arm arm, List<ShapeRho> perShape) {
    /** Pairs of shapes compared, and those whose intervals are disjoint. */
    int pairs() {
      return perShape.size() * (perShape.size() - 1) / 2;
    }

    int disjointPairs() {
      int n = 0;
      for (int i = 0; i < perShape.size(); i++) {
        for (int j = i + 1; j < perShape.size(); j++) {
          n += disjoint(perShape.get(i).rho(), perShape.get(j).rho()) ? 1 : 0;
        }
      }
      return n;
    }
  }

  /** A shape's ρ at one end. */
  record ShapeRho(Shape shape, Censored.Estimate rho) {}

  /** Seeds per cell and the largest N and D: what bounds any claim. */
  record Limits(long seeds, int maxN, int maxD, List<String> tasks) {
    /**
     * What the runs trained on, as the limits line says it: "one synthetic language (bigram)",
     * "natural text (Europarl characters)", or each task named when several are pooled.
     */
    String language() {
      if (tasks.isEmpty()) {
        return "an unrecorded task";
      }
      if (tasks.size() > 1) {
        return tasks.size() + " tasks (" + String.join(", ", tasks) + ")";
      }
      return tasks.get(0).equals("text") ? "natural text (Europarl characters)"
          : "one synthetic language (" + tasks.get(0) + ")";
    }
  }

  /** Whether any single-layer cell exists; without one there is no answer. */
  boolean empty() {
    return arms.isEmpty();
  }

  static Answer of(SortedMap<Shape, List<RunRecord>> byShape, List<RunRecord> records) {
    Limits limits = new Limits(records.stream().map(r -> r.key().seed()).distinct().count(),
        byShape.keySet().stream().mapToInt(Shape::n).max().orElse(0),
        byShape.keySet().stream().mapToInt(Shape::d).max().orElse(0),
        records.stream().map(r -> r.manifest().configuration().get("task"))
            .filter(java.util.Objects::nonNull).distinct().sorted().toList());
    Map<Arm, List<Map.Entry<CellKey, List<RunRecord>>>> byArm = new LinkedHashMap<>();
    byShape.values().forEach(rs -> Runs.group(rs, CellKey::of).forEach((cell, runs) -> {
      if (runs.get(0).position().isPresent()) {
        byArm.computeIfAbsent(cell.arm(), a -> new ArrayList<>()).add(Map.entry(cell, runs));
      }
    }));
    List<Arm> arms = new ArrayList<>(byArm.keySet());
    arms.sort(Comparator.comparing((Arm a) -> !a.question()).thenComparing(Arm::toString));
    List<CostSpread> costs = new ArrayList<>();
    List<ArmSpread> spreads = new ArrayList<>();
    List<OrigSpread> orig = new ArrayList<>();
    for (Arm a : arms) {
      List<AbsoluteCosts.CellCost> withObs = byArm.get(a).stream()
          .map(e -> AbsoluteCosts.CellCost.of(e.getKey(), e.getValue()))
          .filter(c -> c.examples().n() > 0).toList();
      costs.add(new CostSpread(a, withObs.size(), withObs.stream()
          .filter(c -> c.examples().median().isPresent())
          .sorted(Comparator.comparingDouble(c -> c.examples().median().getAsDouble()))
          .toList()));
      List<CellRho> est = byArm.get(a).stream()
          .map(e -> new CellRho(e.getKey(), Runs.rho(e.getValue())))
          .filter(c -> c.rho().n() > 0).toList();
      spreads.add(new ArmSpread(a, est.size(), est.stream()
          .filter(c -> c.rho().median().isPresent())
          .sorted(Comparator.comparingDouble(c -> c.rho().median().getAsDouble())).toList()));
      List<Double> medians = new ArrayList<>();
      List<Double> tOrig = new ArrayList<>();
      for (Map.Entry<CellKey, List<RunRecord>> e : byArm.get(a)) {
        Censored.Estimate ro = Censored.estimate(Runs.rhoOrigObs(e.getValue()));
        ro.median().ifPresent(medians::add);
        e.getValue().forEach(r -> r.row().rhoOrigToRef().ifPresent(tOrig::add));
      }
      if (!medians.isEmpty()) {
        orig.add(new OrigSpread(a,
            medians.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
            medians.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
            tOrig.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
            tOrig.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
      }
    }
    List<PositionRatio> ratios = new ArrayList<>();
    for (Arm a : arms) {
      byShape.forEach((s, rs) -> {
        if (s.n() < 2) {
          return;
        }
        List<RunRecord> ar = rs.stream()
            .filter(r -> r.position().isPresent() && Arm.of(r).equals(a)).toList();
        List<Double> pr = Runs.pairedRatios(ar, r -> Runs.position(r) == 0,
            r -> Runs.position(r) == s.n() - 1);
        if (pr.size() >= 2) {
          ratios.add(new PositionRatio(s, a, Censored.ratio(pr), pr.size()));
        }
      });
    }
    List<ShapeComparison> shapes = new ArrayList<>();
    for (Arm a : arms) {
      for (End end : End.values()) {
        List<ShapeRho> per = new ArrayList<>();
        byShape.forEach((s, rs) -> {
          List<RunRecord> sel = rs.stream().filter(r -> r.position().isPresent()
              && Runs.position(r) == end.position(s) && Arm.of(r).equals(a)).toList();
          if (!sel.isEmpty()) {
            per.add(new ShapeRho(s, Runs.rho(sel)));
          }
        });
        if (per.size() >= 2) {
          shapes.add(new ShapeComparison(end, a, per));
        }
      }
    }
    List<Long> ref = new ArrayList<>();
    List<Long> scratch = new ArrayList<>();
    byShape.values().forEach(rs -> Runs.sorted(rs, r -> r.key().seed()).values().forEach(sr -> {
      ref.add(sr.get(0).row().refExamples());
      sr.stream().filter(r -> r.row().examplesScratch().isPresent()).findFirst()
          .ifPresent(r -> scratch.add(r.row().examplesScratch().getAsLong()));
    }));
    return new Answer(arms,
        new Costs(costs, Range.of(ref), Range.of(scratch), spreads, orig), ratios, shapes,
        limits);
  }

  private static boolean disjoint(Censored.Estimate a, Censored.Estimate b) {
    if (a.median().isEmpty() || b.median().isEmpty() || Double.isNaN(a.low())
        || Double.isNaN(b.low())) {
      return false;
    }
    return a.high() < b.low() || b.high() < a.low();
  }
}
