package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.model.Gpt2Config;
import dev.ablation.samediff.model.Gpt2Model;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weights in by name: into a separately built graph of the same layout, every mismatch named;
 * and the GPT-2 graph's layout, which the checkpoint loader relies on.
 */
class NamedWeightsTest {
  private static final Gpt2Config SMALL = new Gpt2Config(2, 16, 2, 8, 11, 8);

  private static Map<ParameterPath, INDArray> weights(SameDiffModel m) {
    Map<ParameterPath, INDArray> out = new LinkedHashMap<>();
    for (ParameterSpec s : m.layers().parameters()) {
      out.put(s.path(), m.graph().getVariable(s.variable()).getArr().dup());
    }
    return out;
  }

  @Test
  void theGpt2GraphHasGpt2sKeysShapesAndLayers() {
    SameDiffModel m = Gpt2Model.build(SMALL, DataType.FLOAT, 1);
    Map<String, List<Long>> layout = m.layers().layout().parameters().stream().collect(
        Collectors.toMap(p -> p.path().toString(), p -> p.shape(), (a, b) -> a,
            LinkedHashMap::new));
    assertThat(layout).containsExactlyEntriesOf(Gpt2Model.parameterShapes(SMALL));
    assertThat(m.layers().layout().layer(LayerPath.block("h", 1)).kind())
        .isEqualTo(LayerKind.BLOCK);
    assertThat(m.layers().layout().layer(LayerPath.parse("h.1.mlp")).kind())
        .isEqualTo(LayerKind.SUBLAYER);
    assertThat(m.layers().spec(ParameterPath.parse("h.0.attn.c_proj.weight")).kind())
        .isEqualTo(ParameterKind.OUTPUT_WEIGHT);
    assertThat(m.layers().spec(ParameterPath.parse("h.0.mlp.c_proj.bias")).kind())
        .isEqualTo(ParameterKind.OUTPUT_BIAS);
  }

  @Test
  void aSnapshotLoadsIntoASeparatelyBuiltGraphAndAShorterContextSeesTheSamePrefix() {
    SameDiffModel source = Gpt2Model.build(SMALL, DataType.FLOAT, 1);
    SameDiffModel target = Gpt2Model.build(SMALL.withContext(5), DataType.FLOAT, 2);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(source);
    WeightSnapshot snapshot = surgeon.snapshot();
    NamedWeights.load(target, snapshot);
    Map<ParameterPath, INDArray> a = weights(source);
    Map<ParameterPath, INDArray> b = weights(target);
    a.forEach((p, v) -> assertThat(b.get(p).equalsWithEps(v, 0.0)).as(p.toString()).isTrue());

    // causal, and wpe's first rows: the 5-position graph gives the 8-position one's first 5
    int[][] ids = {{1, 4, 2, 9, 0, 3, 3, 7}, {10, 0, 5, 5, 1, 2, 8, 6}};
    int[][] head = Arrays.stream(ids).map(r -> Arrays.copyOf(r, 5)).toArray(int[][]::new);
    INDArray full = logits(source, ids, 8);
    INDArray prefix = logits(target, head, 5);
    for (int i = 0; i < 2; i++) {
      for (int t = 0; t < 5; t++) {
        for (int v = 0; v < 11; v++) {
          assertThat(prefix.getDouble(i, t, v))
              .isCloseTo(full.getDouble(i, t, v), org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
    // the surgeon's restore keeps its identity check: the other graph's snapshot is refused
    SameDiffSurgeon other = SameDiffSurgeon.of(target);
    assertThatThrownBy(() -> other.restore(snapshot))
        .hasMessageContaining("taken from another graph");
  }

  private static INDArray logits(SameDiffModel m, int[][] ids, int t) {
    return m.graph().output(Map.of(ReferenceModel.TOKENS, Nd4j.createFromArray(ids),
        ReferenceModel.LABELS, Nd4j.zeros(DataType.FLOAT, ids.length * t, 11)),
        ReferenceModel.LOGITS).get(ReferenceModel.LOGITS);
  }

  @Test
  void everyMismatchIsNamedAndNothingIsWritten() {
    SameDiffModel m = Gpt2Model.build(SMALL, DataType.FLOAT, 1);
    Map<ParameterPath, INDArray> before = weights(m);
    Map<ParameterPath, INDArray> given = weights(Gpt2Model.build(SMALL, DataType.FLOAT, 3));
    given.remove(ParameterPath.parse("h.1.ln_2.bias"));
    given.put(ParameterPath.parse("h.0.mlp.c_fc.weight"), Nd4j.zeros(DataType.FLOAT, 16, 60));
    given.put(ParameterPath.parse("h.2.ln_1.weight"), Nd4j.ones(DataType.FLOAT, 16));
    assertThatThrownBy(() -> NamedWeights.load(m, given)).isInstanceOfSatisfying(
        CheckpointException.class, e -> assertThat(e.problems()).satisfiesExactly(
            p -> assertThat(p).isEqualTo("h.0.mlp.c_fc.weight has shape [16, 60], but the"
                + " model's is [16, 64]"),
            p -> assertThat(p).isEqualTo("missing h.1.ln_2.bias [16]"),
            p -> assertThat(p).startsWith("unexpected h.2.ln_1.weight [16]"),
            p -> assertThat(p).startsWith("the model's parameters are [")));
    before.forEach((p, v) -> assertThat(m.graph().getVariable(m.layers().variable(p)).getArr()
        .equalsWithEps(v, 0.0)).as(p.toString()).isTrue());
  }

  @Test
  void aSnapshotOfAnotherDepthNamesWhatDiffers() {
    SameDiffModel deep = Gpt2Model.build(new Gpt2Config(3, 16, 2, 8, 11, 8), DataType.FLOAT, 1);
    SameDiffModel m = Gpt2Model.build(SMALL, DataType.FLOAT, 1);
    assertThatThrownBy(() -> NamedWeights.load(m, SameDiffSurgeon.of(deep).snapshot()))
        .isInstanceOfSatisfying(CheckpointException.class, e -> assertThat(e.problems())
            .filteredOn(p -> p.startsWith("unexpected h.2.")).hasSize(12));
  }
}
