package dev.ablation.study.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Environment;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.plan.WipeTarget;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.store.StudyRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A block whose median was not reached is a gap in its line, never a median, and is drawn as a
 * lower bound at the first examples it was censored at; a block whose median was reached has
 * no lower bound.
 */
class SummaryFloorTest {

  private static RunRecord run(int block, long seed, boolean recovered, long spent) {
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(32)
        .target(new WipeTarget.Block(LayerPath.block(block))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(seed).build();
    StudyRow row = StudyRow.builder().key(key)
        .verdict(recovered ? Verdict.RECOVERED : Verdict.BUDGET_EXHAUSTED)
        .examplesToRecover(recovered ? OptionalLong.of(spent) : OptionalLong.empty())
        .rho(recovered ? OptionalDouble.of(spent / 65536.0) : OptionalDouble.empty())
        .refExamples(65536).lossOriginal(1.40).lossAfterWipe(3.0).lossFinal(1.45).wallSeconds(1.0)
        .lossOriginalSd(0.001).recoveryLr(1e-3).targetLoss(1.42).build();
    RunManifest m = new RunManifest(RunManifest.SCHEMA, "test", Map.of(), Map.of("master", seed),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, 3.0, Double.NaN),
        new CurvePoint(spent / 32, spent, spent * 32, 1.45, 1.45));
    return RunRecord.builder().row(row).position(OptionalInt.of(block)).targetLoss(1.42)
        .stepsSpent(spent / 32).examplesSpent(spent).curve(curve).manifest(m).build();
  }

  @Test
  void aBlockNotReachedIsAGapDrawnAsALowerBoundAtItsFirstCap() {
    List<RunRecord> rs = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      rs.add(run(0, seed, false, 8192 * seed)); // censored at 8192, 16384, 24576
      rs.add(run(1, seed, true, 320 * seed));
    }
    Summary s = Sections.of(rs, List.of()).summary();
    Summary.Panel p = s.panels().get(0);
    Shape shape = p.lines().firstKey();
    assertThat(p.lines().get(shape)).extracting(x -> x[0]).containsExactly(1.0);
    assertThat(p.gaps().get(shape)).containsExactly(Map.entry(0, "not reached"));
    assertThat(p.floors().get(shape)).containsExactly(Map.entry(0, 8192.0));

    Chart.Panels chart = (Chart.Panels) s.chart().orElseThrow();
    Map<String, List<double[]>> lines = chart.panels().get("D=32");
    assertThat(lines.get("N=2" + Summary.FLOOR)).singleElement()
        .satisfies(x -> assertThat(x).containsExactly(0, 8192, 8192, 8192));
    assertThat(chart.title()).contains("▲ median not reached");
  }

  @Test
  void everyBlockReachedDrawsNoLowerBound() {
    List<RunRecord> rs = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      rs.add(run(0, seed, true, 640 * seed));
      rs.add(run(1, seed, true, 320 * seed));
    }
    Summary s = Sections.of(rs, List.of()).summary();
    assertThat(s.panels().get(0).floors()).isEmpty();
    Chart.Panels chart = (Chart.Panels) s.chart().orElseThrow();
    assertThat(chart.panels().get("D=32").keySet()).containsExactly("N=2");
    assertThat(chart.title()).doesNotContain("▲");
  }
}
