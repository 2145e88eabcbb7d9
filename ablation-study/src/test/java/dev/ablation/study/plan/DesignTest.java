package dev.ablation.study.plan;

import dev.ablation.study.plan.Design;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.WipeKind;
import dev.ablation.study.plan.WipeTarget;

import dev.ablation.api.Architecture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The one-at-a-time design is the subset of the factorial that differs from the primary arm
 * (first kind, scheme, policy, rate) in at most one factor, and in none away from the arm
 * depths. Checked by counting the differing factors of every factorial cell.
 */
class DesignTest {

  private static StudyPlan plan(List<Integer> depths, int schemes, int policies, int rates) {
    List<ReinitScheme> s = List.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(),
        ReinitScheme.zeroOutput()).subList(0, schemes);
    List<FreezePolicy> p = List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable(),
        FreezePolicy.wipedPlusHead()).subList(0, policies);
    List<Double> lr = List.of(1.0, 0.3, 3.0).subList(0, rates);
    return StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(depths).widths(List.of(32))
        .heads(4).wipe(List.of()).schemes(s).policies(p).seeds(List.of(7L))
        .training(Presets.DEFAULT.plan().training()).recoveryLr(lr).kinds(WipeKind.SUBLAYERS)
        .build();
  }

  @Property(tries = 40)
  void oneAtATimeIsTheFactorialCellsOneFactorFromThePrimaryArm(
      @ForAll @IntRange(min = 1, max = 3) int schemes,
      @ForAll @IntRange(min = 1, max = 3) int policies,
      @ForAll @IntRange(min = 1, max = 3) int rates,
      @ForAll @IntRange(min = 1, max = 5) int armDepth) {
    StudyPlan factorial = plan(List.of(1, 3, 5), schemes, policies, rates);
    StudyPlan oat = factorial.toBuilder()
        .design(Design.oneAtATime(List.of(armDepth))).build();
    for (OriginalSpec o : factorial.originals()) {
      Map<WipeTarget, WipeKind> kindOf = new HashMap<>();
      for (WipeKind k : factorial.kinds()) {
        for (int i = 0; i < o.model().nLayers(); i++) {
          WipeTarget.of(k, o.model(), i).forEach(t -> kindOf.put(t, k));
        }
      }
      List<RecoveryRequest> expected = new ArrayList<>();
      for (RecoveryRequest r : factorial.runs(o)) {
        int differing = (kindOf.get(r.target()) == factorial.kinds().get(0) ? 0 : 1)
            + (r.scheme().equals(factorial.schemes().get(0)) ? 0 : 1)
            + (r.policy().equals(factorial.policies().get(0)) ? 0 : 1)
            + (r.lrMultiple() == factorial.recoveryLr().get(0) ? 0 : 1);
        if (differing == 0 || (differing == 1 && o.model().nLayers() == armDepth)) {
          expected.add(r);
        }
      }
      assertThat(oat.runs(o)).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void standardPresetRunsTheQuestionsArmEverywhereAndTheOthersAtFour() {
    StudyPlan plan = Presets.STANDARD.plan();
    for (OriginalSpec o : plan.originals()) {
      List<RecoveryRequest> runs = plan.runs(o);
      int n = o.model().nLayers();
      long primary = runs.stream().filter(r -> r.target() instanceof WipeTarget.Block
          && r.scheme().equals(ReinitScheme.fresh())).count();
      assertThat(primary).as("FRESH whole-block runs at N=%d", n).isEqualTo(n);
      assertThat(runs).as("runs at N=%d", n).hasSize(n == 4 ? 4 * 6 : n);
    }
  }
}
