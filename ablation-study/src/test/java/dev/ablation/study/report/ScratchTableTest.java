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
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Table S: T_ε against T_scratch per shape, and the rerun of the sweep's block-0 run judged the
 * same only when every evaluated loss is the same, not merely its T_ε.
 */
class ScratchTableTest {
  private static RunRecord run(int d, double lastLoss, OptionalLong scratch) {
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(d)
        .target(new WipeTarget.Block(LayerPath.block(0))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(1).build();
    StudyRow row = StudyRow.builder().key(key).verdict(Verdict.RECOVERED)
        .examplesToRecover(OptionalLong.of(3200)).rho(OptionalDouble.of(3200 / 65536.0))
        .refExamples(65536).lossOriginal(1.40).lossAfterWipe(3.0).lossFinal(1.41)
        .examplesScratch(scratch).wallSeconds(1.0).examplesOrig(OptionalLong.of(30000))
        .lossOriginalSd(0.001).recoveryLr(1e-3).targetLoss(1.42).build();
    RunManifest m = new RunManifest(RunManifest.SCHEMA, "test", Map.of(), Map.of("master", 1L),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, 3.0, Double.NaN),
        new CurvePoint(100, 3200, 3200 * 33, 1.419, 1.419),
        new CurvePoint(101, 3232, 3232 * 33, lastLoss, lastLoss));
    return RunRecord.builder().row(row).position(OptionalInt.of(0)).targetLoss(1.42).stepsSpent(101)
        .examplesSpent(3232).curve(curve).manifest(m).build();
  }

  @Test
  void theRatioIsToTScratchAndTheRerunMustMatchStepForStep() {
    List<RunRecord> check = List.of(run(32, 1.418, OptionalLong.of(32000)),
        run(64, 1.418, OptionalLong.of(16000)), run(128, 1.418, OptionalLong.empty()));
    // the sweep's D=64 run differs only in its last loss: not the same run
    List<RunRecord> sweep = List.of(run(32, 1.418, OptionalLong.empty()),
        run(64, 1.4181, OptionalLong.empty()));
    ScratchTable t = ScratchTable.of(check, sweep);
    assertThat(t.rows()).extracting(ScratchTable.Row::same).containsExactly(Optional.of(true),
        Optional.of(false), Optional.empty());
    List<String> lines = t.lines("data/x-checks/scratch-*/");
    assertThat(lines).contains("| 2 | 32 | 1 | 32000 | 30000 | 3200 | 0.10 | yes |",
        "| 2 | 64 | 1 | 16000 | 30000 | 3200 | 0.20 | **no** |",
        "| 2 | 128 | 1 | not reached | 30000 | 3200 | — | not in the sweep |");
    assertThat(t.summary()).isEqualTo("block 0 needed 0.10–0.20 × the examples a fresh model "
        + "needs to reach the same target (2 of 3 shapes, seed 1); rerun, 1 of 2 block-0 runs "
        + "were the sweep's step for step (table S)");
  }
}
