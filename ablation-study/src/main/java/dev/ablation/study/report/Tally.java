package dev.ablation.study.report;

import dev.ablation.study.store.RunRecord;
import java.util.List;

/**
 * How a cell's runs ended: recovered, damaged (the runs that could recover) and undamaged
 * (counted apart, never in ρ).
 */
record Tally(long recovered, long damaged, long undamaged) {
  static Tally of(List<RunRecord> rs) {
    long u = rs.stream().filter(Runs::undamaged).count();
    return new Tally(rs.stream().filter(Runs::recovered).count(), rs.size() - u, u);
  }

  /** {@code recovered/damaged}, with {@code (+u undamaged)} when some were. */
  @Override
  public String toString() {
    String base = recovered + "/" + damaged;
    return undamaged == 0 ? base : base + " (+" + undamaged + " undamaged)";
  }
}
