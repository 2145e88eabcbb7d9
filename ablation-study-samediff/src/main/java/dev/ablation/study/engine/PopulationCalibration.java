package dev.ablation.study.engine;

import dev.ablation.api.recovery.Seeds;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.train.RecoveryStepper;
import dev.ablation.samediff.model.PopulationModel;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.PopulationStepper;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.plan.WipeTarget;
import dev.ablation.study.store.OriginalRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Whether K recoveries of one original run faster as one population: which runs may share one,
 * and a calibration that times K single fast-path steps against K steps of the population
 * (thread CPU), each charged its evaluations.
 */
final class PopulationCalibration {
  private PopulationCalibration() {}

  /** Runs a population can take: not the encoder swaps, no freeze schedule. */
  static boolean poolable(RecoveryRequest r) {
    return !(r.target() instanceof WipeTarget.SwapEncoder)
        && r.policy().nextChangeAfter(0).isEmpty();
  }

  /**
   * K single recovery steps (each member a fresh {@link RecoveryStepper} over its own trainable
   * set, on batches of its own training order it has not seen: the fast path as a run meets
   * it) over K steps of one population of the same members, in this thread's CPU time, after
   * one untimed step each; each side charged one validation pass per {@code evalEvery} steps
   * (timed once, after an untimed one). Leaves the original as it was.
   */
  static double calibrate(int steps, OriginalRecord original, Loaded l,
      List<RecoveryRequest> members) {
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    TrainingSettings t = original.spec().training();
    ReferenceModel model = l.trained().model();
    List<List<String>> trainable = new ArrayList<>();
    List<List<Batch>> data = new ArrayList<>();
    AdamSettings adam = Recipes.recoveryAdam(t, 1.0);
    try {
      for (RecoveryRequest r : members) {
        l.surgeon().freeze(r.policy(), r.target().layers(), 0);
        trainable.add(List.copyOf(l.surgeon().trainableVariables()));
        // kept: these batches are stepped on again below (trainingOrder frees each one)
        Iterator<Batch> order = Recipes.keptOrder(l, t, Seeds.derivedFrom(r.seed()).recoveryData());
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
          batches.add(order.next());
        }
        data.add(batches);
      }
      // steps, plus one evaluation per evalEvery steps (the steady schedule): a single run on
      // the fast path evaluates only above its cut, a population every member's whole graph
      double evaluationsPerStep = 1.0 / t.evalEvery();
      double single = 0;
      for (int m = 0; m < members.size(); m++) {
        try (RecoveryStepper stepper =
            RecoveryStepper.create(model.model(), trainable.get(m), adam)) {
          stepper.tryStep(data.get(m).get(0));
          // the activation cache keeps a batch from its second visit on: two passes fill it
          stepper.meanLoss(l.validation());
          stepper.meanLoss(l.validation());
          long c0 = cpu.getCurrentThreadCpuTime();
          for (int i = 1; i <= steps; i++) {
            stepper.tryStep(data.get(m).get(i));
          }
          single += cpu.getCurrentThreadCpuTime() - c0;
          c0 = cpu.getCurrentThreadCpuTime();
          stepper.meanLoss(l.validation());
          single += (cpu.getCurrentThreadCpuTime() - c0) * evaluationsPerStep * steps;
        }
        l.surgeon().restore(l.weights());
      }
      List<Map<String, org.nd4j.linalg.api.ndarray.INDArray>> weights = new ArrayList<>();
      for (int m = 0; m < members.size(); m++) {
        weights.add(model.weights());
      }
      PopulationStepper population = new PopulationStepper(PopulationModel.stack(model, weights),
          trainable, adam);
      population.step(round(data, 0));
      evaluate(population.model(), l.validation());
      long c0 = cpu.getCurrentThreadCpuTime();
      for (int i = 1; i <= steps; i++) {
        population.step(round(data, i));
      }
      double pop = cpu.getCurrentThreadCpuTime() - c0;
      c0 = cpu.getCurrentThreadCpuTime();
      evaluate(population.model(), l.validation());
      pop += (cpu.getCurrentThreadCpuTime() - c0) * evaluationsPerStep * steps;
      population.close();
      data.forEach(batches -> batches.forEach(Batch::free));
      return single / Math.max(1, pop);
    } finally {
      l.surgeon().restore(l.weights());
    }
  }

  /** Every member's loss on every validation batch, as a population recovery evaluates. */
  private static void evaluate(PopulationModel population, List<Batch> validation) {
    for (Batch b : validation) {
      population.memberLosses(java.util.Collections.nCopies(population.members(), b));
    }
  }

  private static List<Batch> round(List<List<Batch>> data, int i) {
    List<Batch> out = new ArrayList<>();
    for (List<Batch> d : data) {
      out.add(d.get(i));
    }
    return out;
  }
}
