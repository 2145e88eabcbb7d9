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
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Table E reads the looser tolerance off the curve: the first point at or under
 * L* + max(ε′, 2σ), bounded below by the point before it; a run that never got there is
 * censored at what it spent; 2σ wins over ε′ when it is larger.
 */
class ToleranceTest {
  private static final double STAR = 1.40;

  private static RunRecord run(double sd, double... losses) {
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(32)
        .target(new WipeTarget.Block(LayerPath.block(0))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(1).build();
    StudyRow row = StudyRow.builder().key(key).verdict(Verdict.BUDGET_EXHAUSTED).refExamples(65536)
        .lossOriginal(STAR).lossAfterWipe(losses[0]).lossFinal(losses[losses.length - 1])
        .wallSeconds(1.0).lossOriginalSd(sd).recoveryLr(1e-3).targetLoss(STAR + 0.02).build();
    RunManifest m = new RunManifest(RunManifest.SCHEMA, "test", Map.of(), Map.of("master", 1L),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    long[] steps = {0, 1, 2, 10, 20, 24};
    List<CurvePoint> curve = new java.util.ArrayList<>();
    for (int i = 0; i < losses.length; i++) {
      curve.add(new CurvePoint(steps[i], steps[i] * 32, steps[i] * 32 * 33, losses[i],
          losses[i]));
    }
    return RunRecord.builder().row(row).position(OptionalInt.of(0)).targetLoss(STAR + 0.02)
        .stepsSpent(steps[losses.length - 1]).examplesSpent(steps[losses.length - 1] * 32)
        .curve(curve).manifest(m).build();
  }

  @Test
  void theFirstPointUnderTheLooserTargetWithTheOneBeforeAsItsLowerBound() {
    // L* + 0.05 = 1.45: crossed at step 20 (640 examples), step 10 (320) the last miss
    List<Censored.Obs> o = Tolerance.looser(List.of(run(0.001, 3.0, 2.0, 1.6, 1.46, 1.449,
        1.43)), 0.05);
    assertThat(o).containsExactly(new Censored.Obs(640, true, 321));
    // 2σ = 0.06 > ε′: the target is 1.46, met at step 10 already
    assertThat(Tolerance.looser(List.of(run(0.03, 3.0, 2.0, 1.6, 1.46, 1.449)), 0.05))
        .containsExactly(new Censored.Obs(320, true, 65));
    // never under: censored at the 768 examples spent
    assertThat(Tolerance.looser(List.of(run(0.001, 3.0, 2.0, 1.6, 1.5, 1.48, 1.47)), 0.05))
        .containsExactly(new Censored.Obs(768, false));
  }
}
