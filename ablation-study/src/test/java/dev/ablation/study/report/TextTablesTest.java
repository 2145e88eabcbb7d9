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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Table T of the findings page: an original that does not beat its like-for-like n-gram is
 * listed and counted as such, and each text cell (per recovery rate) sits beside the other
 * task's cell of the same shape and block at the peak rate.
 */
class TextTablesTest {
  private static final int BATCH = 32;

  /** A recovered run of block {@code block} after {@code steps}, with {@code config}. */
  private static RunRecord run(int n, int d, int block, long seed, double lr, long steps,
      double lossStar, Map<String, String> config) {
    return run(n, d, block, seed, lr, steps, lossStar, config, FreezePolicy.onlyWiped(), true);
  }

  /**
   * A run of {@code freeze}; one that did not recover spent {@code steps} and its lowest loss
   * stayed 0.01 + seed/1000 above its target.
   */
  private static RunRecord run(int n, int d, int block, long seed, double lr, long steps,
      double lossStar, Map<String, String> config, FreezePolicy freeze, boolean recovered) {
    if (!recovered) {
      double low = lossStar + 0.02 + 0.01 + seed / 1000.0;
      List<CurvePoint> curve = List.of(new CurvePoint(0, 0, 0, 3.0, Double.NaN),
          new CurvePoint(steps, steps * BATCH, steps * BATCH * 64, low, low));
      RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(n).dModel(d)
          .target(new WipeTarget.Block(LayerPath.block(block))).scheme(ReinitScheme.fresh())
          .freeze(freeze).seed(seed).lrMultiple(lr).build();
      StudyRow row = StudyRow.builder().key(key).verdict(Verdict.BUDGET_EXHAUSTED)
          .refExamples(131072).lossOriginal(lossStar).lossAfterWipe(3.0).lossFinal(low)
          .wallSeconds(1.0).lossOriginalSd(0.001).recoveryLr(3e-3 * lr).targetLoss(lossStar + 0.02)
          .build();
      RunManifest manifest = new RunManifest(RunManifest.SCHEMA, "test", new HashMap<>(config),
          Map.of("master", seed),
          Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
              .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
      return RunRecord.builder().row(row).position(OptionalInt.of(block))
          .targetLoss(lossStar + 0.02).stepsSpent(steps).examplesSpent(steps * BATCH).curve(curve)
          .manifest(manifest).build();
    }
    List<CurvePoint> curve = new ArrayList<>();
    curve.add(new CurvePoint(0, 0, 0, 3.0, Double.NaN));
    for (long s = Math.max(1, steps - 2); s <= steps + 1; s++) {
      curve.add(new CurvePoint(s, s * BATCH, s * BATCH * 64, lossStar, lossStar));
    }
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(n).dModel(d)
        .target(new WipeTarget.Block(LayerPath.block(block))).scheme(ReinitScheme.fresh())
        .freeze(freeze).seed(seed).lrMultiple(lr).build();
    StudyRow row = StudyRow.builder().key(key).verdict(Verdict.RECOVERED)
        .examplesToRecover(OptionalLong.of(steps * BATCH))
        .rho(OptionalDouble.of(steps * BATCH / 131072.0)).refExamples(131072).lossOriginal(lossStar)
        .lossAfterWipe(3.0).lossFinal(lossStar).wallSeconds(1.0).lossOriginalSd(0.001)
        .recoveryLr(3e-3 * lr).targetLoss(lossStar + 0.02).build();
    Map<String, String> c = new HashMap<>(config);
    c.put("recovery_warmup", "8");
    RunManifest manifest = new RunManifest(RunManifest.SCHEMA, "test", c, Map.of("master", seed),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    return RunRecord.builder().row(row).position(OptionalInt.of(block)).targetLoss(lossStar + 0.02)
        .stepsSpent(steps + 1).examplesSpent((steps + 1) * BATCH).curve(curve).manifest(manifest)
        .build();
  }

  private static Map<String, String> text(double ngram) {
    return Map.of("task", "text", TextTables.NGRAM, Double.toString(ngram),
        TextTables.NGRAM + "_model", "5-gram, add-0.1", TextTables.WHOLE, "1.8883");
  }

  @Test
  void anOriginalThatDoesNotBeatItsNgramIsListedAndCountedAndCellsSitBesideTheOtherTask() {
    List<RunRecord> textRuns = new ArrayList<>();
    // seed 1 beats its n-gram (1.88 < 1.96), seed 2 does not (2.00 > 1.95)
    for (long seed = 1; seed <= 2; seed++) {
      double star = seed == 1 ? 1.88 : 2.00;
      double ngram = seed == 1 ? 1.96 : 1.95;
      textRuns.add(run(2, 64, 0, seed, 1.0, 100, star, text(ngram)));
      textRuns.add(run(2, 64, 0, seed, 0.3, 300, star, text(ngram)));
      textRuns.add(run(2, 64, 1, seed, 1.0, 40, star, text(ngram)));
    }
    List<RunRecord> bigram = new ArrayList<>();
    for (long seed = 1; seed <= 2; seed++) {
      bigram.add(run(2, 64, 0, seed, 1.0, 50, 1.39, Map.of("task", "bigram")));
    }
    TextTables t = TextTables.of(textRuns, bigram);

    assertThat(t.originals()).hasSize(2);
    assertThat(t.beating()).containsExactly(1, 2);
    List<String> lines = t.lines("bigram");
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 2 | 2.0000 | 1.9500 |")
        && l.contains("**no**"));
    assertThat(lines).contains("1 of 2 originals beat their like-for-like n-gram.");

    // block 0 at 1x: 3,200 examples against the bigram's 1,600 (ratio 2); at 0.3x beside it
    assertThat(t.costs()).extracting(TextTables.Cost::block, TextTables.Cost::lr)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 1.0),
            org.assertj.core.groups.Tuple.tuple(0, 0.3), org.assertj.core.groups.Tuple.tuple(1, 1.0));
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 0 | the wiped block | 1× |")
        && l.endsWith("| 2.00 |"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 0 | the wiped block | 0.3× |")
        && l.endsWith("| 6.00 |"));
    // no bigram run of block 1: said, not invented
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 1 | the wiped block | 1× |")
        && l.contains("| not run | — |"));
    assertThat(t.controlled()).isTrue(); // the 0.3x cells
    assertThat(t.answer("bigram")).startsWith("1 of 2 text originals beat the like-for-like "
        + "n-gram").endsWith("(table T).");
  }

  /** {@code r} with an original curve that reached {@code lowest} at step 200, ended at L*. */
  private static RunRecord withOriginalCurve(RunRecord r, double lowest) {
    double star = r.row().lossOriginal();
    return r.toBuilder().originalCurve(List.of(new CurvePoint(0, 0, 0, 3.0, Double.NaN),
        new CurvePoint(200, 200 * BATCH, 200 * BATCH * 64, lowest, lowest),
        new CurvePoint(400, 400 * BATCH, 400 * BATCH * 64, star, star))).build();
  }

  @Test
  void anOriginalThatEndedAboveItsLowestLossByMoreThanTheToleranceIsMarkedOverfit() {
    // tolerance 0.02 (target L* + 0.02): seed 1 ended 0.19 above its lowest, seed 2 only 0.01
    List<RunRecord> textRuns = List.of(
        withOriginalCurve(run(4, 128, 0, 1, 1.0, 100, 1.96, text(1.97)), 1.77),
        withOriginalCurve(run(4, 128, 0, 2, 1.0, 120, 1.83, text(1.95)), 1.82),
        withOriginalCurve(run(2, 64, 0, 1, 1.0, 300, 1.88, text(1.96)), 1.88));
    TextTables t = TextTables.of(textRuns, List.of());

    assertThat(t.overfit()).extracting(TextOriginal::n, TextOriginal::seed)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(4, 1L));
    List<String> lines = t.lines("bigram");
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 1 | 1.9600 |")
        && l.endsWith("| 1.7700 (200) | +0.1900 **overfit** |"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 2 | 1.8300 |")
        && l.endsWith("| 1.8200 (200) | +0.0100 |"));
    assertThat(lines).contains("3 of 3 originals beat their like-for-like n-gram; 1 of 3 "
        + "overfit (N=4 D=128: 1 of 2, +0.1900 nats).");
    // the overfit shape's cells carry the mark, the other shape's do not
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 0 | the wiped block | 1× |")
        && l.contains(" †"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 0 | the wiped block | 1× |")
        && !l.contains("†"));
    assertThat(t.answer("bigram")).contains("1 of 3 overfit late in training");
  }

  /** {@link #text(double)} for originals trained a fixed {@code steps}. */
  private static Map<String, String> text(double ngram, long steps) {
    Map<String, String> c = new HashMap<>(text(ngram));
    c.put("train_steps", Long.toString(steps));
    return c;
  }

  @Test
  void originalsOfOneShapeTrainedForDifferentLengthsAreRowsAndCellsOfTheirOwn() {
    // N=4 D=128 seed 1 twice: 4,096 steps (overfit, block 0 back in 3,200 examples) and 2,048
    // steps (not overfit, block 0 back in 9,600)
    // the 2,048-step originals come from a check study, as the controls do
    TextTables t = TextTables.of(
        List.of(withOriginalCurve(run(4, 128, 0, 1, 1.0, 100, 1.96, text(1.97, 4096)), 1.77)),
        List.of(withOriginalCurve(run(4, 128, 0, 1, 1.0, 300, 1.78, text(1.97, 2048)), 1.775)),
        List.of());

    assertThat(t.schedules()).isTrue();
    assertThat(t.originals()).extracting(TextOriginal::steps).containsExactly(4096L, 2048L);
    assertThat(t.costs()).extracting(c -> c.training().steps()).containsExactly(4096L, 2048L);
    List<String> lines = t.lines("bigram");
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 4096 | 1 | 1.9600 |")
        && l.contains("**overfit**"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 2048 | 1 | 1.7800 |")
        && !l.contains("overfit"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 4096 | 0 | the wiped block |")
        && l.contains("3200 †"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 4 | 128 | 2048 | 0 | the wiped block |")
        && l.contains("9600") && !l.contains("†"));
    assertThat(t.answer("bigram")).contains("N=4 D=128 (4096 steps) 3200")
        .contains("N=4 D=128 (2048 steps) 9600");
  }

  @Test
  void withoutOriginalCurvesNothingIsCalledOverfit() {
    TextTables t = TextTables.of(List.of(run(2, 64, 0, 1, 1.0, 100, 1.88, text(1.96))),
        List.of());
    assertThat(t.overfit()).isEmpty();
    assertThat(t.lines("bigram")).contains("1 of 1 originals beat their like-for-like n-gram.")
        .anyMatch(l -> l.endsWith("| not recorded | not recorded |"));
  }

  @Test
  void controlsOnTheSameOriginalsAreCellsOfTheirOwnWithHowCloseTheyCame() {
    List<RunRecord> textRuns = new ArrayList<>();
    List<RunRecord> controls = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      textRuns.add(run(2, 64, 0, seed, 1.0, 2048, 1.88, text(1.96), FreezePolicy.onlyWiped(),
          false));
      // every weight trainable: seed 1 back, seeds 2 and 3 not
      controls.add(run(2, 64, 0, seed, 1.0, seed == 1 ? 900 : 2048, 1.88, text(1.96),
          FreezePolicy.allTrainable(), seed == 1));
    }
    TextTables t = TextTables.of(textRuns, controls, List.of());

    assertThat(t.originals()).hasSize(3); // the controls add no originals
    assertThat(t.costs()).extracting(TextTables.Cost::freeze)
        .containsExactly(FreezePolicy.onlyWiped().key(), FreezePolicy.allTrainable().key());
    List<String> lines = t.lines("bigram");
    // lowest losses 0.011, 0.012, 0.013 above target: median 0.012; of the two not back 0.0125
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 0 | the wiped block | 1× | 0/3 |")
        && l.contains("| +0.0120 |"));
    assertThat(lines).anyMatch(l -> l.startsWith("| 2 | 64 | 0 | every weight | 1× | 1/3 |")
        && l.contains("| +0.0125 |"));
    assertThat(t.answer("bigram")).contains("controls: N=2 D=64 block 0, every weight "
        + "training at 1×: 1/3 recovered").contains("block 0 needed N=2 D=64 ≥ 65536 (not "
        + "reached) (bigram: not run)");
    assertThat(TextTables.of(textRuns, List.of()).controlled()).isFalse();
  }
}
