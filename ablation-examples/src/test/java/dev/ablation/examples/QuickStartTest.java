package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;

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
  private static Outcome outcome;

  @BeforeAll
  static void runTiny() {
    outcome = QuickStart.run(QuickStart.Options.tiny());
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
  void verdictAndRhoAreConsistent() {
    RecoveryResult r = outcome.result();
    assertThat(r.verdict()).isIn((Object[]) Verdict.values());
    assertThat(r.rho().isPresent()).isEqualTo(r.verdict() == Verdict.RECOVERED);
    r.rho().ifPresent(rho -> assertThat(rho).isBetween(0.0, 1.0));
    // the budget is one S x E: never more examples than that
    assertThat(r.spent().examples()).isLessThanOrEqualTo(r.reference().examples());
    assertThat(r.manifest().configuration()).containsEntry("example", "QuickStart");
  }

  @Test
  void curveStartsAtStepZeroWithTheDamagedLossAndMovesForward() {
    List<CurvePoint> curve = outcome.result().curve();
    assertThat(curve).isNotEmpty();
    assertThat(curve.get(0).step()).isZero();
    assertThat(curve.get(0).examples()).isZero();
    assertThat(curve.get(0).loss()).isEqualTo(outcome.result().damage().lossAfterWipe());
    for (int i = 1; i < curve.size(); i++) {
      assertThat(curve.get(i).step()).isGreaterThan(curve.get(i - 1).step());
    }
    if (curve.size() > 1) {
      // retraining only the wiped block does lower the validation loss
      assertThat(curve.get(curve.size() - 1).loss()).isLessThan(curve.get(0).loss());
    }
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
