package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import dev.ablation.samediff.train.PopulationStepper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The population prototype against K single runs: the same per-member losses at step 0 and
 * after Adam steps with different trainable sets per member, frozen and retired members'
 * parameters bit-identical.
 */
class PopulationModelTest {
  private static final int K = 3;

  /** Member m: the tiny decoder with block (m % 2) re-drawn (a wipe), on its own batches. */
  private static List<ReferenceModel> members() {
    List<ReferenceModel> out = new ArrayList<>();
    for (int m = 0; m < K; m++) {
      ReferenceModel r = ReferenceModel.build(TinyModels.decoder());
      Nd4j.getRandom().setSeed(100 + m);
      for (String v : r.parameterVariables()) {
        if (v.startsWith("blocks/" + (m % 2) + "/")) {
          INDArray a = r.graph().getVariable(v).getArr();
          a.assign(Nd4j.rand(a.dataType(), a.shape()).subi(0.5));
        }
      }
      out.add(r);
    }
    return out;
  }

  private static List<String> trainable(ReferenceModel r, int m) {
    // members 0 and 1: only their wiped block; member 2: everything
    return m == 2 ? r.parameterVariables() : r.parameterVariables().stream()
        .filter(v -> v.startsWith("blocks/" + (m % 2) + "/")).toList();
  }

  private static Batch batch(ReferenceModel r, int m, int step) {
    return ReferenceBatches.of(r).batch(TinyModels.examples(r.config(), 4, 1000L * m + step));
  }

  @Test
  void membersComputeTheirOwnLossesAndStepsLikeSingleRuns() {
    List<ReferenceModel> singles = members();
    PopulationModel pop = PopulationModel.stack(singles);
    List<Map<String, INDArray>> initial = new ArrayList<>();
    for (ReferenceModel r : singles) {
      initial.add(r.weights());
    }
    List<AdamStepper> steppers = new ArrayList<>();
    List<List<String>> sets = new ArrayList<>();
    for (int m = 0; m < K; m++) {
      sets.add(trainable(singles.get(m), m));
      steppers.add(new AdamStepper(singles.get(m).model(), sets.get(m), AdamSettings.of(1e-2)));
    }
    PopulationStepper population = new PopulationStepper(pop, sets, AdamSettings.of(1e-2));

    for (int step = 0; step < 6; step++) {
      if (step == 4) {
        population.retire(1); // decided: stops updating; its single run stops too
      }
      List<Batch> batches = new ArrayList<>();
      for (int m = 0; m < K; m++) {
        batches.add(batch(singles.get(m), m, step));
      }
      double[] expectedBefore = new double[K];
      for (int m = 0; m < K; m++) {
        expectedBefore[m] = new LossEvaluator(singles.get(m).model()).loss(batches.get(m));
      }
      double[] evaluated = pop.memberLosses(batches);
      double[] trained = population.step(batches);
      for (int m = 0; m < K; m++) {
        assertEquals(expectedBefore[m], evaluated[m], 1e-5 * Math.abs(expectedBefore[m]),
            "member " + m + " evaluation at step " + step);
        if (!population.retired().contains(m)) {
          double single = steppers.get(m).step(batches.get(m));
          assertEquals(single, trained[m], 1e-5 * Math.abs(single),
              "member " + m + " training loss at step " + step);
        }
      }
    }
    // Frozen parameters bit-identical; trained ones moved. (Trained values are compared
    // through the losses above, not element by element: the key bias's exact gradient is 0 —
    // softmax ignores a shift shared by all keys — so Adam turns rounding noise of either
    // computation into steps of ±lr there.)
    for (int m = 0; m < K; m++) {
      Set<String> set = Set.copyOf(sets.get(m));
      int moved = 0;
      for (String v : pop.parameterVariables()) {
        INDArray got = pop.memberParameter(v, m);
        if (!set.contains(v)) {
          assertEquals(initial.get(m).get(v), got, "member " + m + " frozen " + v + " changed");
        } else if (!got.equals(initial.get(m).get(v))) {
          moved++;
        }
      }
      assertEquals(set.size(), moved, "member " + m + ": every trained parameter moves");
    }
  }

