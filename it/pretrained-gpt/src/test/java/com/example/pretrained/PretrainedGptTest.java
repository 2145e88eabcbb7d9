package com.example.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.OnnxModels;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.load.Gpt2Checkpoint;
import dev.ablation.samediff.load.Safetensors;
import dev.ablation.samediff.model.Gpt2Config;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

/**
 * My PyTorch model, its recovery measured in SameDiff. The model: a small GPT trained in
 * PyTorch and written the way Hugging Face's GPT-2 is (the ablation repository's
 * fixtures/tiny-gpt, which the build passes as {@code tinyGpt.dir}). It comes in both ways a
 * PyTorch user has one — the state dict saved as safetensors, and {@code torch.onnx.export} —
 * and each must compute PyTorch's own logits and loss for the fixed inputs PyTorch saved with
 * them. Then block {@code h.1} is wiped with {@code FRESH} and retrained alone for a few steps:
 * every other weight stays bit-identical, and the model is put back exactly.
 */
class PretrainedGptTest {
  static final Path FIXTURES = Path.of(System.getProperty("tinyGpt.dir", "fixtures/tiny-gpt"));
  /** From the model's config.json (shapes do not fix the head count). */
  static final Gpt2Config CONFIG = new Gpt2Config(2, 64, 4, 32, EuroparlText.VOCAB, 32);
  static final LayerPath WIPED = LayerPath.block("h", 1);
  /** The training PyTorch did (400 steps of 32 windows): the reference for ρ. */
  static final ReferenceCost ORIGINAL = ReferenceCost.of(400L * 32, 1, CONFIG.context());
  static final int STEPS = 8;

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f16"})
  void safetensorsCheckpointMatchesPyTorchAndHeals(String type) {
    Gpt2Checkpoint checkpoint = Gpt2Checkpoint.read(
        FIXTURES.resolve("tiny-gpt-" + type + ".safetensors"));
    SameDiffModel model = checkpoint.load(checkpoint.config(CONFIG.nHead(), CONFIG.context()));
    Map<String, INDArray> fixed = fixedBatch().placeholders();

    assertMatchesPyTorch(model.graph(), fixed, type);
    wipeAndHeal(model, batch -> batch);
    assertMatchesPyTorch(model.graph(), fixed, type); // put back: PyTorch's logits again
  }

  @Test
  void onnxExportMatchesPyTorchAndHeals(@TempDir Path dir) throws Exception {
    Path prepared = dir.resolve("prepared.onnx");
    Files.write(prepared, OnnxModels.prepareForImport(
        Files.readAllBytes(FIXTURES.resolve("tiny-gpt-opset14.onnx"))));
    Map<String, INDArray> fixed = asExportInputs(fixedBatch()).placeholders();
    SameDiff sd = new OnnxFrameworkImporter().runImport(prepared.toString(),
        Map.of("ids", fixed.get("ids")), false);
    sd.disableEagerMode(); // the importer hands the graph back in eager mode
    addLoss(sd);
    SameDiffModel model = new SameDiffModel(sd, layerMap(sd), "loss", Optional.of("logits"));

    assertMatchesPyTorch(sd, fixed, "f32");
    wipeAndHeal(model, PretrainedGptTest::asExportInputs);
    assertMatchesPyTorch(sd, fixed, "f32");
  }

