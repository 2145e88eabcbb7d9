package dev.ablation.samediff.surgery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerMapException;
import dev.ablation.api.LayerPath;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Errors that say what is wrong and what to do, on the mistakes a new user makes. */
class ErrorMessagesTest {

  /** Two layers a.0 {w: [2, d]} and a.1 {w: [d, d]}. */
  private static SameDiffModel chain(int d) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2);
    SDVariable h = x.mmul(sd.var("l0_w", Nd4j.rand(DataType.FLOAT, 2, d)));
    h = h.mmul(sd.var("l1_w", Nd4j.rand(DataType.FLOAT, d, d)));
    sd.sum("loss", h);
    LayerMap map = LayerMap.builder()
        .blocks("a", 2, "l%d_(.*)")
        .build(sd);
    return new SameDiffModel(sd, map, "loss", Optional.empty());
  }

  @Test
  void aSnapshotOfAnotherWidthNamesTheFirstDifferingParameterAndBothShapes() {
    var narrow = SameDiffSurgeon.of(chain(3)).snapshot();
    assertThatThrownBy(() -> SameDiffSurgeon.of(chain(4)).restore(narrow))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter a.0.w has shape [2, 3] in the snapshot but [2, 4]");
  }

  @Test
  void aBlocksTemplateWithoutTheBlockNumberSaysSoOnce() {
    SameDiff sd = ToyGraphs.buildDecoder(1);
    assertThatThrownBy(() -> LayerMap.builder()
            .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
            .blocks("h", 2, "t0_(.*)")
            .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD,
                List.of("fin_g", "fin_b", "readout"))
            .build(sd))
        .isInstanceOf(LayerMapException.class)
        .hasMessageContaining("has no %d for the block number")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("in both"));
  }

  @Test
  void trainingAConstantNamesTheRemedy() {
    SameDiffModel m = chain(3);
    m.graph().convertToConstants(List.of(m.graph().getVariable("l0_w")));
    assertThatThrownBy(() -> new AdamStepper(m, List.of("l0_w"), AdamSettings.of(1e-3)))
        .hasMessageContaining("'l0_w' is a CONSTANT")
        .hasMessageContaining("unfreezeAll()");
  }

  @Test
  void badLearningRatesAreRefusedNamingTheValue() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0.0, -1e-3}) {
      assertThatThrownBy(() -> AdamSettings.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("learning rate").hasMessageContaining(String.valueOf(bad));
    }
  }
}
