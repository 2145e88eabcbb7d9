package com.example.nativealone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ND4J's documentation says to add {@code nd4j-native} for the CPU backend, and nothing else.
 * Under the ablation BOM that must bring its default native build along: a BOM that excluded it
 * left {@code UnsatisfiedLinkError: no jnind4jcpu} at the first array.
 */
class NativeAloneTest {

  @Test
  void nd4jNativeAloneLoadsTheDefaultBuildAndRunsAModel() {
    // the first native call: this is where the missing build failed
    ReferenceModel model = ReferenceModel.build(TransformerConfig.decoderOnly(1, 8, 2, 5, 4, 1));
    assertEquals("linux-x86_64", SameDiffEnvironment.nativeBuild(),
        "the default native build of nd4j-native, from the BOM");

    List<Batch> batches = ReferenceBatches.of(model).batches(List.of(
        Example.of(new int[] {0, 1, 2, 3, 4}), Example.of(new int[] {4, 3, 2, 1, 0})), 2);
    double loss = model.graph().output(batches.get(0).placeholders(), ReferenceModel.LOSS)
        .get(ReferenceModel.LOSS).getDouble(0);
    assertTrue(Double.isFinite(loss) && loss > 0, () -> "loss " + loss);
    System.out.println("native-alone: " + SameDiffEnvironment.backend() + ", loss " + loss);
  }
}
