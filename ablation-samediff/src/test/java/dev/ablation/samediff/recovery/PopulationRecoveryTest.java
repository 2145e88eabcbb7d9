package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.LrSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * K members in one population against K single {@link Recovery#run}s (which take the
 * fast path where their policy allows): the same curves (every evaluation's loss within 1e-5
 * relative), verdicts, {@code T_ε} and step counts, and every member's frozen parameters
 * bit-identical to the original's.
 */
class PopulationRecoveryTest {
  private static final AdamSettings ADAM =
      AdamSettings.of(1e-2).withSchedule(LrSchedule.warmup(3));
  private static TinyOriginal o;
  private static Tiny tiny;

  /** The tiny original with a surgeon that knows θ₀ (for RESTORE_INITIAL). */
  private record Tiny(dev.ablation.samediff.model.ReferenceModel model,
      dev.ablation.samediff.surgery.SameDiffSurgeon surgeon,
      dev.ablation.api.WeightSnapshot trained, List<Batch> train, List<Batch> validation) {}

  private static synchronized TinyOriginal original() {
    if (o == null) {
      o = new TinyOriginal(11, 300);
      var surgeon = dev.ablation.samediff.surgery.SameDiffSurgeon.of(o.model.model(), o.initial);
      tiny = new Tiny(o.model, surgeon, surgeon.snapshot(), o.train, o.validation);
    }
    return o;
  }

  private static Tiny tiny() {
    original();
    return tiny;
  }

  /** One member: which block it wipes, how, what trains, its wipe seed and data offset. */
  record Spec(int layer, ReinitScheme scheme, FreezePolicy policy, long seed, int offset,
      int criterion) {}

