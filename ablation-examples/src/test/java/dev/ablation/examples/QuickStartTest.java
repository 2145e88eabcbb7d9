package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ablation.api.ParameterPath;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Verdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs {@link QuickStart} tiny and checks what it measured, not just that it ran. */
class QuickStartTest {
  private static ExampleRun outcome;

  @BeforeAll
  static void runTiny() {
    outcome = QuickStart.run(QuickStart.tiny());
  }

  @Test
  void theOriginalLearnedAndTheWipeDidDamage() {
    RecoveryResult r = outcome.result();
    assertThat(r.damage().lossOriginal()).isLessThan(Math.log(8)); // better than uniform
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal());
    assertThat(r.damage().lossDeleted()).isPresent();
    assertThat(r.reference().examples()).isEqualTo(3L * 256); // S x E, every string 3 times
  }

  @Test
  void theWipedBlockRecoveredWithinItsBudget() {
    RecoveryResult r = outcome.result();
    // the example exists to show a recovery: anything else means it no longer demonstrates one
    assertThat(r.verdict()).isEqualTo(Verdict.RECOVERED);
    long tEps = r.recoveredAt().orElseThrow().examples();
    assertThat(tEps).isPositive().isLessThanOrEqualTo(r.reference().examples());
    assertThat(tEps % 16).as("whole batches of 16 strings").isZero();
    assertThat(r.rho()).hasValueCloseTo((double) tEps / (3L * 256), within(1e-12));
    // the budget is one S x E: never more examples than that
    assertThat(r.spent().examples()).isLessThanOrEqualTo(r.reference().examples());
    assertThat(r.manifest().configuration()).containsEntry("example", "QuickStart");
  }

  @Test
  void theCurveShowsTheRecoveryTheVerdictClaims() {
    RecoveryResult r = outcome.result();
    List<CurvePoint> curve = r.curve();
    long tEps = r.recoveredAt().orElseThrow().examples();
    double target = r.damage().lossOriginal() + QuickStart.tiny().epsilon();
    // recomputed from the curve (smoothedOver(2)): at T_eps the mean of the last two
    // evaluations is at or under L* + eps, and no earlier such mean was. The first evaluation
    // after step 0 is judged on its own loss (whether or not L0 shares its window, it is then
    // under target).
    CurvePoint at = curve.stream().filter(p -> p.examples() == tEps).findFirst().orElseThrow();
    int i = curve.indexOf(at);
    assertThat(i).as("T_eps is an evaluation after step 0").isGreaterThanOrEqualTo(1);
    assertThat(i == 1 ? curve.get(1).loss() : meanOfTwo(curve, i)).isLessThanOrEqualTo(target);
    for (int j = 2; j < i; j++) {
      assertThat(meanOfTwo(curve, j)).as("evaluation %d", j).isGreaterThan(target);
    }
  }

  private static double meanOfTwo(List<CurvePoint> curve, int i) {
    return (curve.get(i - 1).loss() + curve.get(i).loss()) / 2;
  }

  @Test
  void curveStartsAtStepZeroWithTheDamagedLossAndMovesForward() {
    List<CurvePoint> curve = outcome.result().curve();
    // step 0 is always on the curve: the run must have evaluated after training too (with the
    // dense schedule a fast recovery may be decided at its first evaluation)
    assertThat(curve).hasSizeGreaterThanOrEqualTo(2);
    assertThat(outcome.result().spent().steps()).isPositive();
    assertThat(curve.get(0).step()).isZero();
    assertThat(curve.get(0).examples()).isZero();
    assertThat(curve.get(0).loss()).isEqualTo(outcome.result().damage().lossAfterWipe());
    for (int i = 1; i < curve.size(); i++) {
      assertThat(curve.get(i).step()).isGreaterThan(curve.get(i - 1).step());
    }
    // retraining only the wiped block does lower the validation loss
    assertThat(curve.get(curve.size() - 1).loss()).isLessThan(curve.get(0).loss());
  }

  @Test
  void mainPrintsTheVerdictRhoAndTheCurveFromStepZero() {
    String printed = Console.summary(outcome.result());
    assertThat(printed).contains("verdict: " + outcome.result().verdict())
        .contains("rho:").contains("curve:   step:loss  0:");
    assertThat(printed.lines().count()).isLessThanOrEqualTo(6);
  }

  @Test
  void onlyTheWipedBlockChanged() {
    int frozen = 0;
    int moved = 0;
    for (ParameterPath p : outcome.trained().parameters()) {
      boolean same = Arrays.equals(outcome.trained().values(p), outcome.recovered().values(p));
      if (outcome.wiped().contains(p)) {
        moved += same ? 0 : 1;
      } else {
        assertThat(same).as("frozen parameter %s is bit-identical", p).isTrue();
        frozen++;
      }
    }
    assertThat(frozen).isPositive();
    assertThat(moved).isPositive();
  }
}
