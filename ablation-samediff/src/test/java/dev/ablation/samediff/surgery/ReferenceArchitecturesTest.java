package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Surgery;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Damage;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every scheme and every policy on each reference architecture and on the foreign graph. */
class ReferenceArchitecturesTest {

  static Stream<ChainSubject> subjects() {
    return Stream.of(ReferenceSubjects.decoderOnly(), ReferenceSubjects.encoderOnly(),
        ReferenceSubjects.encoderDecoder(), ReferenceSubjects.postLnTiedDecoder(),
        ChainSubject.of("foreign decoder", ToyGraphs.foreignDecoder(8)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void everySchemeOnTheLastBlock(ChainSubject s) {
    SameDiffSurgeon theta0Taker = SameDiffSurgeon.of(s.model());
    WeightSnapshot theta0 = theta0Taker.snapshot();
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(s.model(), theta0);
    trainAll(surgeon, s, 2);
    List<LayerPath> blocks = surgeon.layout().layersOf(LayerKind.BLOCK).stream()
        .map(l -> l.path()).toList();
    LayerPath last = blocks.get(blocks.size() - 1);
    LayerPath source = s.copySources().get(last);
    List<ReinitScheme> schemes = List.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(),
        ReinitScheme.zeroOutput(), ReinitScheme.shrinkPerturb(0.8, 0.05),
        ReinitScheme.copyFrom(source));
    List<Batch> validation = List.of(s.batches().apply(500));
    for (ReinitScheme scheme : schemes) {
      WeightSnapshot before = surgeon.snapshot();
      Surgery surgery = surgeon.wipe(last, scheme, 3);
      Set<ParameterPath> changed = Bits.changed(before, surgeon.snapshot());
      Set<ParameterPath> allowed = surgeon.layout().parametersOf(List.of(last));
      assertTrue(allowed.containsAll(changed), s + " " + scheme + " changed " + changed);
      assertFalse(changed.isEmpty(), s + " " + scheme + " changed nothing");
      Damage d = StepZeroDamage.measure(surgeon, List.of(last), before, validation);
      assertTrue(Double.isFinite(d.lossAfterWipe()), d.toString());
      assertTrue(d.fidelity().isPresent());
      if (scheme instanceof ReinitScheme.ZeroOutput && s.identityTargets().contains(List.of(last))) {
        assertEquals(d.lossDeleted().orElseThrow(), d.lossAfterWipe(), 0, s + " identity");
      }
      surgery.undo();
      assertEquals(Set.of(), Bits.changed(before, surgeon.snapshot()), s + " undo " + scheme);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void everyPolicyKeepsFrozenParametersBitIdentical(ChainSubject s) {
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(s.model());
    LayerPath first = surgeon.layout().layersOf(LayerKind.BLOCK).get(0).path();
    surgeon.wipe(first, ReinitScheme.fresh(), 1);
    List<FreezePolicy> policies = List.of(FreezePolicy.onlyWiped(),
        FreezePolicy.wipedPlusLayerNorms(), FreezePolicy.wipedPlusNeighbours(1),
        FreezePolicy.wipedPlusHead(), FreezePolicy.allTrainable(),
        FreezePolicy.matching("attnOnly", p -> p.toString().contains("attn")),
        FreezePolicy.onlyWiped().thenAfter(1, FreezePolicy.allTrainable()));
    for (FreezePolicy policy : policies) {
      Set<ParameterPath> trainable = surgeon.freeze(policy, List.of(first), 0);
      assertEquals(trainable, surgeon.trainable());
      WeightSnapshot frozenAt = surgeon.snapshot();
      trainAll(surgeon, s, 1);
      Set<ParameterPath> changed = Bits.changed(frozenAt, surgeon.snapshot());
      assertTrue(trainable.containsAll(changed), s + " " + policy.key() + " moved frozen "
          + changed);
      assertFalse(changed.isEmpty(), s + " " + policy.key() + " trained nothing");
    }
    surgeon.unfreezeAll();
  }

  private static void trainAll(SameDiffSurgeon surgeon, ChainSubject s, int steps) {
    AdamStepper adam = new AdamStepper(s.model(), surgeon.trainableVariables(),
        AdamSettings.of(1e-2));
    for (int i = 0; i < steps; i++) {
      adam.step(s.batches().apply(i));
    }
  }
}