  @Provide
  Arbitrary<List<Spec>> mixes() {
    Arbitrary<Spec> spec = Combinators.combine(
        Arbitraries.integers().between(0, 2),
        Arbitraries.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput(),
            ReinitScheme.restoreInitial(), ReinitScheme.shrinkPerturb(0.5, 0.01)),
        Arbitraries.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
            FreezePolicy.wipedPlusNeighbours(1), FreezePolicy.wipedPlusHead(),
            FreezePolicy.allTrainable()),
        Arbitraries.longs().between(1, 1_000),
        Arbitraries.integers().between(0, 15),
        Arbitraries.integers().between(0, 3))
        .as(Spec::new);
    return spec.list().ofMinSize(2).ofMaxSize(4);
  }

  private static Recovery.Plan plan(Spec s) {
    // lenient (early RECOVERED or UNDAMAGED), middling, and out of reach (PLATEAUED or
    // BUDGET_EXHAUSTED): members leave the population at different steps
    RecoveryCriterion c = switch (s.criterion()) {
      case 0 -> RecoveryCriterion.withinNats(0.15);
      case 1 -> RecoveryCriterion.damageRecovered(0.9);
      case 2 -> RecoveryCriterion.damageRecovered(0.9999).withPatience(2, 0.05);
      default -> RecoveryCriterion.damageRecovered(0.9999);
    };
    TrainingBudget budget = TrainingBudget.ofSteps(s.criterion() == 3 ? 7 : 24);
    return new Recovery.Plan(List.of(LayerPath.block(s.layer())), s.scheme(),
        s.policy(), s.seed(), RecoverySettings.of(c, budget,
            original().reference, 4), ADAM);
  }

  private static List<Batch> order(int offset) {
    List<Batch> rotated = new ArrayList<>(original().train);
    Collections.rotate(rotated, offset);
    return rotated;
  }

  @Property(tries = 5, seed = "20261129", shrinking = ShrinkingMode.OFF)
  void populationsEqualTheirSingleRuns(@ForAll("mixes") List<Spec> mix,
      @ForAll PopulationRecovery.Shrink shrink) {
    Tiny t = tiny();
    t.surgeon.restore(t.trained);
    Map<String, INDArray> trained = t.model.weights();
    List<RecoveryResult> singles = new ArrayList<>();
    List<Set<String>> trainable = new ArrayList<>();
    for (Spec s : mix) {
      Recovery.Plan p = plan(s);
      // the trainable set as the run ends, before Recovery.run puts the model back
      Recovery.Plan watched = new Recovery.Plan(p.layers(), p.scheme(), p.freeze(), p.seed(),
          p.settings().withListener(new dev.ablation.api.recovery.RecoveryListener() {
            @Override
            public void onFinish(RecoveryResult result) {
              trainable.add(Set.copyOf(t.surgeon.trainableVariables()));
            }
          }), p.adam());
      singles.add(Recovery.of(t.surgeon, watched, Map.of("member", "x"))
          .run(RecoveryLoop.cycle(order(s.offset())), t.validation));
      assertThat(t.model.weights()).as("a single run puts the model back").isEqualTo(trained);
    }
    assertThat(trainable).hasSameSizeAs(mix);
    List<PopulationRecovery.Member> members = new ArrayList<>();
    for (Spec s : mix) {
      members.add(new PopulationRecovery.Member(
          Recovery.of(t.surgeon, plan(s), Map.of("member", "x")),
          RecoveryLoop.cycle(order(s.offset()))));
    }
    Map<Integer, RecoveryResult> decided = new LinkedHashMap<>();
    Map<Integer, Map<String, INDArray>> finals = new HashMap<>();
    List<RecoveryResult> population = PopulationRecovery.run(t.model, t.surgeon, members,
        t.validation, shrink, decided::put, finals::put);

    assertThat(t.model.weights()).as("the original is left as it was").isEqualTo(trained);
    assertThat(decided.keySet()).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, mix.size()).boxed().toList());
    for (int m = 0; m < mix.size(); m++) {
      RecoveryResult single = singles.get(m);
      RecoveryResult pop = population.get(m);
      String who = "member " + m + " " + mix.get(m) + " " + shrink;
      assertThat(decided.get(m)).as(who).isSameAs(pop);
      assertThat(pop.verdict()).as(who).isEqualTo(single.verdict());
      net.jqwik.api.statistics.Statistics.label("verdicts").collect(single.verdict());
      net.jqwik.api.statistics.Statistics.label("steps").collect(single.spent().steps());
      assertThat(pop.damage()).as(who).isEqualTo(single.damage());
      assertThat(pop.spent().steps()).as(who).isEqualTo(single.spent().steps());
      assertThat(pop.recoveredAt().map(x -> x.examples()))
          .as(who + ": T_eps").isEqualTo(single.recoveredAt().map(x -> x.examples()));
      assertThat(pop.curve()).as(who).hasSameSizeAs(single.curve());
      for (int i = 0; i < single.curve().size(); i++) {
        CurvePoint a = single.curve().get(i);
        CurvePoint b = pop.curve().get(i);
        assertThat(b.step()).as(who).isEqualTo(a.step());
        assertThat(Math.abs(b.loss() - a.loss()))
            .as(who + " evaluation " + i + ": " + b.loss() + " vs " + a.loss())
            .isLessThanOrEqualTo(1e-5 * Math.abs(a.loss()));
      }
      assertThat(pop.finalFidelity().isPresent()).as(who)
          .isEqualTo(single.finalFidelity().isPresent());
      // one manifest whichever loop ran it: the same entries, the route apart
      assertThat(single.manifest().configuration()).as(who).containsEntry("route", "run");
      assertThat(pop.manifest().configuration()).as(who).containsEntry("route", "population");
      Map<String, String> popConfig = new java.util.HashMap<>(pop.manifest().configuration());
      Map<String, String> singleConfig =
          new java.util.HashMap<>(single.manifest().configuration());
      popConfig.remove("route");
      singleConfig.remove("route");
      assertThat(popConfig).as(who).isEqualTo(singleConfig);
      Set<String> wipedBlock = new java.util.HashSet<>();
      for (String v : t.model.parameterVariables()) {
        if (v.startsWith("blocks/" + mix.get(m).layer() + "/")) {
          wipedBlock.add(v);
        }
      }
      int frozen = 0;
      for (String v : t.model.parameterVariables()) {
        if (!trainable.get(m).contains(v) && !wipedBlock.contains(v)) {
          assertThat(finals.get(m).get(v)).as(who + ": frozen " + v).isEqualTo(trained.get(v));
          frozen++;
        }
      }
      if (mix.get(m).policy().equals(FreezePolicy.onlyWiped())) {
        assertThat(frozen).as(who + ": parameters frozen").isPositive();
      }
    }
  }

  @Example
  void refusesWhatAPopulationCannotRun() {
    Tiny t = tiny();
    t.surgeon.restore(t.trained);
    Map<String, INDArray> before = t.model.weights();
    Spec s = new Spec(1, ReinitScheme.fresh(), FreezePolicy.onlyWiped(), 1, 0, 1);
    Recovery.Plan p = plan(s);
    Recovery.Plan otherAdam = new Recovery.Plan(p.layers(), p.scheme(),
        p.freeze(), p.seed(), p.settings(), AdamSettings.of(3e-2));
    Recovery.Plan scheduled = new Recovery.Plan(p.layers(), p.scheme(),
        FreezePolicy.onlyWiped().thenAfter(5, FreezePolicy.allTrainable()),
        p.seed(), p.settings(), ADAM);
    List<PopulationRecovery.Member> members = new ArrayList<>();
    for (Recovery.Plan q : List.of(p, otherAdam, scheduled)) {
      members.add(new PopulationRecovery.Member(Recovery.of(t.surgeon, q, Map.of()),
          RecoveryLoop.cycle(t.train)));
    }
    assertThatThrownBy(() -> PopulationRecovery.run(t.model, t.surgeon, members, t.validation))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("member 1 uses")
        .hasMessageContaining("member 2's policy");
    assertThat(t.model.weights()).as("refused before any change").isEqualTo(before);
  }
}
