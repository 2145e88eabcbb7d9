package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class SaveLoadTest {
  @TempDir Path dir;

  static java.util.List<TransformerConfig> configs() {
    return java.util.List.of(TinyModels.decoder(), TinyModels.encoder(),
        TinyModels.encoderDecoderWithProjection());
  }

  @ParameterizedTest
  @MethodSource("configs")
  void saveThenLoadGivesBitIdenticalOutputsAndTheSameLayerMap(TransformerConfig config)
      throws IOException {
    ReferenceModel m = ReferenceModel.build(config);
    Batch b = ReferenceBatches.of(m).batch(TinyModels.examples(config, 4, 3));
    // trained weights, not the seed's: load must not just rebuild from the config
    AdamStepper s = new AdamStepper(m.model(), m.parameterVariables(), AdamSettings.of(0.01));
    s.step(b);
    s.step(b);
    INDArray before = m.graph().output(b.placeholders(), ReferenceModel.LOGITS)
        .get(ReferenceModel.LOGITS);
    assertNotEquals(ReferenceModel.build(config).weights(), m.weights());
    ReferenceModelFiles.save(m, dir);
    ReferenceModel loaded = ReferenceModelFiles.load(dir);
    INDArray after = loaded.graph().output(b.placeholders(), ReferenceModel.LOGITS)
        .get(ReferenceModel.LOGITS);
    assertEquals(before, after);
    assertEquals(m.weights(), loaded.weights());
    assertEquals(m.layers().layout(), loaded.layers().layout());
    assertEquals(m.layers().parameters(), loaded.layers().parameters());
    assertEquals(config, loaded.config());
    // and the loaded model trains on its own
    new AdamStepper(loaded.model(), loaded.parameterVariables(), AdamSettings.of(0.01)).step(b);
    assertEquals(before, m.graph().output(b.placeholders(), ReferenceModel.LOGITS)
        .get(ReferenceModel.LOGITS));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void copyIsIndependent(TransformerConfig config) {
    ReferenceModel m = ReferenceModel.build(config);
    ReferenceModel c = m.copy();
    assertEquals(m.weights(), c.weights());
    Batch b = ReferenceBatches.of(m).batch(TinyModels.examples(config, 2, 4));
    var same = new LossEvaluator(c.model()).fidelity(m.model(), java.util.List.of(b));
    assertEquals(1.0, same.top1Agreement());
    assertEquals(0.0, same.klToOriginal());
    AdamStepper s = new AdamStepper(c.model(), c.parameterVariables(), AdamSettings.of(0.05));
    for (int i = 0; i < 5; i++) {
      s.step(b);
    }
    assertNotEquals(m.weights(), c.weights());
    org.junit.jupiter.api.Assertions.assertTrue(
        new LossEvaluator(c.model()).fidelity(m.model(), java.util.List.of(b)).klToOriginal() > 0);
    assertEquals(ReferenceModel.build(config).weights(), m.weights());
  }

  @org.junit.jupiter.api.Test
  void loadFromAnEmptyDirectorySaysWhatIsMissing() {
    IOException e = assertThrows(IOException.class, () -> ReferenceModelFiles.load(dir));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("model.fb"));
  }
}
