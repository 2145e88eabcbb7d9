package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seed streams of issue 12: θ₀ and a FRESH wipe come from different streams of one
 * derivation, so FRESH differs from θ₀ in every randomly drawn parameter (not because two hash
 * functions happen to differ), and RESTORE_INITIAL is θ₀ bit for bit.
 */
class SeedStreamsTest {
  private static final long MASTER = 7;

  private static boolean constant(double[] v) {
    return Arrays.stream(v).distinct().count() == 1;
  }

  @Test
  void streamsAreDistinctAndReproducible() {
    Seeds s = Seeds.derivedFrom(MASTER);
    Set<Long> all = new HashSet<>(s.byKey().values());
    assertEquals(5, all.size(), "master and four streams, all different: " + s);
    assertEquals(s, Seeds.derivedFrom(MASTER));
    assertNotEquals(s.wipe(), Seeds.derivedFrom(MASTER + 1).wipe());
  }

  @Test
  void freshDiffersFromTheta0InEveryDrawnParameterAndRestoreInitialIsTheta0() {
    Seeds seeds = Seeds.derivedFrom(MASTER);
    ReferenceModel model = ReferenceModel.build(
        TransformerConfig.decoderOnly(2, 16, 2, 8, 8, seeds.originalInit()));
    WeightSnapshot theta0 = SameDiffSurgeon.of(model.model()).snapshot();
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model.model(), theta0);
    List<LayerPath> blocks = surgeon.layout().layersOf(LayerKind.BLOCK).stream()
        .map(l -> l.path()).toList();
    int drawn = 0;
    for (LayerPath block : blocks) {
      surgeon.wipe(block, ReinitScheme.fresh(), seeds.wipe());
      WeightSnapshot fresh = surgeon.snapshot();
      for (ParameterPath p : surgeon.layout().parametersOf(List.of(block))) {
        if (constant(theta0.values(p))) {
          // layer-norm gains and biases start at a constant in both: nothing to draw
          assertTrue(Bits.same(theta0.values(p), fresh.values(p)), p + " reset to its constant");
        } else {
          drawn++;
          double[] a = theta0.values(p);
          double[] b = fresh.values(p);
          long same = java.util.stream.IntStream.range(0, a.length).filter(i -> a[i] == b[i])
              .count();
          assertEquals(0, same, p + ": FRESH repeats " + same + " values of θ₀");
        }
      }
      surgeon.wipe(block, ReinitScheme.restoreInitial(), seeds.wipe());
      for (ParameterPath p : surgeon.layout().parametersOf(List.of(block))) {
        assertTrue(Bits.same(theta0.values(p), surgeon.snapshot().values(p)),
            p + " RESTORE_INITIAL is not θ₀ bit for bit");
      }
    }
    assertTrue(drawn >= 2 * blocks.size(), "drawn parameters checked: " + drawn);
  }

  @Test
  void oneDerivation_aFreshWipeWithTheInitStreamRedrawsTheta0() {
    // the reference model and the surgeon share Seeds.parameter: given θ₀'s own stream, FRESH
    // draws θ₀ again. This is why the wipe must take its own stream.
    Seeds seeds = Seeds.derivedFrom(MASTER);
    ReferenceModel model = ReferenceModel.build(
        TransformerConfig.decoderOnly(2, 16, 2, 8, 8, seeds.originalInit()));
    WeightSnapshot theta0 = SameDiffSurgeon.of(model.model()).snapshot();
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model.model(), theta0);
    LayerPath block = LayerPath.block(1);
    surgeon.wipe(block, ReinitScheme.fresh(), seeds.originalInit());
    Set<ParameterPath> changed = Bits.changed(theta0, surgeon.snapshot());
    assertFalse(surgeon.layout().parametersOf(List.of(block)).isEmpty());
    assertEquals(Set.of(), changed, "FRESH with θ₀'s stream should redraw θ₀ exactly");
  }
}
