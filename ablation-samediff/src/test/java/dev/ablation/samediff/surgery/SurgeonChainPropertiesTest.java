package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Surgery;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The library's promise as a stateful property: any chain of wipe, freeze, unfreeze, train,
 * snapshot, restore and undo keeps frozen parameters bit-identical, changes only what a wipe
 * asks for, restores exactly, makes ZERO_OUTPUT equal to deletion, and never changes the
 * parameters' number or shapes. Few tries, tiny models, pinned seeds.
 */
class SurgeonChainPropertiesTest {

  @Property(tries = 3, seed = "20261127", shrinking = ShrinkingMode.BOUNDED)
  void foreignDecoderChain(@ForAll("foreignDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 3, seed = "20261128", shrinking = ShrinkingMode.BOUNDED)
  void encoderDecoderChain(@ForAll("encoderDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 2, seed = "20261129", shrinking = ShrinkingMode.BOUNDED)
  void referenceDecoderOnlyChain(@ForAll("referenceDecoderOnly") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 2, seed = "20261130", shrinking = ShrinkingMode.BOUNDED)
  void referenceEncoderOnlyChain(@ForAll("referenceEncoderOnly") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 2, seed = "20261132", shrinking = ShrinkingMode.BOUNDED)
  void referencePostLnTiedDecoderChain(
      @ForAll("referencePostLnTiedDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Provide
  Arbitrary<ActionChain<Harness>> referencePostLnTiedDecoder() {
    return chains(ReferenceSubjects::postLnTiedDecoder);
  }

  @Property(tries = 2, seed = "20261131", shrinking = ShrinkingMode.BOUNDED)
  void referenceEncoderDecoderChain(
      @ForAll("referenceEncoderDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Provide
  Arbitrary<ActionChain<Harness>> referenceDecoderOnly() {
    return chains(ReferenceSubjects::decoderOnly);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> referenceEncoderOnly() {
    return chains(ReferenceSubjects::encoderOnly);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> referenceEncoderDecoder() {
    return chains(ReferenceSubjects::encoderDecoder);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> foreignDecoder() {
    return chains(() -> ChainSubject.of("foreign decoder", ToyGraphs.foreignDecoder(5)));
  }

  @Provide
  Arbitrary<ActionChain<Harness>> encoderDecoder() {
    return chains(() -> ChainSubject.of("encoder-decoder", ToyGraphs.encoderDecoder(6)));
  }

  static Arbitrary<ActionChain<Harness>> chains(Supplier<ChainSubject> subject) {
    return ActionChain.<Harness>startWith(() -> new Harness(subject.get()))
        .withAction(4, new Wipe())
        .withAction(3, new Freeze())
        .withAction(1, Action.just("unfreeze", Transformer.mutate("unfreeze", Harness::unfreeze)))
        .withAction(3, new Train())
        .withAction(2, Action.just("snapshot", Transformer.mutate("snapshot", Harness::save)))
        .withAction(2, new Restore())
        .withAction(1, new Undo())
        .withMaxTransformations(12);
  }

  /** The model under test and what the checks need to remember. */
  static final class Harness {
    final ChainSubject subject;
    final SameDiff sd;
    final SameDiffSurgeon surgeon;
    final Batch probe;
    final Map<ParameterPath, List<Long>> shapes = new LinkedHashMap<>();
    final Map<ParameterPath, double[]> frozenValues = new LinkedHashMap<>();
    List<LayerPath> lastWiped = List.of();
    WeightSnapshot saved;
    WeightSnapshot preWipe;
    Surgery lastSurgery;
    long trainSeed = 1000;

    Harness(ChainSubject subject) {
      this.subject = subject;
      this.sd = subject.model().graph();
      WeightSnapshot theta0 = SameDiffSurgeon.of(subject.model()).snapshot();
      this.surgeon = SameDiffSurgeon.of(subject.model(), theta0);
      this.probe = subject.batches().apply(99);
      for (ParameterInfo p : surgeon.layout().parameters()) {
        shapes.put(p.path(), p.shape());
      }
      train(2, false); // start from a trained model, as the study does
      recordFrozen();
    }

    @Override
    public String toString() {
      return subject.name();
    }

    void recordFrozen() {
      frozenValues.clear();
      WeightSnapshot now = surgeon.snapshot();
      for (ParameterPath p : now.parameters()) {
        if (!now.trainable().contains(p)) {
          frozenValues.put(p, now.values(p));
        }
      }
    }

    void checkInvariants() {
      // parameter count and shapes never change; no parameter appears or vanishes
      int graphParams = 0;
      for (SDVariable v : sd.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE) {
          graphParams++;
          assertTrue(subject.model().layers().byVariable().containsKey(v.name()),
              "a new trainable variable appeared: " + v.name());
        }
      }
      int mappedVariables = 0;
      for (ParameterSpec s : subject.model().layers().parameters()) {
        SDVariable v = sd.getVariable(s.variable());
        if (v.getVariableType() == VariableType.VARIABLE) {
          mappedVariables++;
        }
        assertEquals(shapes.get(s.path()), toList(v.getArr().shape()), s.path() + " shape");
      }
      assertEquals(graphParams, mappedVariables);
      assertEquals(shapes.size(), subject.model().layers().parameters().size());
      // every frozen parameter is bit-identical to its value when frozen
      WeightSnapshot now = surgeon.snapshot();
      assertEquals(frozenValues.keySet(), minus(shapes.keySet(), now.trainable()),
          "frozen set drifted");
      for (Map.Entry<ParameterPath, double[]> e : frozenValues.entrySet()) {
        assertTrue(Bits.same(e.getValue(), now.values(e.getKey())),
            "frozen parameter " + e.getKey() + " changed");
      }
    }

    void wipe(List<LayerPath> layers, ReinitScheme scheme, long seed) {
      WeightSnapshot before = surgeon.snapshot();
      INDArray deleted = null;
      boolean identity = scheme instanceof ReinitScheme.ZeroOutput
          && subject.identityTargets().contains(layers);
      if (identity) {
        deleted = logitsWithOutputsZeroed(layers);
        assertEquals(Set.of(), Bits.changed(before, surgeon.snapshot()), "deletion leaked");
      }
      Surgery s = surgeon.wipe(layers, scheme, seed);
      WeightSnapshot after = surgeon.snapshot();
      Set<ParameterPath> allowed = surgeon.layout().parametersOf(layers);
      Set<ParameterPath> changed = Bits.changed(before, after);
      assertTrue(allowed.containsAll(changed), "wipe of " + layers + " changed "
          + minus(changed, allowed));
      assertEquals(before.trainable(), after.trainable(), "a wipe changed the trainable set");
      if (identity) {
        assertEquals(deleted, logits(), "ZERO_OUTPUT differs from the deleted layer");
      }
      preWipe = before;
      lastSurgery = s;
      lastWiped = layers;
      recordFrozen(); // a wipe may rewrite frozen parameters: that is surgery, not training
    }

    private INDArray logitsWithOutputsZeroed(List<LayerPath> layers) {
      List<INDArray> live = new ArrayList<>();
      List<INDArray> saved = new ArrayList<>();
      for (LayerPath l : layers) {
        for (ParameterInfo p : surgeon.layout().layer(l).parameters()) {
          if (p.kind().isOutput()) {
            INDArray a = sd.getVariable(subject.model().layers().variable(p.path())).getArr();
            live.add(a);
            saved.add(a.dup());
          }
        }
      }
      live.forEach(a -> a.assign(0));
      INDArray out = logits();
      for (int i = 0; i < live.size(); i++) {
        live.get(i).assign(saved.get(i));
      }
      return out;
    }

    INDArray logits() {
      String l = subject.model().logitsVariable().orElseThrow();
      return sd.output(probe.placeholders(), l).get(l).dup();
    }

    void freeze(FreezePolicy policy, List<LayerPath> wiped) {
      WeightSnapshot before = surgeon.snapshot();
      Set<ParameterPath> t = surgeon.freeze(policy, wiped, 0);
      assertEquals(policy.resolve(surgeon.layout(), wiped, 0), t);
      assertEquals(t, surgeon.trainable());
      assertEquals(Set.of(), Bits.changed(before, surgeon.snapshot()), "freezing moved values");
      assertEquals(0, sd.getTrainingConfig() == null ? 0
          : sd.getTrainingConfig().getIterationCount(), "optimiser not fresh");
      recordFrozen();
    }

    void unfreeze() {
      WeightSnapshot before = surgeon.snapshot();
      surgeon.unfreezeAll();
      assertEquals(surgeon.layout().parameterPaths(), surgeon.trainable());
      assertEquals(Set.of(), Bits.changed(before, surgeon.snapshot()));
      recordFrozen();
    }

    void train(int k, boolean ownLoop) {
      WeightSnapshot before = surgeon.snapshot();
      if (ownLoop) {
        // the recovery loop's way: a fresh Adam over exactly the trainable variables
        AdamStepper adam = new AdamStepper(subject.model(), surgeon.trainableVariables(),
            AdamSettings.of(1e-2));
        for (int i = 0; i < k; i++) {
          adam.step(subject.batches().apply(trainSeed++));
        }
        assertFalse(Bits.changed(before, surgeon.snapshot()).isEmpty(), "training moved nothing");
        return;
      }
      if (sd.getTrainingConfig() == null) {
        sd.setTrainingConfig(TrainingConfig.builder()
            .updater(new Adam(1e-2))
            .weightDecay(1e-2, true)
            .dataSetFeatureMapping(subject.features().toArray(new String[0]))
            .dataSetLabelMapping(subject.labels().toArray(new String[0]))
            .build());
      }
      for (int i = 0; i < k; i++) {
        Batch b = subject.batches().apply(trainSeed++);
        INDArray[] f = subject.features().stream().map(n -> b.placeholders().get(n))
            .toArray(INDArray[]::new);
        INDArray[] l = subject.labels().stream().map(n -> b.placeholders().get(n))
            .toArray(INDArray[]::new);
        sd.fit(new MultiDataSet(f, l));
      }
      assertFalse(Bits.changed(before, surgeon.snapshot()).isEmpty(), "training moved nothing");
    }

    void save() {
      saved = surgeon.snapshot();
    }

    void restore() {
      surgeon.restore(saved);
      WeightSnapshot now = surgeon.snapshot();
      assertEquals(Set.of(), Bits.changed(saved, now), "restore is not exact");
      assertEquals(saved.trainable(), now.trainable(), "restore lost the trainable set");
      recordFrozen();
    }

    void undo() {
      lastSurgery.undo();
      WeightSnapshot now = surgeon.snapshot();
      assertEquals(Set.of(), Bits.changed(preWipe, now), "undo is not exact");
      assertEquals(preWipe.trainable(), now.trainable());
      lastSurgery = null;
      recordFrozen();
    }

    private static List<Long> toList(long[] a) {
      List<Long> out = new ArrayList<>();
      for (long x : a) {
        out.add(x);
      }
      return out;
    }

    private static Set<ParameterPath> minus(Set<ParameterPath> a, Set<ParameterPath> b) {
      Set<ParameterPath> out = new java.util.TreeSet<>(a);
      out.removeAll(b);
      return out;
    }
  }

  static final class Wipe implements Action.Dependent<Harness> {
    @Override
    public Arbitrary<Transformer<Harness>> transformer(Harness h) {
      Arbitrary<List<LayerPath>> layers = Arbitraries.of(h.subject.wipeTargets());
      return layers.flatMap(ls -> schemes(h, ls).flatMap(scheme -> Arbitraries.longs()
          .between(0, 1_000).map(seed -> Transformer.mutate(
              "wipe " + ls + " " + scheme + " seed " + seed, s -> s.wipe(ls, scheme, seed)))));
    }

    private static Arbitrary<ReinitScheme> schemes(Harness h, List<LayerPath> ls) {
      List<ReinitScheme> out = new ArrayList<>(List.of(ReinitScheme.fresh(),
          ReinitScheme.restoreInitial(), ReinitScheme.shrinkPerturb(0.5, 0.02)));
      boolean outputs = ls.stream().allMatch(l -> h.surgeon.layout().layer(l).parameters()
          .stream().anyMatch(p -> p.kind().isOutput()));
      if (outputs) {
        out.add(ReinitScheme.zeroOutput());
      }
      if (h.subject.identityTargets().contains(ls)) {
        out.add(ReinitScheme.zeroOutput()); // weight the identity check
      }
      if (ls.size() == 1 && h.subject.copySources().containsKey(ls.get(0))) {
        out.add(ReinitScheme.copyFrom(h.subject.copySources().get(ls.get(0))));
      }
      return Arbitraries.of(out);
    }
  }

  static final class Freeze implements Action.Dependent<Harness> {
    @Override
    public Arbitrary<Transformer<Harness>> transformer(Harness h) {
      Arbitrary<List<LayerPath>> wiped = h.lastWiped.isEmpty()
          ? Arbitraries.of(h.subject.wipeTargets()) : Arbitraries.just(h.lastWiped);
      Arbitrary<FreezePolicy> policies = Arbitraries.of(FreezePolicy.onlyWiped(),
          FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
          FreezePolicy.wipedPlusNeighbours(1), FreezePolicy.wipedPlusHead(),
          FreezePolicy.allTrainable());
      return wiped.flatMap(w -> policies.map(p -> Transformer.mutate(
          "freeze " + p.key() + " around " + w, s -> s.freeze(p, w))));
    }
  }

  static final class Train implements Action.Independent<Harness> {
    @Override
    public Arbitrary<Transformer<Harness>> transformer() {
      return Arbitraries.integers().between(1, 2).flatMap(k -> Arbitraries.of(false, true)
          .map(own -> Transformer.mutate("train " + k + " steps with "
              + (own ? "AdamStepper" : "sd.fit"), s -> s.train(k, own))));
    }
  }

  static final class Restore implements Action.Independent<Harness> {
    @Override
    public boolean precondition(Harness h) {
      return h.saved != null;
    }

    @Override
    public Arbitrary<Transformer<Harness>> transformer() {
      return Arbitraries.just(Transformer.mutate("restore snapshot", Harness::restore));
    }
  }

  static final class Undo implements Action.Independent<Harness> {
    @Override
    public boolean precondition(Harness h) {
      return h.lastSurgery != null;
    }

    @Override
    public Arbitrary<Transformer<Harness>> transformer() {
      return Arbitraries.just(Transformer.mutate("undo last wipe", Harness::undo));
    }
  }

}
