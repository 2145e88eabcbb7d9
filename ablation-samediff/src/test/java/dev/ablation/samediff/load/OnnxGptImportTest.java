package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.OnnxModels;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.model.ReferenceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

/**
 * The committed PyTorch exports of the tiny GPT (fixtures/tiny-gpt, opsets 14 and 17), prepared
 * with {@link OnnxModels#prepareForImport} and imported with SameDiff's own ONNX importer
 * (M2.1): the imported graph computes PyTorch's logits and loss for the fixed inputs, and block
 * {@code h.1} of it is wiped and retrained through {@code Recovery.builder} with every other
 * weight bit-identical and the model put back exactly, as the safetensors path is
 * ({@link TinyGptFixturesTest}).
 */
class OnnxGptImportTest {
  /** The export's input: token ids {@code [batch, 32]}, INT64 as PyTorch writes it. */
  static final String IDS = "ids";

  @ParameterizedTest
  @ValueSource(ints = {14, 17})
  void thePreparedExportImportsComputesPyTorchsLogitsAndHeals(int opset, @TempDir Path dir)
      throws Exception {
    TinyGptFixturesTest.Reference ref = TinyGptFixturesTest.Reference.load();
    Path prepared = dir.resolve("prepared.onnx");
    Files.write(prepared, OnnxModels.prepareForImport(Files.readAllBytes(
        TinyGptFixturesTest.FIXTURES.resolve("tiny-gpt-opset" + opset + ".onnx"))));
    Map<String, INDArray> fixed = feed(ref.placeholders());
    SameDiff sd = new OnnxFrameworkImporter().runImport(prepared.toString(),
        Map.of(IDS, fixed.get(IDS)), false);
    withLoss(sd, ref.config().vocab());

    SameDiffModel model = new SameDiffModel(sd, layerMap(sd), ReferenceModel.LOSS,
        Optional.of(ReferenceModel.LOGITS));
    assertMatches(sd, fixed, ref);
    TinyGptFixturesTest.wipeAndHeal(model, ref.config(), OnnxGptImportTest::feed);
    assertMatches(sd, fixed, ref); // put back: PyTorch's logits again
  }

  /** PyTorch's f32 logits to 1e-4 of the largest, its loss to 1e-5 nats. */
  private static void assertMatches(SameDiff sd, Map<String, INDArray> in,
      TinyGptFixturesTest.Reference ref) {
    Map<String, INDArray> out = sd.output(in, ReferenceModel.LOGITS, ReferenceModel.LOSS);
    INDArray expected = ref.file().array("logits_f32");
    INDArray logits = out.get(ReferenceModel.LOGITS);
    assertThat(logits.shape()).containsExactly(expected.shape());
    double worst = logits.sub(expected).amaxNumber().doubleValue();
    double scale = expected.amaxNumber().doubleValue();
    assertThat(worst).as("max |Δlogit|, largest |logit| %s", scale)
        .isLessThanOrEqualTo(1e-4 * scale);
    assertThat(out.get(ReferenceModel.LOSS).getDouble(0)).as("loss")
        .isCloseTo(ref.file().array("loss_f32").getDouble(0),
            org.assertj.core.data.Offset.offset(1e-5));
  }

  /**
   * The training loss added to the imported graph (the export holds the forward pass only):
   * the reference models' mean cross-entropy over the one-hot {@code labels}
   * {@code [batch·pos, vocab]}.
   */
  private static void withLoss(SameDiff sd, int vocab) {
    // M2.1's importer returns the graph in eager mode, which runs each new op as it is added:
    // an op on a placeholder then fails ("No variable found for the given input variables")
    assertThat(sd.isEagerMode()).as("eager mode after import").isTrue();
    sd.disableEagerMode();
    SDVariable labels = sd.placeHolder(ReferenceModel.LABELS, DataType.FLOAT, -1, vocab);
    SDVariable logits2d = sd.reshape(sd.getVariable(ReferenceModel.LOGITS), -1, vocab);
    labels.mul(sd.nn().logSoftmax(logits2d)).sum().neg().div(ReferenceModel.LOSS, labels.sum());
    sd.setLossVariables(ReferenceModel.LOSS);
  }

  /**
   * The export's weights, held as constants, under PyTorch's names: {@code wte}, {@code wpe},
   * blocks {@code h.0}, {@code h.1} and {@code ln_f}. The export writes the tied output head as
   * a constant of its own ({@code onnx::MatMul_328}, {@code wte}ᵀ): it stays unmapped (frozen).
   */
  private static LayerMap layerMap(SameDiff sd) {
    return LayerMap.builder().includeConstants()
        .layerMatching(LayerPath.parse("wte"), LayerKind.EMBEDDING, "wte\\.(weight)")
        .layerMatching(LayerPath.parse("wpe"), LayerKind.EMBEDDING, "wpe\\.(weight)")
        .blocks("h", 2, "h\\.%d\\.(.*)")
        .layerMatching(LayerPath.parse("ln_f"), LayerKind.HEAD, "ln_f\\.(.*)")
        .kind("(h\\.\\d+\\.ln_\\d|ln_f)\\.weight", ParameterKind.NORM_GAIN)
        .kind("(h\\.\\d+\\.ln_\\d|ln_f)\\.bias", ParameterKind.NORM_BIAS)
        .kind("h\\.\\d+\\.(attn|mlp)\\.c_proj\\.weight", ParameterKind.OUTPUT_WEIGHT)
        .kind("h\\.\\d+\\.(attn|mlp)\\.c_proj\\.bias", ParameterKind.OUTPUT_BIAS)
        .build(sd);
  }

  /** The reference models' placeholders as the export's: the token ids as INT64 {@code ids}. */
  private static Map<String, INDArray> feed(Map<String, INDArray> placeholders) {
    Map<String, INDArray> out = new HashMap<>(placeholders);
    out.put(IDS, out.remove(ReferenceModel.TOKENS).castTo(DataType.INT64));
    return out;
  }

  private static Batch feed(Batch b) {
    return new Batch(feed(b.placeholders()), b.examples(), b.tokens(), b.labelMask());
  }
}