  /**
   * Wipes {@code h.1} with {@code FRESH} and retrains it alone ({@code onlyWiped}) for
   * {@value #STEPS} steps on Europarl windows, each batch handed to the model through
   * {@code feed}; checks that only {@code h.1} moved and that the run put the model back.
   */
  static RecoveryResult wipeAndHeal(SameDiffModel model, UnaryOperator<Batch> feed) {
    Split data = EuroparlText.load().split(64, 16, CONFIG.context() + 1, 35);
    ReferenceBatches batches = ReferenceBatches.of(CONFIG.asReference(), DataType.FLOAT);
    List<Batch> train = batches.batches(data.train(), 16).stream().map(feed).toList();
    List<Batch> validation = batches.batches(data.validation(), 16).stream().map(feed).toList();

    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model);
    WeightSnapshot before = surgeon.snapshot();
    List<WeightSnapshot> retrained = new ArrayList<>();
    RecoveryResult r = Recovery.builder(surgeon)
        .wipe(WIPED, ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped())
        .target(RecoveryCriterion.withinNats(0.01), ORIGINAL)
        .learningRate(3e-3)
        .budget(TrainingBudget.ofSteps(STEPS))
        .evaluateEvery(4)
        .seed(35)
        .listener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult result) {
            retrained.add(surgeon.snapshot()); // run() puts the model back after this
          }
        })
        .build()
        .run(train, validation);

    WeightSnapshot after = retrained.get(0);
    WeightSnapshot restored = surgeon.snapshot();
    for (ParameterPath p : surgeon.layout().parameterPaths()) {
      if (p.isIn(WIPED)) {
        assertFalse(Arrays.equals(before.values(p), after.values(p)), p + " was not retrained");
      } else {
        assertArrayEquals(before.values(p), after.values(p), p + " changed while h.1 trained");
      }
      assertArrayEquals(before.values(p), restored.values(p), p + " not restored");
    }
    assertTrue(r.damage().lossAfterWipe() > r.damage().lossOriginal(), "the wipe did no damage");
    assertTrue(r.spent().steps() > 0 && r.spent().steps() <= STEPS, "steps " + r.spent());
    System.out.println("pretrained-gpt: " + r.verdict() + " after " + r.spent().steps()
        + " steps, loss " + r.damage().lossOriginal() + " before the wipe, "
        + r.damage().lossAfterWipe() + " after it");
    return r;
  }

  /** PyTorch's logits to 1e-4 of the largest, its loss to 1e-5 nats. */
  static void assertMatchesPyTorch(SameDiff sd, Map<String, INDArray> inputs, String type) {
    Safetensors reference = Safetensors.open(FIXTURES.resolve("tiny-gpt-reference.safetensors"));
    Map<String, INDArray> out = sd.output(inputs, "logits", "loss");
    INDArray expected = reference.array("logits_" + type);
    INDArray logits = out.get("logits");
    assertArrayEquals(expected.shape(), logits.shape(), "logits shape");
    double worst = logits.sub(expected).amaxNumber().doubleValue();
    double largest = expected.amaxNumber().doubleValue();
    assertTrue(worst <= 1e-4 * largest, () -> type + ": max |Δlogit| " + worst
        + " against PyTorch's, whose largest |logit| is " + largest);
    assertEquals(reference.array("loss_" + type).getDouble(0), out.get("loss").getDouble(0),
        1e-5, type + ": loss against PyTorch's");
  }

  /** The 4 windows PyTorch computed its reference on: ids, then the next token of the last. */
  static Batch fixedBatch() {
    Safetensors reference = Safetensors.open(FIXTURES.resolve("tiny-gpt-reference.safetensors"));
    INDArray ids = reference.array("ids");
    INDArray targets = reference.array("targets");
    List<Example> windows = new ArrayList<>();
    for (int i = 0; i < ids.rows(); i++) {
      int[] w = new int[CONFIG.context() + 1];
      for (int p = 0; p < CONFIG.context(); p++) {
        w[p] = ids.getInt(i, p);
      }
      w[CONFIG.context()] = targets.getInt(i, CONFIG.context() - 1);
      windows.add(Example.of(w));
    }
    return ReferenceBatches.of(CONFIG.asReference(), DataType.FLOAT).batch(windows);
  }

  /** The export's input is the token ids as INT64, named {@code ids} (its argument's name). */
  static Batch asExportInputs(Batch b) {
    Map<String, INDArray> in = new HashMap<>(b.placeholders());
    in.put("ids", in.remove("tokens").castTo(DataType.INT64));
    return new Batch(in, b.examples(), b.tokens(), b.labelMask());
  }

  /**
   * The export holds the forward pass only: the training loss added to it, the mean
   * cross-entropy per predicted token over one-hot {@code labels} {@code [batch·pos, vocab]}.
   */
  static void addLoss(SameDiff sd) {
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, -1, CONFIG.vocab());
    SDVariable logits = sd.reshape(sd.getVariable("logits"), -1, CONFIG.vocab());
    labels.mul(sd.nn().logSoftmax(logits)).sum().neg().div("loss", labels.sum());
    sd.setLossVariables("loss");
  }

  /**
   * The export's weights, held as constants under PyTorch's names. The tied output head comes
   * out as a constant of its own ({@code wte}ᵀ): left unmapped, so it stays as it is.
   */
  static LayerMap layerMap(SameDiff sd) {
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
}
