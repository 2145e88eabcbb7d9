package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.Gpt2Config;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.recovery.Recovery;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The committed tiny GPT (fixtures/tiny-gpt, written by make_tiny_gpt.py in PyTorch the way
 * Hugging Face's GPT-2 is), loaded from each safetensors form: the logits and loss of the fixed
 * inputs match PyTorch's, then block {@code h.1} is wiped and retrained under
 * {@code onlyWiped} through {@code Recovery.builder}, every other weight bit-identical, and the
 * model put back exactly.
 */
class TinyGptFixturesTest {
  static final Path FIXTURES = Path.of("../fixtures/tiny-gpt");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The reference outputs PyTorch computed, with the model's config in the metadata. */
  record Reference(Safetensors file, Gpt2Config config) {
    static Reference load() throws Exception {
      Safetensors st = Safetensors.open(FIXTURES.resolve("tiny-gpt-reference.safetensors"));
      JsonNode c = JSON.readTree(st.header().metadata().get("config"));
      return new Reference(st, new Gpt2Config(c.get("n_layer").asInt(), c.get("n_embd").asInt(),
          c.get("n_head").asInt(), c.get("n_positions").asInt(), c.get("vocab_size").asInt(),
          c.get("n_positions").asInt()));
    }

    /** The fixed inputs and their one-hot next tokens, as a batch of the graph's placeholders. */
    Map<String, INDArray> placeholders() {
      INDArray ids = file.array("ids").castTo(DataType.INT32);
      INDArray targets = file.array("targets").castTo(DataType.INT32).reshape(-1);
      INDArray labels = Nd4j.zeros(DataType.FLOAT, targets.length(), config.vocab());
      for (int i = 0; i < targets.length(); i++) {
        labels.putScalar(i, targets.getInt(i), 1f);
      }
      return Map.of(ReferenceModel.TOKENS, ids, ReferenceModel.LABELS, labels);
    }
  }

  /** Max |Δlogit| within 1e-4 of the largest logit, loss within 1e-5 nats. */
  static void assertMatches(SameDiffModel model, Reference ref, String tag) {
    Map<String, INDArray> out = model.graph().output(ref.placeholders(), ReferenceModel.LOGITS,
        ReferenceModel.LOSS);
    INDArray expected = ref.file().array("logits_" + tag);
    INDArray logits = out.get(ReferenceModel.LOGITS);
    assertThat(logits.shape()).containsExactly(expected.shape());
    double worst = logits.sub(expected).amaxNumber().doubleValue();
    double scale = expected.amaxNumber().doubleValue();
    assertThat(worst).as("max |Δlogit| (%s), largest |logit| %s", tag, scale)
        .isLessThanOrEqualTo(1e-4 * scale);
    assertThat(out.get(ReferenceModel.LOSS).getDouble(0)).as("loss (%s)", tag)
        .isCloseTo(ref.file().array("loss_" + tag).getDouble(0),
            org.assertj.core.data.Offset.offset(1e-5));
  }

  static Map<ParameterPath, INDArray> weights(SameDiffModel m) {
    Map<ParameterPath, INDArray> out = new LinkedHashMap<>();
    for (ParameterSpec s : m.layers().parameters()) {
      out.put(s.path(), m.graph().getVariable(s.variable()).getArr().dup());
    }
    return out;
  }

  /**
   * Wipes {@code h.1} of {@code model} and retrains it alone for a few steps; checks the frozen
   * weights bit-identical at the end of training, the wiped ones changed, and the restore exact.
   */
  static RecoveryResult wipeAndHeal(SameDiffModel model, Gpt2Config config) {
    return wipeAndHeal(model, config, b -> b);
  }

  /**
   * As above, each batch of the reference models' placeholders handed to the model as
   * {@code feed} turns it into the model's own (an imported graph names its inputs itself).
   */
  static RecoveryResult wipeAndHeal(SameDiffModel model, Gpt2Config config,
      java.util.function.UnaryOperator<Batch> feed) {
    Split data = EuroparlText.load().split(64, 16, config.context() + 1, 35);
    ReferenceBatches batches = ReferenceBatches.of(config.asReference(), DataType.FLOAT);
    java.util.List<Batch> train = batches.batches(data.train(), 16).stream().map(feed).toList();
    java.util.List<Batch> validation = batches.batches(data.validation(), 16).stream()
        .map(feed).toList();
    Map<ParameterPath, INDArray> before = weights(model);
    LayerPath wiped = LayerPath.block("h", 1);
    Map<ParameterPath, Boolean> changed = new LinkedHashMap<>();
    RecoveryResult r = Recovery.builder(model)
        .wipe(wiped, ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.01), ReferenceCost.of(6400, 1, config.context()))
        .learningRate(3e-3)
        .freeze(FreezePolicy.onlyWiped())
        .budget(TrainingBudget.ofSteps(12))
        .evaluateEvery(4)
        .listener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult result) {
            weights(model).forEach((p, now) -> changed.put(p,
                !now.equalsWithEps(before.get(p), 0.0)));
          }
        })
        .build()
        .run(train, validation);
    changed.forEach((p, c) -> assertThat(c).as("%s changed while retraining h.1", p)
        .isEqualTo(p.isIn(wiped)));
    weights(model).forEach((p, now) -> assertThat(now.equalsWithEps(before.get(p), 0.0))
        .as("%s restored", p).isTrue());
    assertThat(r.spent().steps()).isEqualTo(12);
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal());
    return r;
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f16", "bf16"})
  void eachSafetensorsFormLoadsMatchesPyTorchAndHeals(String tag) throws Exception {
    Reference ref = Reference.load();
    Gpt2Checkpoint ckpt = Gpt2Checkpoint.read(FIXTURES.resolve("tiny-gpt-" + tag
        + ".safetensors"));
    assertThat(ckpt.sizes()).isEqualTo(new Gpt2Checkpoint.Gpt2Sizes(ref.config().nLayer(),
        ref.config().nEmbd(), ref.config().nPositions(), ref.config().vocab()));
    SameDiffModel model = ckpt.load(ckpt.config(ref.config().nHead(), ref.config().context()));
    assertMatches(model, ref, tag);
    wipeAndHeal(model, ref.config());
    assertMatches(model, ref, tag); // put back: PyTorch's logits again
  }
}
