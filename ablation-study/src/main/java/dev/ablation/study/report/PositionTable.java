package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * ρ by relative position: per shape and arm, the first block, each middle block and the last,
 * each its own cell (never pooled).
 *
 * @param rows per shape (in order) and arm (in order of first appearance)
 */
record PositionTable(List<Row> rows) {

  /** One cell's ρ and how its runs ended. */
  record Cell(Censored.Estimate rho, Tally tally) {
    static Optional<Cell> of(List<RunRecord> rs) {
      return rs.isEmpty() ? Optional.empty() : Optional.of(new Cell(Runs.rho(rs), Tally.of(rs)));
    }

    @Override
    public String toString() {
      return rho.format() + " (" + tally + ")";
    }
  }

  /** One shape and arm: block 0, the blocks between by index, block N − 1 (N > 1). */
  record Row(Shape shape, Arm arm, Optional<Cell> first, SortedMap<Integer, Cell> middle,
      Optional<Cell> last) {}

  static PositionTable of(SortedMap<Shape, List<RunRecord>> byShape) {
    List<Row> rows = new ArrayList<>();
    byShape.forEach((s, rs) -> Runs.group(rs.stream().filter(r -> r.position().isPresent())
        .toList(), Arm::of).forEach((a, ar) -> {
          SortedMap<Integer, Cell> middle = new TreeMap<>();
          Runs.sorted(ar.stream().filter(r -> Runs.position(r) > 0
              && Runs.position(r) < s.n() - 1).toList(), Runs::position)
              .forEach((l, lr) -> middle.put(l, Cell.of(lr).orElseThrow()));
          rows.add(new Row(s, a,
              Cell.of(ar.stream().filter(r -> Runs.position(r) == 0).toList()), middle,
              Cell.of(ar.stream().filter(r -> Runs.position(r) == s.n() - 1 && s.n() > 1)
                  .toList())));
        }));
    return new PositionTable(rows);
  }
}
