package dev.ablation.samediff.surgery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import org.junit.jupiter.api.Test;

/**
 * A snapshot restores only into the graph it was taken from, and a refusal names the real
 * cause: a separately built graph of the same shapes (which used to restore without a word),
 * or a model of another depth (which used to be reported as a parameter-kind mismatch).
 */
class SnapshotIdentityTest {

  private static SameDiffSurgeon decoder(int layers, long seed) {
    return SameDiffSurgeon.of(ReferenceModel.build(
        TransformerConfig.decoderOnly(layers, 16, 2, 8, 8, seed)).model());
  }

  @Test
  void aSnapshotOfASeparatelyBuiltGraphOfTheSameShapesIsRefused() {
    SameDiffSurgeon a = decoder(2, 1);
    SameDiffSurgeon b = decoder(2, 2);
    WeightSnapshot ofA = a.snapshot();
    WeightSnapshot beforeB = b.snapshot();
    assertThat(ofA.parameters()).isEqualTo(beforeB.parameters());

    assertThatThrownBy(() -> b.restore(ofA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another graph")
        .hasMessageContaining("same layout");
    for (var p : b.layout().parameterPaths()) {
      assertThat(b.snapshot().values(p)).as("%s", p).isEqualTo(beforeB.values(p));
    }
    // its own snapshot still restores
    b.restore(beforeB);
  }

  @Test
  void aSnapshotOfAModelOfAnotherDepthNamesTheDepth() {
    SameDiffSurgeon three = decoder(3, 1);
    SameDiffSurgeon two = decoder(2, 1);
    assertThatThrownBy(() -> two.restore(three.snapshot()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 blocks").hasMessageContaining("2 blocks")
        .hasMessageContaining("blocks.2")
        .hasMessageNotContaining("OUTPUT_BIAS");
  }
}
