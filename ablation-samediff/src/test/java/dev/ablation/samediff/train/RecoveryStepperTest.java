package dev.ablation.samediff.train;

import dev.ablation.api.Architecture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.model.NormPosition;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fast path (steps on the graph above the lowest trainable block, fed cached activations)
 * against the plain path (steps on the whole graph): same losses, same updates of the trainable
 * parameters, frozen parameters bit-identical, across architectures, cuts and a cache small
 * enough to evict.
 */
class RecoveryStepperTest {
  private static final AdamSettings ADAM = AdamSettings.of(1e-2);
  private static final int STEPS = 6;

  static TransformerConfig decoder() {
    return TransformerConfig.builder(Architecture.DECODER_ONLY)
        .nLayers(3).dModel(8).nHeads(2).dFf(12).vocab(7).context(5).seed(21).build();
  }

  static Stream<Arguments> cases() {
    TransformerConfig postLnTied = decoder().toBuilder().norm(NormPosition.POST_LN)
        .tiedEmbeddings(true).build();
    TransformerConfig encoder = TransformerConfig.builder(Architecture.ENCODER_ONLY)
        .nLayers(3).dModel(8).nHeads(2).dFf(12).vocab(7).context(5).seed(22).build();
    return Stream.of(
        Arguments.of(decoder(), List.of("blocks.2"), 2, RecoveryStepper.DEFAULT_CACHE_BYTES),
        Arguments.of(decoder(), List.of("blocks.1"), 1, RecoveryStepper.DEFAULT_CACHE_BYTES),
        // one batch's activations only: every other lookup recomputes after an eviction
        Arguments.of(decoder(), List.of("blocks.1", "blocks.2", "unembed"), 1, 5L * 8 * 4 * 4),
        Arguments.of(postLnTied, List.of("blocks.1"), 1, RecoveryStepper.DEFAULT_CACHE_BYTES),
        Arguments.of(encoder, List.of("blocks.2", "ln_final"), 2, 0L));
  }

