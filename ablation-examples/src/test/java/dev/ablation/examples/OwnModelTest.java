package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.ParameterPath;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Verdict;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs {@link OwnModel} tiny and checks what it measured on the hand-built graph. */
class OwnModelTest {
  private static ExampleRun outcome;

  @BeforeAll
  static void runTiny() {
    outcome = OwnModel.run(OwnModel.tiny());
  }

  @Test
  void theDeclaredMapNamesEveryVariableByItsLayer() {
    Set<String> paths = outcome.trained().parameters().stream().map(ParameterPath::toString)
        .collect(Collectors.toSet());
    assertThat(paths).contains("embed.tokTable", "embed.posTable", "blocks.0.q", "blocks.1.mix",
        "blocks.1.lnA_g", "blocks.1.downb", "unembed.readout");
    // per block: 2 norms x (g, b), q k v mix mixb, up upb down downb
    assertThat(paths.stream().filter(p -> p.startsWith("blocks.1."))).hasSize(13);
  }

  @Test
  void zeroOutputStartsExactlyAsTheDeletedBlock() {
    RecoveryResult r = outcome.result();
    assertThat(r.damage().lossOriginal()).isLessThan(Math.log(8)); // sd.fit did train it
    // a pre-LN block whose output projections are zero adds exactly nothing to the residual
    assertThat(r.damage().lossAfterWipe()).isEqualTo(r.damage().lossDeleted().orElseThrow());
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal());
  }

  @Test
  void verdictRhoAndCurveAreConsistent() {
    RecoveryResult r = outcome.result();
    assertThat(r.verdict()).isIn((Object[]) Verdict.values());
    assertThat(r.rho().isPresent()).isEqualTo(r.verdict() == Verdict.RECOVERED);
    r.rho().ifPresent(rho -> assertThat(rho).isBetween(0.0, 1.0));
    assertThat(r.spent().examples()).isLessThanOrEqualTo(r.reference().examples());
    assertThat(r.reference().examples()).isEqualTo(3L * 256); // S x E fed to sd.fit
    List<CurvePoint> curve = r.curve();
    assertThat(curve.get(0).step()).isZero();
    assertThat(curve.get(0).loss()).isEqualTo(r.damage().lossAfterWipe());
    for (int i = 1; i < curve.size(); i++) {
      assertThat(curve.get(i).step()).isGreaterThan(curve.get(i - 1).step());
    }
    assertThat(r.manifest().configuration()).containsEntry("example", "OwnModel")
        .containsEntry("scheme", "ZERO_OUTPUT").containsEntry("freeze", "onlyWiped");
  }

  @Test
  void onlyTheWipedBlockChangedAndItsOutputsLeftZero() {
    for (ParameterPath p : outcome.trained().parameters()) {
      if (!outcome.wiped().contains(p)) {
        assertThat(outcome.recovered().values(p)).as("frozen parameter %s", p)
            .isEqualTo(outcome.trained().values(p));
      }
    }
    // ZERO_OUTPUT set blocks.1.mix to zero; retraining moved it away from zero
    double[] mix = outcome.recovered().values(ParameterPath.parse("blocks.1.mix"));
    assertThat(Arrays.stream(mix).anyMatch(v -> v != 0)).isTrue();
  }
}
