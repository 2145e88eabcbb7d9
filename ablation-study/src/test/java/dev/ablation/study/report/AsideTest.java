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
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The aside's verdicts: a wipe whose runs were all undamaged is no reset (it once read "in
 * cost only", its runs counted as never recovered), one that damaged and never recovered is,
 * and the absolute cost sits beside the ratio.
 */
class AsideTest {
  private static RunRecord run(int block, long seed, Verdict verdict, double l0) {
    RunKey key = RunKey.builder().arch(Architecture.ENCODER_DECODER).nLayers(2).dModel(32)
        .target(new WipeTarget.Block(LayerPath.block("decoder.blocks", block)))
        .scheme(ReinitScheme.fresh()).freeze(FreezePolicy.onlyWiped()).seed(seed).build();
    boolean recovered = verdict == Verdict.RECOVERED;
    StudyRow row = StudyRow.builder().key(key).verdict(verdict)
        .examplesToRecover(recovered ? OptionalLong.of(640) : OptionalLong.empty())
        .rho(recovered ? OptionalDouble.of(640 / 4096.0) : OptionalDouble.empty()).refExamples(4096)
        .lossOriginal(0.01).lossAfterWipe(l0).lossFinal(recovered ? 0.02 : l0)
        .examplesScratch(OptionalLong.of(2048)).wallSeconds(1.0).lossOriginalSd(0.001)
        .recoveryLr(3e-3).targetLoss(0.03).build();
    RunManifest manifest = new RunManifest(RunManifest.SCHEMA, "test",
        Map.of("vocab", "17", "task", "translate"), Map.of("master", seed),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, l0, Double.NaN),
        new CurvePoint(20, 640, 640 * 12, 0.02, 0.02), new CurvePoint(21, 672, 672 * 12, 0.02,
            0.02));
    return RunRecord.builder().row(row).position(OptionalInt.of(block)).targetLoss(0.03)
        .stepsSpent(verdict == Verdict.UNDAMAGED ? 0 : 21)
        .examplesSpent(verdict == Verdict.UNDAMAGED ? 0 : 672).curve(curve).manifest(manifest)
        .build();
  }

  @Test
  void undamagedIsNoResetAndNeverRecoveredIsOne() {
    List<RunRecord> rs = List.of(
        run(0, 1, Verdict.RECOVERED, 2.9), run(0, 2, Verdict.RECOVERED, 2.8),
        run(1, 1, Verdict.UNDAMAGED, 0.02), run(1, 2, Verdict.UNDAMAGED, 0.02));
    Aside a = Aside.of(new Shape(Architecture.ENCODER_DECODER, 2, 32), rs);
    Aside.Row block0 = a.rows().stream()
        .filter(r -> r.what().target().label().endsWith("blocks.0")).findFirst().orElseThrow();
    Aside.Row block1 = a.rows().stream()
        .filter(r -> r.what().target().label().endsWith("blocks.1")).findFirst().orElseThrow();
    assertThat(block1.likeness()).isEqualTo(Aside.Likeness.NO);
    assertThat(block1.examples().n()).isZero();
    // block 0 left the model near uniform guessing (ln 17 = 2.83) and recovered at 640
    assertThat(block0.likeness()).isIn(Aside.Likeness.AT_START, Aside.Likeness.BOTH);
    assertThat(block0.examples().median()).hasValue(640);

    List<RunRecord> never = List.of(run(1, 1, Verdict.BUDGET_EXHAUSTED, 0.5),
        run(1, 2, Verdict.BUDGET_EXHAUSTED, 0.5));
    Aside b = Aside.of(new Shape(Architecture.ENCODER_DECODER, 2, 32), never);
    assertThat(b.rows().get(0).likeness()).isEqualTo(Aside.Likeness.IN_COST);
  }
}
