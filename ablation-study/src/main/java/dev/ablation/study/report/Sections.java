package dev.ablation.study.report;

import dev.ablation.study.store.FailedRun;
import dev.ablation.study.store.RunRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Everything the report says, computed from the runs and not yet written: one typed value per
 * section, in the report's order. The renderers ({@link MarkdownRenderer}, {@link Chart#draw})
 * only format these; no statistic is computed while writing.
 *
 * <p>Fifteen sections, in five groups of what they tell a reader: the lead (the answer and the
 * costs it rests on), the tables one per shape, the comparisons across shapes, the runs that
 * did not go as planned, and the checks on the method. The accessors of the sections stay, so
 * a renderer reads {@code s.answer()} whichever group holds it.
 *
 * @param lead what the report leads with
 * @param perShape the tables drawn once per shape
 * @param across the comparisons over all shapes
 * @param exceptions runs that did not recover, undamaged wipes and runs that threw
 * @param checks the checks on the method
 */
record Sections(Lead lead, PerShape perShape, Across across, Exceptions exceptions,
    Checks checks) {

  /**
   * What the report leads with.
   *
   * @param method what the method paragraph counts and names
   * @param answer the answer to the question
   * @param summary the summary figure's data: examples to recover per block, width and depth
   * @param absolute examples and steps to recover per cell: what the report leads with
   */
  record Lead(Method method, Answer answer, Summary summary, AbsoluteCosts absolute) {}

  /**
   * The tables drawn once per shape, shapes in order.
   *
   * @param originals per shape
   * @param rho per shape
   * @param damage per shape
   * @param asides per encoder-decoder shape
   */
  record PerShape(List<Originals> originals, List<RhoPerLayer> rho, List<DamageTable> damage,
      List<Aside> asides) {}

  /**
   * The comparisons over all shapes.
   *
   * @param positions ρ by relative position
   * @param pooled the charts over all shapes, when any single-block run exists
   */
  record Across(PositionTable positions, Optional<Pooled> pooled) {}

  /**
   * The runs that did not go as planned.
   *
   * @param outcomes runs that did not recover, and undamaged wipes
   * @param failures runs that threw
   */
  record Exceptions(Outcomes outcomes, List<FailedRun> failures) {}

  /**
   * The checks on the method.
   *
   * @param baselines training from scratch and the control
   * @param curves the recovery curves
   * @param pastTarget where runs that trained past their target settled, when any did
   */
  record Checks(Baselines baselines, Curves curves, Optional<PastTarget> pastTarget) {}

  Method method() {
    return lead.method();
  }

  Answer answer() {
    return lead.answer();
  }

  Summary summary() {
    return lead.summary();
  }

  AbsoluteCosts absolute() {
    return lead.absolute();
  }

  List<Originals> originals() {
    return perShape.originals();
  }

  List<RhoPerLayer> rho() {
    return perShape.rho();
  }

  List<DamageTable> damage() {
    return perShape.damage();
  }

  List<Aside> asides() {
    return perShape.asides();
  }

  PositionTable positions() {
    return across.positions();
  }

  Optional<Pooled> pooled() {
    return across.pooled();
  }

  Outcomes outcomes() {
    return exceptions.outcomes();
  }

  List<FailedRun> failures() {
    return exceptions.failures();
  }

  Baselines baselines() {
    return checks.baselines();
  }

  Curves curves() {
    return checks.curves();
  }

  Optional<PastTarget> pastTarget() {
    return checks.pastTarget();
  }

  /**
   * What the method paragraph counts.
   *
   * @param targetRules the target rules named in the runs' manifests, sorted
   */
  record Method(long undamaged, int runs, int shapes, List<String> targetRules) {}

  /** The answer in a few lines: what the terminal, report.html and report.md show first. */
  Headline headline() {
    return Headline.of(answer());
  }

  static Sections of(List<RunRecord> records, List<FailedRun> failures) {
    SortedMap<Shape, List<RunRecord>> byShape = byShape(records);
    Answer answer = Answer.of(byShape, records);
    return new Sections(
        new Lead(new Method(records.stream().filter(Runs::undamaged).count(), records.size(),
            byShape.size(), records.stream()
                .map(r -> r.manifest().configuration().get("target_rule"))
                .filter(Objects::nonNull).distinct().sorted().toList()),
            answer, Summary.of(byShape, answer), AbsoluteCosts.of(byShape)),
        new PerShape(
            byShape.entrySet().stream().map(e -> Originals.of(e.getKey(), e.getValue())).toList(),
            byShape.entrySet().stream().map(e -> RhoPerLayer.of(e.getKey(), e.getValue()))
                .toList(),
            byShape.keySet().stream().map(s -> DamageTable.of(s, byShape)).toList(),
            byShape.entrySet().stream().filter(e -> Aside.applies(e.getKey()))
                .map(e -> Aside.of(e.getKey(), e.getValue())).toList()),
        new Across(PositionTable.of(byShape),
            Pooled.of(records.stream().filter(r -> r.position().isPresent()).toList())),
        new Exceptions(Outcomes.of(records), List.copyOf(failures)),
        new Checks(Baselines.of(byShape, records), Curves.of(byShape), PastTarget.of(records)));
  }

  /** The runs by shape, shapes in order. */
  static SortedMap<Shape, List<RunRecord>> byShape(List<RunRecord> records) {
    return Runs.sorted(records, r -> Shape.of(r.key()));
  }
}