  @ParameterizedTest(name = "{0} training {1}")
  @MethodSource("cases")
  void fastPathStepsLikeThePlainPath(TransformerConfig c, List<String> layers, int cut,
      long cacheBytes) {
    ReferenceModel plainModel = ReferenceModel.build(c);
    ReferenceModel fastModel = plainModel.copy();
    List<String> names = trainable(fastModel, layers);
    List<Batch> batches = ReferenceBatches.of(plainModel).batches(examples(c, 12, 5), 4);
    Map<String, INDArray> before = fastModel.weights();

    RecoveryStepper plain = RecoveryStepper.plain(plainModel.model(), names, ADAM);
    RecoveryStepper fast = RecoveryStepper.create(fastModel.model(), names, ADAM, cacheBytes);
    assertThat(fast.refusal()).isEmpty();
    assertThat(fast.cut()).hasValue(cut);
    assertThat(fast.parameterCount()).isEqualTo(plain.parameterCount());

    for (int i = 0; i < STEPS; i++) {
      Batch b = batches.get(i % batches.size());
      double expected = plain.tryStep(b);
      double actual = fast.tryStep(b);
      assertThat(actual).as("loss at step %d", i)
          .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(expected)));
    }
    // evaluation on the fast path (upper part, cached activations) = the whole model's loss
    double whole = new dev.ablation.samediff.LossEvaluator(fastModel.model()).meanLoss(batches);
    assertThat(fast.meanLoss(batches))
        .isCloseTo(whole, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(whole)));
    Map<String, INDArray> p = plainModel.weights();
    Map<String, INDArray> f = fastModel.weights();
    for (String v : f.keySet()) {
      if (names.contains(v)) {
        assertThat(f.get(v)).as("%s was updated", v).isNotEqualTo(before.get(v));
        double diff = f.get(v).sub(p.get(v)).amaxNumber().doubleValue();
        assertThat(diff).as("%s: fast vs plain", v).isLessThan(1e-5);
      } else {
        assertThat(f.get(v)).as("frozen %s", v).isEqualTo(before.get(v));
      }
    }
  }

  @Test
  void refusedWhenBlockZeroTrains() {
    ReferenceModel m = ReferenceModel.build(decoder());
    RecoveryStepper s = RecoveryStepper.create(m.model(), trainable(m, List.of("blocks.0")), ADAM);
    assertThat(s.cut()).isEmpty();
    assertThat(s.refusal()).hasValueSatisfying(r -> assertThat(r).contains("block 0 trains"));
  }

  @Test
  void splitPartsAreReusedAndAlwaysReadTheModelsArrays() {
    ReferenceModel m = ReferenceModel.build(decoder());
    var splitter = m.model().splitter().orElseThrow();
    var first = splitter.split(2);
    assertThat(splitter.split(2)).isSameAs(first);
    String w = "blocks/2/mlp/W_in";
    m.graph().getVariable(w).setArray(m.graph().getVariable(w).getArr().dup());
    // whether M2.1 replaced the array object or wrote into it, the parts must read the model's
    var rebuilt = splitter.split(2);
    assertThat(rebuilt.above().graph().getVariable(w).getArr())
        .isSameAs(m.graph().getVariable(w).getArr());
  }

  @Test
  void refusedWhenEmbeddingsTrain() {
    ReferenceModel m = ReferenceModel.build(decoder());
    Set<ParameterPath> all = FreezePolicy.allTrainable().resolve(m.layers().layout(),
        List.of(LayerPath.block(1)), 0);
    List<String> names = all.stream().map(p -> m.layers().variable(p)).toList();
    RecoveryStepper s = RecoveryStepper.create(m.model(), names, ADAM);
    assertThat(s.cut()).isEmpty();
    assertThat(s.refusal()).hasValueSatisfying(r -> assertThat(r)
        .contains("below every block").contains("embed/W_E"));
  }

  @Test
  void refusedForAGraphWithoutKnownBlocks() {
    ReferenceModel m = ReferenceModel.build(decoder());
    SameDiffModel user = new SameDiffModel(m.graph(), m.layers(), ReferenceModel.LOSS,
        Optional.of(ReferenceModel.LOGITS));
    RecoveryStepper s = RecoveryStepper.create(user, trainable(m, List.of("blocks.2")), ADAM);
    assertThat(s.refusal()).hasValueSatisfying(r -> assertThat(r).contains("block boundaries"));
  }

  @Test
  void refusedForAnEncoderDecoder() {
    ReferenceModel m = ReferenceModel.build(
        TransformerConfig.builder(Architecture.ENCODER_DECODER)
            .nLayers(2).dModel(8).nHeads(2).dFf(12).vocab(7).context(5).seed(23)
            .encoder(TransformerConfig.Encoder.of(1, 8, 2)).build());
    assertThat(m.model().splitter()).isEmpty();
    RecoveryStepper s = RecoveryStepper.create(m.model(),
        trainable(m, List.of("decoder.blocks.1")), ADAM);
    assertThat(s.refusal()).isPresent();
  }

  private static List<String> trainable(ReferenceModel m, List<String> layers) {
    Set<String> names = new LinkedHashSet<>();
    for (String l : layers) {
      for (ParameterPath p : FreezePolicy.onlyWiped().resolve(m.layers().layout(),
          List.of(LayerPath.parse(l)), 0)) {
        names.add(m.layers().variable(p));
      }
    }
    return List.copyOf(names);
  }

  private static List<Example> examples(TransformerConfig c, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int hi = c.architecture() == Architecture.ENCODER_ONLY
        ? c.vocab() - 1 : c.vocab();
    int len = c.architecture() == Architecture.ENCODER_ONLY
        ? c.context() : c.context() + 1;
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] t = new int[i == 0 ? 3 : len];
      for (int j = 0; j < t.length; j++) {
        t[j] = r.nextInt(hi);
      }
      out.add(Example.of(t));
    }
    return out;
  }
}
