package dev.ablation.study.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The width/depth law on runs drawn from a known law: the fit gives back its exponents, a
 * held-out shape that follows the law is inside its prediction interval, one that does not is
 * outside, and cells near the schedule are left out and named.
 */
class WidthDepthLawTest {
  private static final int BATCH = 32;

  /** Steps block {@code b} of N × D needs under the law, times a seed's noise. */
  private static long steps(int n, int d, int b, double noise, double heldFactor) {
    double base = b == 0 ? 3000 : b == 1 ? 1500 : 600 * Math.exp(-1.0 * b / (n - 1));
    return Math.max(1, Math.round(base * Math.pow(d, -0.5) * Math.pow(n, 0.3) * noise
        * heldFactor));
  }

  /** A run of the question's arm recovered after {@code steps}, evaluated every step. */
  static RunRecord run(int n, int d, int block, long seed, long steps) {
    List<CurvePoint> curve = new ArrayList<>();
    curve.add(new CurvePoint(0, 0, 0, 3.0, Double.NaN));
    for (long s = Math.max(1, steps - 2); s <= steps + 1; s++) {
      curve.add(new CurvePoint(s, s * BATCH, s * BATCH * 32, 1.5, 1.5));
    }
    RunKey key = RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(n).dModel(d)
        .target(new WipeTarget.Block(LayerPath.block(block))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(seed).build();
    StudyRow row = StudyRow.builder().key(key).verdict(Verdict.RECOVERED)
        .examplesToRecover(OptionalLong.of(steps * BATCH))
        .rho(OptionalDouble.of(steps * BATCH / 65536.0)).refExamples(65536).lossOriginal(1.4)
        .lossAfterWipe(3.0).lossFinal(1.45).wallSeconds(1.0).lossOriginalSd(0.001).recoveryLr(3e-3)
        .targetLoss(1.42).build();
    RunManifest manifest = new RunManifest(RunManifest.SCHEMA, "test",
        Map.of("recovery_warmup", "8"), Map.of("master", seed),
        Environment.builder().javaVersion("17").javaVendor("test").os("Linux").arch("amd64")
            .cpu("cpu").cores(2).engine("test").engineVersion("0").backend("test").build());
    return RunRecord.builder().row(row).position(OptionalInt.of(block)).targetLoss(1.42)
        .stepsSpent(steps + 1).examplesSpent((steps + 1) * BATCH).curve(curve).manifest(manifest)
        .build();
  }

  private static List<RunRecord> sweep(double heldFactor) {
    Random rng = new Random(7);
    List<RunRecord> out = new ArrayList<>();
    int[][] shapes = {{2, 32}, {2, 64}, {2, 128}, {2, 256}, {4, 32}, {4, 64}, {4, 128},
        {4, 256}, {8, 32}, {8, 128}};
    for (int[] s : shapes) {
      for (long seed = 1; seed <= 3; seed++) {
        double noise = Math.exp(0.05 * rng.nextGaussian()); // one original's luck, all blocks
        for (int b = 0; b < s[0]; b++) {
          double f = s[0] == 4 && s[1] == 256 ? heldFactor : 1;
          out.add(run(s[0], s[1], b, seed, steps(s[0], s[1], b, noise, f)));
        }
      }
    }
    return out;
  }

  @Test
  void theFitGivesBackTheLawsExponentsAndTheHeldOutShapeFallsInside() {
    WidthDepthLaw.Result r = WidthDepthLaw.fit(sweep(1), Optional.of(new int[] {4, 256}), 500);
    for (WidthDepthLaw.Fit f : r.fits()) {
      assertThat(f.problem()).as(f.place().label()).isEmpty();
      // the law's own exponents lie inside the intervals, and the estimates near them
      assertCovers(f.coefficients().get(1), -0.5, 0.1);
      assertCovers(f.coefficients().get(2), 0.3, 0.1);
    }
    // N=4 D=256 held out: 9 shapes for blocks 0 and 1; blocks 2, 3 of 3 N=4 widths + 2..7 of 2
    assertThat(r.fits().stream().map(WidthDepthLaw.Fit::cells).toList())
        .containsExactly(9, 9, 3 * 2 + 2 * 6);
    assertCovers(r.fits().get(2).coefficients().get(3), -1.0, 0.1);
    assertThat(r.checks()).hasSize(4); // blocks 0..3 of N=4 D=256
    assertThat(r.checks()).allMatch(WidthDepthLaw.Check::inside);
    assertThat(String.join("\n", LawTable.format(r))).contains("(passes).");
  }

  private static void assertCovers(WidthDepthLaw.Coefficient c, double truth, double near) {
    assertThat(truth).as(c.term() + " inside " + c).isBetween(c.low(), c.high());
    assertThat(c.estimate()).as(c.term()).isCloseTo(truth,
        org.assertj.core.data.Offset.offset(near));
  }

  @Test
  void aHeldOutShapeOffTheLawFailsTheCheck() {
    WidthDepthLaw.Result r = WidthDepthLaw.fit(sweep(3), Optional.of(new int[] {4, 256}), 500);
    assertThat(r.checks()).noneMatch(WidthDepthLaw.Check::inside);
    assertThat(String.join("\n", LawTable.format(r))).contains("(fails).");
  }

  @Test
  void cellsInsideTheWarmupAreLeftOutAndNamed() {
    List<RunRecord> runs = new ArrayList<>(sweep(1));
    for (long seed = 1; seed <= 3; seed++) {
      runs.add(run(16, 64, 5, seed, 4)); // 4 steps: inside the 8-step warm-up
    }
    WidthDepthLaw.Result r = WidthDepthLaw.fit(runs, Optional.empty(), 200);
    assertThat(r.excluded()).anyMatch(e -> e.startsWith("N=16 D=64 block 5")
        && e.contains("warm-up"));
    assertThat(r.fits().stream().filter(f -> f.place() == WidthDepthLaw.Place.LATER)
        .findFirst().orElseThrow().depths()).doesNotContain(16);
  }

  @Test
  void aHeldOutShapeThatIsNotThereIsRefusedNamingThoseThatAre() {
    assertThatThrownBy(() -> WidthDepthLaw.fit(sweep(1), Optional.of(new int[] {6, 96}), 200))
        .hasMessageContaining("N=6 D=96").hasMessageContaining("N=4 D=256");
    assertThatThrownBy(() -> WidthDepthLaw.parseShape("4by256"))
        .hasMessageContaining("'4by256'").hasMessageContaining("4x256");
  }
}
