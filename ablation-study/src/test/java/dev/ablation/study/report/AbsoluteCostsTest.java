package dev.ablation.study.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Environment;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.store.StudyRow;
import dev.ablation.study.plan.WipeTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Absolute costs from hand-made runs whose answers are worked out in the comments. */
class AbsoluteCostsTest {
  private static final int BATCH = 8;
  private static final long REF = 4096;

  /**
   * A run of block 0 of a decoder N=2 D=32, evaluated at every step up to {@code evalTo}, then
   * every 16 steps; recovered at {@code recoverAt} steps, or stopped there unrecovered.
   */
  private static RunRecord run(long seed, long recoverAt, boolean recovered, int warmup) {
    List<CurvePoint> curve = new ArrayList<>();
    curve.add(new CurvePoint(0, 0, 0, 2.0, Double.NaN));
    for (long s = 1; s <= recoverAt; s = s < 10 ? s + 1 : s + 16) {
      curve.add(new CurvePoint(s, s * BATCH, s * BATCH * 4, 1.5, 1.5));
    }
    long last = curve.get(curve.size() - 1).step();
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(32)
        .target(new WipeTarget.Block(LayerPath.block(0))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(seed).build();
    StudyRow row = StudyRow.builder().key(key)
        .verdict(recovered ? Verdict.RECOVERED : Verdict.PLATEAUED)
        .examplesToRecover(recovered ? OptionalLong.of(last * BATCH) : OptionalLong.empty())
        .rho(recovered ? OptionalDouble.of((double) last * BATCH / REF) : OptionalDouble.empty())
        .refExamples(REF).lossOriginal(1.4).lossAfterWipe(2.0).lossFinal(1.5).wallSeconds(1.0)
        .lossOriginalSd(0.001).recoveryLr(3e-3).targetLoss(1.42).build();
    RunManifest manifest = new RunManifest(RunManifest.SCHEMA, "test",
        Map.of("recovery_warmup", Integer.toString(warmup)), Map.of("master", seed),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    return RunRecord.builder().row(row).position(OptionalInt.of(0)).targetLoss(1.42)
        .stepsSpent(last).examplesSpent(last * BATCH).curve(curve).manifest(manifest).build();
  }

  private static AbsoluteCosts.CellCost cost(List<RunRecord> runs) {
    return AbsoluteCosts.CellCost.of(CellKey.of(runs.get(0)), runs);
  }

  @Test
  void aRunThatDidNotRecoverIsCensoredNotDropped() {
    // events at 4 and 8 steps, one run stopped unrecovered at 6: at 4 one of three recovers
    // (S = 2/3), the censored run leaves at 6, at 8 the last one at risk recovers (S = 0), so
    // the Kaplan–Meier median is 8 steps = 64 examples. Dropping the censored run would give
    // S = 1/2 at 4, a median of 4 steps.
    AbsoluteCosts.CellCost c = cost(List.of(run(1, 4, true, 2), run(2, 6, false, 2),
        run(3, 8, true, 2)));
    assertEquals(8.0, c.steps().median().getAsDouble());
    assertEquals(8.0 * BATCH, c.examples().median().getAsDouble());
    assertEquals(3, c.steps().n());
    assertEquals(2, c.steps().events());
    assertEquals("2/3", c.tally().toString());
  }

  @Test
  void costsInsideOrJustPastTheWarmupAreFlaggedWithItsLength() {
    // every seed recovers at step 6 with an 8-step warm-up: inside it
    AbsoluteCosts.CellCost inside = cost(List.of(run(1, 6, true, 8), run(2, 6, true, 8)));
    assertTrue(inside.near().insideWarmup());
    assertEquals(8, inside.near().warmup().getAsInt());
    // step 10 is 2 steps past an 8-step warm-up: near it, not inside
    AbsoluteCosts.CellCost near = cost(List.of(run(1, 10, true, 8), run(2, 10, true, 8)));
    assertFalse(near.near().insideWarmup());
    assertTrue(near.near().nearWarmup());
    // step 26 (10, then +16) is far past a 2-step warm-up, but the evaluation before it was
    // at step 10: the resolution is 16 steps and 26 <= 16 + 3 does not hold, so no flag
    AbsoluteCosts.CellCost far = cost(List.of(run(1, 26, true, 2), run(2, 26, true, 2)));
    assertEquals(16, far.near().resolution().getAsLong());
    assertFalse(far.near().flagged());
  }

  @Test
  void aCostNoFinerThanTheEvaluationGridIsFlagged() {
    // recovered at step 3, evaluated at every step: resolution 1, and 3 <= 1 + 3
    AbsoluteCosts.CellCost c = cost(List.of(run(1, 3, true, 0), run(2, 3, true, 0)));
    assertEquals(1, c.near().resolution().getAsLong());
    assertTrue(c.near().nearResolution());
    assertFalse(c.near().insideWarmup());
  }

  @Test
  void countsAreWholeNumbersAndRoundingNeverNarrowsTheInterval() {
    Censored.Estimate e = new Censored.Estimate(OptionalDouble.of(40), 38.6, 45.2, 5, 5,
        Double.NaN);
    assertEquals("40 [38, 46]", e.formatCount());
  }

  @Test
  void anOpenUpperEndIsNeverBelowTheMedian() {
    // seeds with different caps: one censored at 8192, the median (8224) from a longer cap
    Censored.Estimate e = new Censored.Estimate(OptionalDouble.of(8224), 6176,
        Double.POSITIVE_INFINITY, 3, 2, 8192);
    assertEquals("8224 [6176, ≥ 8224]", e.formatCount());
    Censored.Estimate below = new Censored.Estimate(OptionalDouble.of(5000), 4000,
        Double.POSITIVE_INFINITY, 3, 2, 8192);
    assertEquals("5000 [4000, ≥ 8192]", below.formatCount());
  }
}
