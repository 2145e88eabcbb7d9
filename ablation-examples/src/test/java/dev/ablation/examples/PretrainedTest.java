package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.ParameterPath;
import dev.ablation.api.recovery.RecoveryResult;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Runs {@link Pretrained} tiny on the committed PyTorch fixture. */
class PretrainedTest {
  private static final Path FIXTURE = Path.of("..").resolve(Pretrained.FIXTURE);

  @Test
  void theFixtureIsWipedAtH1AndOnlyH1Retrains() {
    ExampleRun o = Pretrained.run(PretrainedOptions.tiny(FIXTURE));
    RecoveryResult r = o.result();
    assertThat(o.wiped().toString()).isEqualTo("h.1");
    // PyTorch trained it: well under the uniform loss over 34 characters
    assertThat(r.damage().lossOriginal()).isLessThan(Math.log(34) - 0.5);
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal());
    assertThat(r.spent().steps()).isPositive();
    assertThat(r.reference().examples()).isEqualTo(Pretrained.FIXTURE_EXAMPLES);
    for (ParameterPath p : o.trained().parameters()) {
      boolean same = Arrays.equals(o.trained().values(p), o.recovered().values(p));
      assertThat(same).as(p.toString()).isEqualTo(!p.isIn(o.wiped()));
    }
    assertThat(Console.summary(r)).contains("damage:").contains("verdict:").contains("rho:");
  }

  @Test
  void aMissingCheckpointSaysWhereItLookedAndWhatToPass() {
    assertThatThrownBy(() -> PretrainedOptions.tiny(Path.of("nowhere.safetensors")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nowhere.safetensors").hasMessageContaining(
            Pretrained.FIXTURE.toString());
  }
}
