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
 * The answer's "refuse to train?" line names what the damaged runs that did not recover did:
 * their verdicts and how far above the target their lowest evaluated loss stayed; recovered and
 * undamaged runs are not among them.
 */
class StoppedShortTest {
  private static final double TARGET = 1.42;

  private static RunRecord run(long seed, Verdict v, double lowest) {
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(32)
        .target(new WipeTarget.Block(LayerPath.block(0))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(seed).build();
    boolean rec = v == Verdict.RECOVERED;
    StudyRow row = StudyRow.builder().key(key).verdict(v)
        .examplesToRecover(rec ? OptionalLong.of(320) : OptionalLong.empty())
        .rho(rec ? OptionalDouble.of(0.005) : OptionalDouble.empty()).refExamples(65536)
        .lossOriginal(1.40).lossAfterWipe(3.0).lossFinal(lowest).wallSeconds(1.0)
        .lossOriginalSd(0.001).recoveryLr(1e-3).targetLoss(TARGET).build();
    RunManifest m = new RunManifest(RunManifest.SCHEMA, "test", Map.of(), Map.of("master", seed),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, 3.0, Double.NaN),
        new CurvePoint(10, 320, 320 * 32, lowest, lowest),
        new CurvePoint(20, 640, 640 * 32, lowest + 0.002, lowest + 0.002));
    return RunRecord.builder().row(row).position(OptionalInt.of(0)).targetLoss(TARGET)
        .stepsSpent(20).examplesSpent(640).curve(curve).manifest(m).build();
  }

  @Test
  void theRunsThatDidNotRecoverAreCountedByVerdictWithTheirGapToTheTarget() {
    List<RunRecord> rs = List.of(run(1, Verdict.RECOVERED, 1.41),
        run(2, Verdict.PLATEAUED, TARGET + 0.003), run(3, Verdict.BUDGET_EXHAUSTED, TARGET + 0.01),
        run(4, Verdict.UNDAMAGED, 1.415));
    assertThat(FindingsAnswer.stoppedShort(rs)).isEqualTo("; the other 2: 1 BUDGET_EXHAUSTED, "
        + "1 PLATEAUED, their lowest loss 0.0030–0.0100 nats above the target");
    assertThat(FindingsAnswer.stoppedShort(rs.subList(0, 1))).isEmpty();
  }
}
