package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every block of the reference models exposes its sublayers ({@code blocks.i.attn},
 * {@code .mlp}, {@code .ln1}, …; {@code self_attn}/{@code cross_attn} in a decoder that
 * cross-attends) as layers of their own, and a wipe of one sublayer changes exactly the
 * parameters under its path — every one of them, and nothing else in the model.
 */
class SublayerWipePropertiesTest {

  @Property(tries = 12, seed = "20261129", shrinking = ShrinkingMode.BOUNDED)
  void wipingASublayerTouchesExactlyItsParameters(@ForAll("models") TransformerConfig config,
      @ForAll("schemes") ReinitScheme scheme, @ForAll long pick) {
    ReferenceModel m = ReferenceModel.build(config);
    Map<String, INDArray> theta0 = m.weights();
    // move every parameter away from both its init and its reset value (γ=1, β=0, zeros)
    Map<String, INDArray> moved = new LinkedHashMap<>();
    theta0.forEach((k, v) -> moved.put(k, Nd4j.rand(v.dataType(), v.shape()).addi(2)));
    m.setWeights(moved);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(m.model(), theta0);
    List<LayerPath> subs = surgeon.layout().layers().stream()
        .filter(l -> l.kind() == LayerKind.SUBLAYER).map(l -> l.path()).toList();
    assertFalse(subs.isEmpty());
    LayerPath sub = subs.get(Math.floorMod(pick, subs.size()));
    Map<String, INDArray> before = m.weights();
    surgeon.wipe(List.of(sub), scheme, 7);
    Map<String, INDArray> after = m.weights();
    Set<ParameterPath> changed = new TreeSet<>();
    for (ParameterPath p : surgeon.layout().parameterPaths()) {
      String v = m.layers().variable(p);
      if (!before.get(v).equals(after.get(v))) {
        changed.add(p);
      }
    }
    Set<ParameterPath> inside = new TreeSet<>();
    surgeon.layout().layer(sub).parameters().forEach(p -> inside.add(p.path()));
    for (ParameterPath p : surgeon.layout().parameterPaths()) {
      assertEquals(sub.contains(p), inside.contains(p), "layer " + sub + " declares " + p);
    }
    assertEquals(inside, changed, "wiping " + sub + " with " + scheme);
    assertTrue(sub.blockIndex().isPresent(), sub.toString());
  }

  @Property(tries = 1)
  void everyBlockHasItsSublayers() {
    ReferenceModel dec = ReferenceModel.build(TinyModels.decoder());
    List<String> paths = SameDiffSurgeon.of(dec.model()).layout().layers().stream()
        .filter(l -> l.kind() == LayerKind.SUBLAYER).map(l -> l.path().toString()).toList();
    assertEquals(new TreeSet<>(List.of("blocks.0.attn", "blocks.0.mlp", "blocks.0.ln1",
        "blocks.0.ln2", "blocks.1.attn", "blocks.1.mlp", "blocks.1.ln1", "blocks.1.ln2")),
        new TreeSet<>(paths));
  }

  @Provide
  Arbitrary<TransformerConfig> models() {
    return Arbitraries.of(TinyModels.decoder(), TinyModels.decoderPostLnTied(),
        TinyModels.encoder(), TinyModels.encoderDecoderWithProjection());
  }

  @Provide
  Arbitrary<ReinitScheme> schemes() {
    return Arbitraries.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(),
        ReinitScheme.zeroOutput());
  }
}
