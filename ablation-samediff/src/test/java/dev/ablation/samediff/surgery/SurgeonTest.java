package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.AblationException;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.NothingTrainableException;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Surgery;
import dev.ablation.api.UnknownLayerException;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.InitRule;
import dev.ablation.samediff.ParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

/** Every scheme, freezing and snapshots on the foreign-named decoder and the encoder-decoder. */
class SurgeonTest {
  private static final LayerPath B0 = LayerPath.parse("blocks.0");
  private static final LayerPath B1 = LayerPath.parse("blocks.1");

  private ToyGraphs.Toy toy;
  private SameDiffSurgeon surgeon;
  private WeightSnapshot theta0;

  @BeforeEach
  void trainedToy() {
    toy = ToyGraphs.foreignDecoder(11);
    theta0 = SameDiffSurgeon.of(toy.model()).snapshot();
    toy.fit(3, 100);
    surgeon = SameDiffSurgeon.of(toy.model(), theta0);
  }

  private Set<ParameterPath> paramsOf(LayerPath... layers) {
    return surgeon.layout().parametersOf(List.of(layers));
  }

  @Test
  void everySchemeChangesOnlyTheWipedLayer() {
    List<ReinitScheme> schemes = List.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(),
        ReinitScheme.zeroOutput(), ReinitScheme.shrinkPerturb(0.5, 0.01),
        ReinitScheme.copyFrom(B1));
    for (ReinitScheme scheme : schemes) {
      WeightSnapshot before = surgeon.snapshot();
      Surgery s = surgeon.wipe(B0, scheme, 5);
      WeightSnapshot after = surgeon.snapshot();
      Set<ParameterPath> changed = Bits.changed(before, after);
      assertTrue(paramsOf(B0).containsAll(changed), scheme + " changed " + changed);
      // trained weights differ from any redraw, θ₀, a half or the other block's
      assertTrue(changed.contains(B0.parameter("q")), scheme + " left W_Q alone");
      assertEquals(List.of(B0), s.layers());
      s.undo();
      assertEquals(Set.of(), Bits.changed(before, surgeon.snapshot()), scheme + " undo");
    }
  }

  @Test
  void freshRedrawsFromTheRecordedRuleAndResetsNorms() {
    surgeon.wipe(B0, ReinitScheme.fresh(), 9);
    WeightSnapshot s = surgeon.snapshot();
    for (ParameterInfo p : surgeon.layout().layer(B0).parameters()) {
      double[] v = s.values(p.path());
      ParameterSpec spec = toy.model().layers().spec(p.path());
      switch (p.kind()) {
        case NORM_GAIN -> assertTrue(all(v, 1.0), p.path() + " gain not 1");
        case NORM_BIAS, BIAS, OUTPUT_BIAS -> assertTrue(all(v, 0.0), p.path() + " not 0");
        default -> {
          double std = std(v);
          double expected = spec.init() instanceof InitRule.Normal n ? n.std()
              : ((InitRule.Uniform) spec.init()).bound() / Math.sqrt(3);
          assertEquals(expected, std, 0.35 * expected, p.path() + " std");
        }
      }
    }
  }

  @Test
  void wipesAreDeterministicPerParameter() {
    WeightSnapshot before = surgeon.snapshot();
    surgeon.wipe(B0, ReinitScheme.fresh(), 42);
    WeightSnapshot a = surgeon.snapshot();
    surgeon.restore(before);
    // the same seed gives the same values for blocks.0 even when blocks.1 is wiped alongside
    surgeon.wipe(List.of(B1, B0), ReinitScheme.fresh(), 42);
    WeightSnapshot b = surgeon.snapshot();
    for (ParameterPath p : paramsOf(B0)) {
      assertTrue(Bits.same(a.values(p), b.values(p)), p + " differs");
    }
    surgeon.restore(before);
    surgeon.wipe(B0, ReinitScheme.fresh(), 43);
    assertFalse(Bits.same(a.values(B0.parameter("q")),
        surgeon.snapshot().values(B0.parameter("q"))), "another seed, same draw");
    // two parameters with the same rule do not get the same draw
    assertFalse(Bits.same(a.values(B0.parameter("q")), a.values(B0.parameter("k"))));
  }

  @Test
  void restoreInitialPutsBackTheta0() {
    surgeon.wipe(B0, ReinitScheme.restoreInitial(), 1);
    WeightSnapshot s = surgeon.snapshot();
    for (ParameterPath p : paramsOf(B0)) {
      assertTrue(Bits.same(theta0.values(p), s.values(p)), p + " is not θ₀");
    }
    assertFalse(Bits.same(theta0.values(B1.parameter("q")), s.values(B1.parameter("q"))));
  }

  @Test
  void theta0CanBeGivenByVariableName() {
    ToyGraphs.Toy fresh = ToyGraphs.foreignDecoder(11); // same seed: the θ₀ of `toy`
    java.util.Map<String, INDArray> byVariable = new java.util.LinkedHashMap<>();
    for (ParameterSpec p : fresh.model().layers().parameters()) {
      byVariable.put(p.variable(), fresh.sd().getVariable(p.variable()).getArr().dup());
    }
    SameDiffSurgeon s = SameDiffSurgeon.of(toy.model(), byVariable);
    s.wipe(B0, ReinitScheme.restoreInitial(), 1);
    for (ParameterPath p : paramsOf(B0)) {
      assertTrue(Bits.same(theta0.values(p), s.snapshot().values(p)), p + " is not θ₀");
    }
    byVariable.remove("t0_q");
    byVariable.put("t1_k", Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SameDiffSurgeon.of(toy.model(), byVariable));
    assertEquals("initial weights do not fit the model: ['t0_q' is missing, 't1_k' is FLOAT"
        + " [2, 2], the model's is FLOAT [8, 8]]", e.getMessage());
  }

  @Test
  void restoreInitialWithoutTheta0FailsBeforeAnyChange() {
    SameDiffSurgeon bare = SameDiffSurgeon.of(toy.model());
    WeightSnapshot before = bare.snapshot();
    AblationException e = assertThrows(AblationException.class,
        () -> bare.wipe(B0, ReinitScheme.restoreInitial(), 1));
    assertTrue(e.getMessage().contains("RESTORE_INITIAL needs the initial weights"),
        e.getMessage());
    assertTrue(e.getMessage().contains("SameDiffSurgeon.of(model, initialWeights)"));
    assertEquals(Set.of(), Bits.changed(before, bare.snapshot()));
  }

  @Test
  void shrinkPerturbScalesExactly() {
    WeightSnapshot before = surgeon.snapshot();
    surgeon.wipe(B0, ReinitScheme.shrinkPerturb(0.5, 0), 3);
    WeightSnapshot after = surgeon.snapshot();
    for (ParameterPath p : paramsOf(B0)) {
      double[] x = before.values(p);
      double[] y = after.values(p);
      for (int i = 0; i < x.length; i++) {
        assertEquals((float) (0.5 * x[i]), (float) y[i], p + "[" + i + "]");
      }
    }
    surgeon.restore(before);
    surgeon.wipe(B0, ReinitScheme.shrinkPerturb(1, 0), 3);
    assertEquals(Set.of(), Bits.changed(before, surgeon.snapshot()), "λ=1, σ=0 is a no-op");
    surgeon.wipe(B0, ReinitScheme.shrinkPerturb(1, 0.1), 3);
    double[] d = diff(before.values(B0.parameter("up")),
        surgeon.snapshot().values(B0.parameter("up")));
    assertEquals(0.1, std(d), 0.04, "noise σ");
  }

  @Test
  void copyFromCopiesTheOtherBlockIncludingNorms() {
    WeightSnapshot before = surgeon.snapshot();
    surgeon.wipe(B0, ReinitScheme.copyFrom(B1), 3);
    WeightSnapshot after = surgeon.snapshot();
    for (ParameterInfo p : surgeon.layout().layer(B0).parameters()) {
      String rel = p.path().name();
      assertTrue(Bits.same(before.values(B1.parameter(rel)), after.values(p.path())), rel);
    }
  }

  @Test
  void copyFromAShapeMismatchFailsBeforeAnyChange() {
    ToyGraphs.Toy ed = ToyGraphs.encoderDecoder(3);
    SameDiffSurgeon s = SameDiffSurgeon.of(ed.model());
    WeightSnapshot before = s.snapshot();
    AblationException e = assertThrows(AblationException.class,
        () -> s.wipe(List.of(LayerPath.parse("decoder.blocks.1"), LayerPath.parse("unembed")),
            ReinitScheme.copyFrom(LayerPath.parse("decoder.blocks.0")), 1));
    assertTrue(e.getMessage().startsWith("COPY_FROM(decoder.blocks.0) does not fit; nothing was"
        + " changed"), e.getMessage());
    assertTrue(e.getMessage().contains("unembed.readout has no counterpart"
        + " decoder.blocks.0.readout"), e.getMessage());
    assertEquals(Set.of(), Bits.changed(before, s.snapshot()), "a failed copy changed weights");

    AblationException e2 = assertThrows(AblationException.class,
        () -> s.wipe(LayerPath.parse("encoder.blocks.0"),
            ReinitScheme.copyFrom(LayerPath.parse("decoder.blocks.0")), 1));
    assertTrue(e2.getMessage().contains("decoder.blocks.0.cross_attn.xq has no counterpart"
        + " encoder.blocks.0.cross_attn.xq"), e2.getMessage());
    AblationException e3 = assertThrows(AblationException.class,
        () -> s.wipe(LayerPath.parse("decoder.blocks.0.cross_attn"),
            ReinitScheme.copyFrom(LayerPath.parse("decoder.blocks.0")), 1));
    assertTrue(e3.getMessage().contains("overlap"), e3.getMessage());
    assertEquals(Set.of(), Bits.changed(before, s.snapshot()));
  }

  @Test
  void copyFromReportsShapeDifferences() {
    ToyGraphs.Toy odd = ToyGraphs.twoWidths();
    SameDiffSurgeon s = SameDiffSurgeon.of(odd.model());
    WeightSnapshot before = s.snapshot();
    AblationException e = assertThrows(AblationException.class,
        () -> s.wipe(LayerPath.parse("a.1"), ReinitScheme.copyFrom(LayerPath.parse("a.0")), 1));
    assertTrue(e.getMessage().contains("a.1.w has shape [3, 3] but a.0.w has shape [2, 3]"),
        e.getMessage());
    assertEquals(Set.of(), Bits.changed(before, s.snapshot()));
  }

  @Test
  void zeroOutputZeroesOutputsAndRefusesLayersWithout() {
    surgeon.wipe(B0, ReinitScheme.zeroOutput(), 3);
    WeightSnapshot s = surgeon.snapshot();
    for (ParameterInfo p : surgeon.layout().layer(B0).parameters()) {
      if (p.kind().isOutput()) {
        assertTrue(all(s.values(p.path()), 0.0), p.path() + " not zero");
      }
    }
    assertFalse(all(s.values(B0.parameter("q")), 0.0));
    AblationException e = assertThrows(AblationException.class,
        () -> surgeon.wipe(LayerPath.parse("embed"), ReinitScheme.zeroOutput(), 3));
    assertTrue(e.getMessage().contains("ZERO_OUTPUT cannot make these layers the identity")
        && e.getMessage().contains("embed (kinds [EMBEDDING])"), e.getMessage());
  }

  @Test
  void unknownLayersAndEmptyWipesFailListingTheLayers() {
    UnknownLayerException e = assertThrows(UnknownLayerException.class,
        () -> surgeon.wipe(LayerPath.parse("blocks.7"), ReinitScheme.fresh(), 1));
    assertEquals("unknown layer 'blocks.7'; the model has: [embed, blocks.0, blocks.1, unembed]",
        e.getMessage());
    UnknownLayerException e2 = assertThrows(UnknownLayerException.class,
        () -> surgeon.wipe(B0, ReinitScheme.copyFrom(LayerPath.parse("blocks.9")), 1));
    assertTrue(e2.getMessage().contains("'blocks.9'"));
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
        () -> surgeon.wipe(List.of(), ReinitScheme.fresh(), 1));
    assertTrue(e3.getMessage().contains("wipe needs at least one layer"), e3.getMessage());
  }

  @Test
  void frozenParametersStayBitIdenticalUnderFitWithAdamAndWeightDecay() {
    surgeon.wipe(B1, ReinitScheme.fresh(), 3);
    Set<ParameterPath> trainable = surgeon.freeze(FreezePolicy.onlyWiped(), List.of(B1), 0);
    surgeon.materializeForFit(); // the sd.fit route: frozen parameters become constants
    assertEquals(paramsOf(B1), trainable);
    assertEquals(trainable, surgeon.trainable());
    WeightSnapshot frozenAt = surgeon.snapshot();
    toy.fit(3, 7);
    Set<ParameterPath> changed = Bits.changed(frozenAt, surgeon.snapshot());
    assertTrue(trainable.containsAll(changed), "frozen parameters moved: " + changed);
    assertTrue(changed.contains(B1.parameter("q")), "training did not move the wiped layer");
    surgeon.unfreezeAll();
    assertEquals(surgeon.layout().parameterPaths(), surgeon.trainable());
    WeightSnapshot thawed = surgeon.snapshot();
    toy.fit(1, 70);
    assertTrue(Bits.changed(thawed, surgeon.snapshot()).contains(B0.parameter("q")));
  }

  @Test
  void fitTrainsTheWipedArraysInPlace() {
    surgeon.wipe(B1, ReinitScheme.zeroOutput(), 3);
    surgeon.freeze(FreezePolicy.onlyWiped(), List.of(B1), 0);
    surgeon.materializeForFit();
    WeightSnapshot wiped = surgeon.snapshot();
    toy.fit(1, 77);
    WeightSnapshot after = surgeon.snapshot();
    // one fresh Adam step (lr 1e-2, bias-corrected) moves each element by about lr at most;
    // had fit kept reading the pre-wipe arrays, W_O would not start from zero
    double[] w0 = wiped.values(B1.parameter("mix"));
    double[] w1 = after.values(B1.parameter("mix"));
    double maxStep = 0;
    for (int i = 0; i < w0.length; i++) {
      assertEquals(0.0, w0[i]);
      maxStep = Math.max(maxStep, Math.abs(w1[i] - w0[i]));
    }
    assertTrue(maxStep > 1e-4 && maxStep < 1.5e-2, "step " + maxStep);
  }

  @Test
  void everyFreezeStartsAFreshOptimiser() {
    surgeon.freeze(FreezePolicy.wipedPlusHead(), List.of(B0), 0);
    surgeon.materializeForFit();
    toy.fit(2, 1);
    assertTrue(toy.sd().getTrainingConfig().getIterationCount() > 0);
    assertTrue(anyNonZeroState(), "Adam has state after fit");
    surgeon.freeze(FreezePolicy.wipedPlusNeighbours(1), List.of(B0), 0);
    assertEquals(0, toy.sd().getTrainingConfig().getIterationCount());
    assertFalse(anyNonZeroState(), "stale Adam moments survived a freeze change");
  }

  private boolean anyNonZeroState() {
    for (GradientUpdater<?> u : toy.sd().getUpdaterMap().values()) {
      for (INDArray a : u.getState().values()) {
        if (a.amaxNumber().doubleValue() != 0) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void setTrainableValidatesFirst() {
    Set<ParameterPath> before = surgeon.trainable();
    NothingTrainableException e = assertThrows(NothingTrainableException.class,
        () -> surgeon.setTrainable(Set.of()));
    assertTrue(e.getMessage().startsWith("setTrainable was given an empty set: nothing would"
        + " train"), e.getMessage());
    Set<ParameterPath> bad = new TreeSet<>(paramsOf(B0));
    bad.add(ParameterPath.parse("blocks.0.W_nope"));
    bad.add(ParameterPath.parse("blocks.5.q"));
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> surgeon.setTrainable(bad));
    assertTrue(e2.getMessage().startsWith("setTrainable names 2 parameter(s) the model does not"
        + " have: [blocks.0.W_nope, blocks.5.q]; the model has: [embed."), e2.getMessage());
    assertEquals(before, surgeon.trainable(), "a rejected set changed the graph");
    NothingTrainableException e3 = assertThrows(NothingTrainableException.class,
        () -> surgeon.freeze(FreezePolicy.onlyWiped(), List.of(), 0));
    assertTrue(e3.getMessage().contains("onlyWiped leaves no parameter trainable"));
  }

  @Test
  void snapshotRestoresValuesAndTypesExactly() {
    surgeon.freeze(FreezePolicy.onlyWiped(), List.of(B0), 0);
    WeightSnapshot snap = surgeon.snapshot();
    assertEquals(paramsOf(B0), snap.trainable());
    toy.fit(2, 3);
    surgeon.unfreezeAll();
    surgeon.wipe(B1, ReinitScheme.fresh(), 5);
    surgeon.restore(snap);
    assertEquals(Set.of(), Bits.changed(snap, surgeon.snapshot()));
    assertEquals(snap.trainable(), surgeon.trainable());
    // a snapshot is a copy: training after it does not change it
    double[] q = snap.values(B0.parameter("q"));
    toy.fit(1, 4);
    assertArrayEquals(q, snap.values(B0.parameter("q")));
  }

  @Test
  void restoreRejectsSnapshotsOfOtherModels() {
    WeightSnapshot other = SameDiffSurgeon.of(ToyGraphs.encoderDecoder(1).model()).snapshot();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> surgeon.restore(other));
    assertTrue(e.getMessage().startsWith("snapshot was taken from a model of another layout"),
        e.getMessage());
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> SameDiffSurgeon.of(toy.model(), other));
    assertTrue(e2.getMessage().startsWith("initial weights was taken from a model of another"),
        e2.getMessage());
    WeightSnapshot alien = new WeightSnapshot() {
      @Override
      public Set<ParameterPath> parameters() {
        return Set.of();
      }

      @Override
      public Set<ParameterPath> trainable() {
        return Set.of();
      }

      @Override
      public double[] values(ParameterPath parameter) {
        return new double[0];
      }
    };
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
        () -> surgeon.restore(alien));
    assertTrue(e3.getMessage().contains("was not taken by a SameDiffSurgeon"), e3.getMessage());
  }

  @Test
  void allCrossAttentionAtOnceChangesOnlyCrossAttention() {
    ToyGraphs.Toy ed = ToyGraphs.encoderDecoder(4);
    ed.fit(2, 1);
    SameDiffSurgeon s = SameDiffSurgeon.of(ed.model());
    WeightSnapshot before = s.snapshot();
    Surgery surgery = s.wipe(ed.sublayers(), ReinitScheme.fresh(), 8);
    Set<ParameterPath> changed = Bits.changed(before, s.snapshot());
    Set<ParameterPath> cross = s.layout().parametersOf(ed.sublayers());
    assertEquals(14, cross.size());
    assertTrue(cross.containsAll(changed), "outside cross-attention: " + changed);
    assertTrue(changed.contains(ParameterPath.parse("decoder.blocks.1.cross_attn.xq")));
    assertFalse(changed.contains(ParameterPath.parse("decoder.blocks.1.q")));
    // cross-attention alone trains
    s.setTrainable(cross);
    s.materializeForFit();
    WeightSnapshot frozenAt = s.snapshot();
    ed.fit(2, 9);
    assertTrue(cross.containsAll(Bits.changed(frozenAt, s.snapshot())));
    surgery.undo();
    assertEquals(Set.of(), Bits.changed(before, s.snapshot()));
    assertEquals(before.trainable(), s.trainable());
  }

  private static boolean all(double[] v, double x) {
    for (double d : v) {
      if (d != x) {
        return false;
      }
    }
    return true;
  }

  private static double std(double[] v) {
    double m = 0;
    for (double d : v) {
      m += d;
    }
    m /= v.length;
    double s = 0;
    for (double d : v) {
      s += (d - m) * (d - m);
    }
    return Math.sqrt(s / v.length);
  }

  private static double[] diff(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = b[i] - a[i];
    }
    return d;
  }
}