  /** One member of a random population: which block it wipes, how, and what trains. */
  record Member(int layer, ReinitScheme scheme, FreezePolicy policy) {}

  @Provide
  Arbitrary<List<Member>> mixes() {
    Arbitrary<Member> member = net.jqwik.api.Combinators.combine(
        Arbitraries.integers().between(0, 1),
        Arbitraries.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput(),
            ReinitScheme.restoreInitial(), ReinitScheme.shrinkPerturb(0.5, 0.01)),
        Arbitraries.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
            FreezePolicy.wipedPlusNeighbours(1), FreezePolicy.wipedPlusHead(),
            FreezePolicy.allTrainable()))
        .as(Member::new);
    return member.list().ofMinSize(2).ofMaxSize(4);
  }

  /**
   * Random mixes of wiped layers, reinit schemes and freeze policies (wiped through the
   * surgeon, trainable sets resolved by the policy): every member's training loss within 1e-5
   * relative of its single run at every step, its frozen parameters bit-identical.
   */
  @Property(tries = 3, seed = "20261129", shrinking = ShrinkingMode.OFF)
  void randomMixesStepLikeTheirSingleRuns(@ForAll("mixes") List<Member> mix) {
    List<ReferenceModel> singles = new ArrayList<>();
    List<List<String>> sets = new ArrayList<>();
    for (int m = 0; m < mix.size(); m++) {
      Member member = mix.get(m);
      ReferenceModel r = ReferenceModel.build(TinyModels.decoder());
      Map<String, INDArray> theta0 = r.weights();
      Nd4j.getRandom().setSeed(7); // the same "trained original" for every member
      for (String v : r.parameterVariables()) {
        INDArray a = r.graph().getVariable(v).getArr();
        a.addi(Nd4j.rand(a.dataType(), a.shape()).subi(0.5).muli(0.1));
      }
      SameDiffSurgeon surgeon = SameDiffSurgeon.of(r.model(), theta0);
      List<LayerPath> wiped = List.of(LayerPath.block(member.layer()));
      surgeon.wipe(wiped, member.scheme(), 17 + m);
      List<String> names = new ArrayList<>();
      for (ParameterPath q : member.policy().resolve(r.layers().layout(), wiped, 0)) {
        names.add(r.layers().variable(q));
      }
      singles.add(r);
      sets.add(names);
    }
    PopulationModel pop = PopulationModel.stack(singles);
    List<Map<String, INDArray>> initial = new ArrayList<>();
    List<AdamStepper> steppers = new ArrayList<>();
    for (int m = 0; m < mix.size(); m++) {
      initial.add(singles.get(m).weights());
      steppers.add(new AdamStepper(singles.get(m).model(), sets.get(m), AdamSettings.of(1e-2)));
    }
    PopulationStepper population = new PopulationStepper(pop, sets, AdamSettings.of(1e-2));
    for (int step = 0; step < 4; step++) {
      List<Batch> batches = new ArrayList<>();
      for (int m = 0; m < mix.size(); m++) {
        batches.add(batch(singles.get(m), m, step));
      }
      double[] trained = population.step(batches);
      for (int m = 0; m < mix.size(); m++) {
        double single = steppers.get(m).step(batches.get(m));
        assertEquals(single, trained[m], 1e-5 * Math.abs(single),
            "member " + m + " " + mix.get(m) + " at step " + step);
      }
    }
    for (int m = 0; m < mix.size(); m++) {
      Set<String> set = Set.copyOf(sets.get(m));
      for (String v : pop.parameterVariables()) {
        if (!set.contains(v)) {
          assertEquals(initial.get(m).get(v), pop.memberParameter(v, m),
              "member " + m + " " + mix.get(m) + ": frozen " + v + " changed");
        }
      }
    }
  }

  @Test
  void aPopulationOfDifferentConfigurationsIsRefused() {
    List<ReferenceModel> two = List.of(ReferenceModel.build(TinyModels.decoder()),
        ReferenceModel.build(TinyModels.decoder().toBuilder().dFf(16).build()));
    assertThrows(IllegalArgumentException.class, () -> PopulationModel.stack(two));
  }
}
