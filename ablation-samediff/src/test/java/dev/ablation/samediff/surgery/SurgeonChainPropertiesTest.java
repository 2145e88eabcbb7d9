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
import dev.ablation.samediff.LossEvaluator;
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
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
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
    return withActions(ActionChain.<Harness>startWith(() -> new Harness(subject.get())))
        .withMaxTransformations(12);
  }

  /**
   * Short chains on a model built and trained once per subject and put back to that state at the
   * start of each chain: cheap enough for a hundred chains a build.
   */
  static Arbitrary<ActionChain<Harness>> quickChains(String key, Supplier<ChainSubject> subject,
      int maxActions) {
    return withActions(ActionChain.<Harness>startWith(() -> Harness.reused(key, subject)))
        .withMaxTransformations(maxActions);
  }

  private static ActionChainArbitrary<Harness> withActions(ActionChainArbitrary<Harness> c) {
    return c.withAction(4, new Wipe())
        .withAction(3, new Freeze())
        .withAction(1, Action.just("unfreeze", Transformer.mutate("unfreeze", Harness::unfreeze)))
        .withAction(3, new Train())
        .withAction(3, new Recover())
        .withAction(2, new Schedule())
        .withAction(2, Action.just("snapshot", Transformer.mutate("snapshot", Harness::save)))
        .withAction(2, new Restore())
        .withAction(1, new Undo());
  }

  /**
   * The 2,000-chain soak's two shrunk failures as examples: a norm whose sublayer's output
   * projection is zeroed gets an exactly zero gradient, so Adam moves nothing — with only
   * {@code blocks.0.ln1} trainable after {@code blocks.0} (all its outputs) or only
   * {@code blocks.0.attn} (the sublayer ln1 feeds) is wiped with ZERO_OUTPUT — while
   * {@code blocks.0.ln2}, whose MLP output is intact, still learns. The chains' "did training
   * move anything" check asks the gradient ({@code hasGradient}) for exactly this reason.
   */
  @net.jqwik.api.Example
  void aNormBehindAZeroedOutputGetsNoGradient() {
    Harness h = null;
    for (String zeroed : List.of("blocks.0", "blocks.0.attn")) {
      h = new Harness(ReferenceSubjects.decoderOnly());
      h.surgeon.unfreezeAll();
      h.surgeon.wipe(LayerPath.parse(zeroed), ReinitScheme.zeroOutput(), 0);
      h.surgeon.freeze(FreezePolicy.onlyWiped(), List.of(LayerPath.parse("blocks.0.ln1")), 0);
      Batch b = h.subject.batches().apply(1);
      assertFalse(h.hasGradient(b), "ln1 behind a zeroed " + zeroed);
      WeightSnapshot before = h.surgeon.snapshot();
      AdamStepper.over(h.surgeon, AdamSettings.of(1e-2)).step(b);
      assertEquals(Set.of(), Bits.changed(before, h.surgeon.snapshot()), "a zero gradient moved");
    }
    // the last harness has only the attention's output zeroed: ln2 feeds the intact MLP
    h.surgeon.freeze(FreezePolicy.onlyWiped(), List.of(LayerPath.parse("blocks.0.ln2")), 0);
    Batch b = h.subject.batches().apply(2);
    assertTrue(h.hasGradient(b), "ln2 feeds the intact MLP");
    WeightSnapshot before = h.surgeon.snapshot();
    AdamStepper.over(h.surgeon, AdamSettings.of(1e-2)).step(b);
    assertFalse(Bits.changed(before, h.surgeon.snapshot()).isEmpty(), "training moved nothing");
  }

  // ≥ 100 short chains a build on reused models (the 14 long ones above build their own)
  static final int QUICK_ACTIONS = 8;

  @Property(tries = 40, seed = "20261201", shrinking = ShrinkingMode.BOUNDED)
  void quickDecoderOnlyChain(@ForAll("quickDecoderOnly") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 25, seed = "20261202", shrinking = ShrinkingMode.BOUNDED)
  void quickEncoderOnlyChain(@ForAll("quickEncoderOnly") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 20, seed = "20261203", shrinking = ShrinkingMode.BOUNDED)
  void quickForeignDecoderChain(@ForAll("quickForeignDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 15, seed = "20261204", shrinking = ShrinkingMode.BOUNDED)
  void quickEncoderDecoderChain(@ForAll("quickEncoderDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Provide
  Arbitrary<ActionChain<Harness>> quickDecoderOnly() {
    return quickChains("decoder-only", ReferenceSubjects::decoderOnly, QUICK_ACTIONS);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> quickEncoderOnly() {
    return quickChains("encoder-only", ReferenceSubjects::encoderOnly, QUICK_ACTIONS);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> quickForeignDecoder() {
    return quickChains("foreign", () -> ChainSubject.of("foreign decoder",
        ToyGraphs.foreignDecoder(5)), QUICK_ACTIONS);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> quickEncoderDecoder() {
    return quickChains("encoder-decoder", ReferenceSubjects::encoderDecoder, QUICK_ACTIONS);
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
      this(subject, SameDiffSurgeon.of(subject.model()).snapshot());
      train(2, false); // start from a trained model, as the study does
      recordFrozen();
    }

    private Harness(ChainSubject subject, WeightSnapshot theta0) {
      this.subject = subject;
      this.sd = subject.model().graph();
      this.surgeon = SameDiffSurgeon.of(subject.model(), theta0);
      this.probe = subject.batches().apply(99);
      for (ParameterInfo p : surgeon.layout().parameters()) {
        shapes.put(p.path(), p.shape());
      }
    }

    /** A model trained once per key; each harness starts from its trained state, all trainable. */
    private record Start(ChainSubject subject, WeightSnapshot theta0, WeightSnapshot trained) {}

    private static final Map<String, Start> STARTS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, Harness> LAST = new java.util.concurrent.ConcurrentHashMap<>();

    static Harness reused(String key, Supplier<ChainSubject> make) {
      Start start = STARTS.computeIfAbsent(key, k -> {
        Harness h = new Harness(make.get());
        h.surgeon.unfreezeAll();
        return new Start(h.subject, h.surgeon.snapshot(), h.surgeon.snapshot());
      });
      Harness previous = LAST.get(key);
      if (previous != null) {
        // back to all-variable types and the trained values before a new surgeon looks at it
        previous.surgeon.restore(start.trained());
      }
      Harness h = new Harness(start.subject(), start.theta0());
      h.surgeon.restore(start.trained());
      h.recordFrozen();
      LAST.put(key, h);
      return h;
    }

    /** Steps through RecoveryStepper over the surgeon's set: the fast path where it is valid. */
    void recover(int k) {
      WeightSnapshot before = surgeon.snapshot();
      dev.ablation.samediff.train.RecoveryStepper stepper =
          dev.ablation.samediff.train.RecoveryStepper.create(surgeon, AdamSettings.of(1e-2));
      // the fast path runs exactly where nothing below its cut trains
      Set<ParameterPath> t = surgeon.trainable();
      java.util.OptionalInt lowest = lowestTrainableBlock(t);
      boolean embeddingTrains = surgeon.layout().layers().stream()
          .filter(l -> l.kind() == dev.ablation.api.LayerKind.EMBEDDING)
          .anyMatch(l -> l.parameters().stream().anyMatch(p -> t.contains(p.path())));
      if (stepper.cut().isPresent()) {
        int cut = stepper.cut().getAsInt();
        assertTrue(subject.model().splitter().isPresent(), "fast path without a splitter");
        assertFalse(embeddingTrains, "fast path although the embedding trains");
        assertTrue(lowest.isEmpty() || lowest.getAsInt() >= cut,
            "fast path from block " + cut + " but block " + lowest + " trains");
      } else if (subject.model().splitter().isPresent() && !embeddingTrains
          && lowest.isPresent() && lowest.getAsInt() > 0 && !tied()) {
        throw new AssertionError("fast path refused although only blocks >= " + lowest
            + " train: " + stepper.refusal());
      }
      boolean anyGradient = false;
      for (int i = 0; i < k; i++) {
        Batch b = subject.batches().apply(trainSeed++);
        anyGradient |= hasGradient(b);
        double loss = stepper.tryStep(b);
        assertTrue(Double.isFinite(loss), "loss " + loss);
      }
      assertEquals(surgeon.trainable(), t, "stepping changed the trainable set");
      expectMoved(before, anyGradient, "recovery");
    }

    /**
     * Whether any trainable parameter has a non-zero gradient on {@code b} in the current
     * state. Adam moves a parameter exactly when its gradient is non-zero (a zero gradient
     * gives m = v = 0 and an update of exactly 0), so this is the oracle for "did training
     * move anything": a norm whose sublayer's output projection is zeroed (ZERO_OUTPUT), for
     * example, gets an exactly zero gradient in a pre-LN block. (The 2,000-chain soak found
     * two such states the earlier structural rule missed: a norm frozen alone before its own
     * block's ZERO_OUTPUT, and ln1 before an attention-only ZERO_OUTPUT.)
     */
    boolean hasGradient(Batch b) {
      List<String> vars = surgeon.trainableVariables();
      if (vars.isEmpty()) {
        return false;
      }
      Map<String, INDArray> g = sd.calculateGradients(b.placeholders(), vars);
      return g.values().stream()
          .anyMatch(a -> a != null && a.amaxNumber().doubleValue() != 0.0);
    }

    private void expectMoved(WeightSnapshot before, boolean anyGradient, String what) {
      Set<ParameterPath> moved = Bits.changed(before, surgeon.snapshot());
      if (anyGradient) {
        assertFalse(moved.isEmpty(), what + " moved nothing although a gradient was non-zero");
      } else {
        assertEquals(Set.of(), moved, what + " moved values with an all-zero gradient");
      }
    }

    /** Whether the model ties its unembedding to its embedding (then both or neither train). */
    private boolean tied() {
      return subject.name().contains("tied");
    }

    private java.util.OptionalInt lowestTrainableBlock(Set<ParameterPath> t) {
      return surgeon.layout().layers().stream()
          .filter(l -> l.kind() == dev.ablation.api.LayerKind.BLOCK)
          .filter(l -> l.parameters().stream().anyMatch(p -> t.contains(p.path())))
          .mapToInt(l -> l.path().blockIndex().orElse(Integer.MAX_VALUE)).min();
    }

    /**
     * A recovery under a freeze schedule, through RecoveryLoop: each phase's frozen
     * parameters stay bit-identical, and the surgeon ends with the last phase's set.
     */
    void schedule(FreezePolicy policy, List<LayerPath> wiped, int steps) {
      WeightSnapshot before = surgeon.snapshot();
      dev.ablation.api.recovery.RecoverySettings settings =
          dev.ablation.api.recovery.RecoverySettings.of(
              dev.ablation.api.recovery.RecoveryCriterion.withinNats(1e-9),
              dev.ablation.api.recovery.TrainingBudget.ofSteps(steps),
              new dev.ablation.api.recovery.ReferenceCost(1000, 1000), 1);
      dev.ablation.api.recovery.Damage damage = new dev.ablation.api.recovery.Damage(0.0,
          new dev.ablation.samediff.LossEvaluator(subject.model()).meanLoss(
              List.of(probe)), java.util.OptionalDouble.empty(), java.util.Optional.empty());
      List<Batch> batches = List.of(subject.batches().apply(trainSeed++),
          subject.batches().apply(trainSeed++));
      dev.ablation.api.recovery.RecoveryResult r =
          dev.ablation.samediff.internal.RecoveryLoop.retrain(surgeon, damage, wiped, policy,
              settings, AdamSettings.of(1e-2),
              dev.ablation.samediff.internal.RecoveryLoop.cycle(batches), List.of(probe),
              java.util.Optional.empty(), dev.ablation.api.recovery.RunManifest.of(Map.of(),
                  Map.of(), dev.ablation.samediff.SameDiffEnvironment.current()));
      long spent = r.spent().steps();
      Set<ParameterPath> everTrainable = new java.util.TreeSet<>();
      for (long s = 0; s < Math.max(1, spent); s++) {
        everTrainable.addAll(policy.resolve(surgeon.layout(), wiped, s));
      }
      Set<ParameterPath> changed = Bits.changed(before, surgeon.snapshot());
      assertTrue(everTrainable.containsAll(changed), "schedule " + policy.key() + " changed "
          + minus(changed, everTrainable));
      // the loop leaves the set of the step it stopped before (the budget refused it) or of the
      // last step it ran (the criterion stopped it)
      assertTrue(surgeon.trainable().equals(policy.resolve(surgeon.layout(), wiped, spent))
          || surgeon.trainable().equals(policy.resolve(surgeon.layout(), wiped,
              Math.max(0, spent - 1))), "the surgeon's set after the schedule: "
          + surgeon.trainable());
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
      // one trainable set: once materialised for sd.fit the graph's variables mirror it, and
      // before that the graph is never changed by a freeze
      List<String> graphTrainable = new ArrayList<>();
      for (ParameterSpec s : subject.model().layers().parameters()) {
        if (sd.getVariable(s.variable()).getVariableType() == VariableType.VARIABLE) {
          graphTrainable.add(s.variable());
        }
      }
      assertEquals(surgeon.isMaterializedForFit() ? surgeon.trainableVariables()
          : subject.model().layers().parameters().stream().map(ParameterSpec::variable).toList(),
          graphTrainable, "graph variable types vs the trainable set");
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
      if (surgeon.isMaterializedForFit()) {
        assertEquals(0, sd.getTrainingConfig() == null ? 0
            : sd.getTrainingConfig().getIterationCount(), "optimiser not fresh");
      }
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
        AdamStepper adam = AdamStepper.over(surgeon, AdamSettings.of(1e-2));
        boolean anyGradient = false;
        for (int i = 0; i < k; i++) {
          Batch b = subject.batches().apply(trainSeed++);
          anyGradient |= hasGradient(b);
          adam.step(b);
        }
        expectMoved(before, anyGradient, "training");
        return;
      }
      // the sd.fit route: the surgeon materialises its trainable set as constants first
      surgeon.materializeForFit();
      assertEquals(0, sd.getTrainingConfig() == null ? 0
          : sd.getTrainingConfig().getIterationCount(), "optimiser not fresh");
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

  static final class Recover implements Action.Independent<Harness> {
    @Override
    public Arbitrary<Transformer<Harness>> transformer() {
      return Arbitraries.integers().between(1, 2).map(k -> Transformer.mutate(
          "recover " + k + " steps (RecoveryStepper)", s -> s.recover(k)));
    }
  }

  static final class Schedule implements Action.Dependent<Harness> {
    @Override
    public Arbitrary<Transformer<Harness>> transformer(Harness h) {
      Arbitrary<List<LayerPath>> wiped = h.lastWiped.isEmpty()
          ? Arbitraries.of(h.subject.wipeTargets()) : Arbitraries.just(h.lastWiped);
      Arbitrary<FreezePolicy> first = Arbitraries.of(FreezePolicy.onlyWiped(),
          FreezePolicy.wipedPlusLayerNorms(), FreezePolicy.wipedPlusNeighbours(1));
      Arbitrary<FreezePolicy> then = Arbitraries.of(FreezePolicy.wipedPlusHead(),
          FreezePolicy.allTrainable(), FreezePolicy.onlyWiped());
      Arbitrary<FreezePolicy> schedules = Combinators.combine(first,
          Arbitraries.integers().between(1, 2), then).as((a, n, b) -> a.thenAfter(n, b));
      return Combinators.combine(wiped, schedules, Arbitraries.integers().between(2, 3))
          .as((w, p, steps) -> Transformer.mutate("schedule " + p.key() + " around " + w
              + " for " + steps + " steps", s -> s.schedule(p, w, steps)));
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
