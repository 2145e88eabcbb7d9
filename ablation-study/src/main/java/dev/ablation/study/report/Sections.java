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
 * @param method what the method paragraph counts and names
 * @param answer the answer to the question
 * @param summary the summary figure's data: examples to recover per block, width and depth
 * @param absolute examples and steps to recover per cell: what the report leads with
 * @param originals per shape
 * @param rho per shape
 * @param positions ρ by relative position
 * @param outcomes runs that did not recover, and undamaged wipes
 * @param failures runs that threw
 * @param damage per shape
 * @param pooled the charts over all shapes, when any single-block run exists
 * @param asides per encoder-decoder shape
 * @param baselines training from scratch and the control
 * @param curves the recovery curves
 * @param pastTarget where runs that trained past their target settled, when any did
 */
record Sections(Method method, Answer answer, Summary summary, AbsoluteCosts absolute, List<Originals> originals, List<RhoPerLayer> rho,
    PositionTable positions, Outcomes outcomes, List<FailedRun> failures, List<DamageTable> damage,
    Optional<Pooled> pooled, List<Aside> asides, Baselines baselines, Curves curves,
    Optional<PastTarget> pastTarget) {

  /**
   * What the method paragraph counts.
   *
   * @param targetRules the target rules named in the runs' manifests, sorted
   */
  record Method(long undamaged, int runs, int shapes, List<String> targetRules) {}

  /** The answer in a few lines: what the terminal, report.html and report.md show first. */
  Headline headline() {
    return Headline.of(answer);
  }

  static Sections of(List<RunRecord> records, List<FailedRun> failures) {
    SortedMap<Shape, List<RunRecord>> byShape = byShape(records);
    Answer answer = Answer.of(byShape, records);
    return new Sections(
        new Method(records.stream().filter(Runs::undamaged).count(), records.size(),
            byShape.size(), records.stream()
                .map(r -> r.manifest().configuration().get("target_rule"))
                .filter(Objects::nonNull).distinct().sorted().toList()),
        answer, Summary.of(byShape, answer), AbsoluteCosts.of(byShape),
        byShape.entrySet().stream().map(e -> Originals.of(e.getKey(), e.getValue())).toList(),
        byShape.entrySet().stream().map(e -> RhoPerLayer.of(e.getKey(), e.getValue())).toList(),
        PositionTable.of(byShape), Outcomes.of(records), List.copyOf(failures),
        byShape.keySet().stream().map(s -> DamageTable.of(s, byShape)).toList(),
        Pooled.of(records.stream().filter(r -> r.position().isPresent()).toList()),
        byShape.entrySet().stream().filter(e -> Aside.applies(e.getKey()))
            .map(e -> Aside.of(e.getKey(), e.getValue())).toList(),
        Baselines.of(byShape, records), Curves.of(byShape), PastTarget.of(records));
  }

  /** The runs by shape, shapes in order. */
  static SortedMap<Shape, List<RunRecord>> byShape(List<RunRecord> records) {
    return Runs.sorted(records, r -> Shape.of(r.key()));
  }
}
