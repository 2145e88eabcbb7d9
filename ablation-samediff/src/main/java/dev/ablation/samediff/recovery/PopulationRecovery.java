package dev.ablation.samediff.recovery;

import dev.ablation.samediff.NativeMemory;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.model.PopulationModel;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamStepper;
import dev.ablation.samediff.train.PopulationStepper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * How {@link Recovery#runTogether} runs K recoveries of one trained original in one graph
 * ({@link PopulationModel}), and the types it takes: each member
 * is a {@link Recovery} (wipe target, reinit scheme, freeze policy, wipe seed) with its own
 * training order. Every member gets what its single {@link Recovery#run(Iterator, List)}
 * would get, computed by the same code: the surgeon wipes the original with the member's seed
 * and measures the step-0 damage, the member's policy sets the trainable set, a
 * {@link RecoveryMonitor} per member charges its steps, takes its validation losses on the
 * settings' schedule and decides its verdict, and the final fidelity is measured on the
 * original's graph with the member's weights written in. What differs is only how the steps
 * run: one {@link PopulationStepper} step for all members instead of K single steps (the
 * single run's fast path over cached activations does not exist per member here; every member
 * runs the whole graph).
 *
 * <p>A member whose verdict is decided stops updating ({@link PopulationStepper#retire}); with
 * {@link Shrink#AT_HALF}, once at most half of the population's members still train, the
 * population is rebuilt from them alone (parameters and Adam state carried over), so decided
 * members stop costing compute.
 *
 * <p>Limits, refused with a message: pre-LN decoder-only reference models with untied
 * embeddings in float (what {@link PopulationModel} covers); one Adam setting for every member;
 * no freeze-policy schedules (a single run restarts its optimiser at each change); no wall-time
 * budget (the wall time of one member of a batch is not defined); equal batch sizes across
 * members at every step.
 */
public final class PopulationRecovery {
  private PopulationRecovery() {}

  /**
   * One member: a recovery built by {@link Recovery#builder} on the population's surgeon, and
   * its training order. It runs as {@link Recovery#run(Iterator, List)} would run it (its wipe,
   * seed, policy, settings with listener, optimiser and manifest configuration), stepped with
   * the other members in one stacked graph.
   *
   * @param recovery what this member does
   * @param training this member's batches in training order (endless)
   */
  public record Member(Recovery recovery, Iterator<Batch> training) {
    /** Validates the fields. */
    public Member {
      Objects.requireNonNull(recovery, "recovery");
      Objects.requireNonNull(training, "training");
    }

    Recovery.Plan plan() {
      return recovery.plan();
    }
  }

  /** Whether decided members leave the batch. */
  public enum Shrink {
    /** Decided members stay in the graph, masked (computed and discarded): no rebuild. */
    NEVER,
    /** Rebuild the population from the members still training once they are at most half. */
    AT_HALF
  }

  /** As {@link #run(ReferenceModel, SameDiffSurgeon, List, List, Shrink, BiConsumer)} with
   * {@link Shrink#AT_HALF} and no callback. */
  static List<RecoveryResult> run(ReferenceModel original, SameDiffSurgeon surgeon,
      List<Member> members, List<Batch> validation) {
    return run(original, surgeon, members, validation, Shrink.AT_HALF, (k, r) -> { });
  }

  /**
   * Runs every member and leaves the original as it was (weights and trainable set restored
   * to what they were on entry).
   *
   * @param original the trained reference model
   * @param surgeon a surgeon over {@code original.model()} (its initial weights serve
   *     {@code RESTORE_INITIAL})
   * @param members the runs, in the order of the results
   * @param validation held-out batches, every member evaluated on all of them
   * @param shrink whether decided members leave the batch
   * @param decided called with each member's index and result as soon as it is decided (for
   *     resume-safe per-run records), in the order members are decided
   * @return one result per member, in member order
   * @throws IllegalArgumentException for anything outside the limits in the class comment
   */
  static List<RecoveryResult> run(ReferenceModel original, SameDiffSurgeon surgeon,
      List<Member> members, List<Batch> validation, Shrink shrink,
      BiConsumer<Integer, RecoveryResult> decided) {
    return run(original, surgeon, members, validation, shrink, decided, null);
  }

  /** As the public {@code run}; {@code finalWeights}, when given, receives each decided
   * member's parameters (tests check frozen ones bit by bit). */
  static List<RecoveryResult> run(ReferenceModel original, SameDiffSurgeon surgeon,
      List<Member> members, List<Batch> validation, Shrink shrink,
      BiConsumer<Integer, RecoveryResult> decided,
      BiConsumer<Integer, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> finalWeights) {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(surgeon, "surgeon");
    Objects.requireNonNull(shrink, "shrink");
    Objects.requireNonNull(decided, "decided");
    if (validation == null || validation.isEmpty()) {
      throw new IllegalArgumentException("recovery needs at least one validation batch");
    }
    if (surgeon.model() != original.model()) {
      throw new IllegalArgumentException("the surgeon must operate on the original's model");
    }
    validate(members);
    for (int m = 0; m < members.size(); m++) {
      if (members.get(m).recovery().surgeon() != surgeon) {
        throw new IllegalArgumentException("member " + m + " was built on another surgeon;"
            + " build every member with Recovery.builder(surgeon) on the population's surgeon");
      }
    }
    int k = members.size();
    WeightSnapshot entry = surgeon.snapshot();
    LossEvaluator.Evaluation before = new LossEvaluator(original.model()).evaluate(validation);
    long parameters = 0;
    for (String name : AdamStepper.trainableVariablesOf(original.graph())) {
      parameters += original.graph().getVariable(name).getArr().length();
    }

    // each member's wipe, damage and trainable set, exactly as its single run sets them
    List<Map<String, org.nd4j.linalg.api.ndarray.INDArray>> weights = new ArrayList<>();
    List<List<String>> trainable = new ArrayList<>();
    List<RecoveryMonitor> monitors = new ArrayList<>();
    try {
      for (Member m : members) {
        Recovery.Plan p = m.plan();
        p.freeze().resolve(surgeon.layout(), p.layers(), 0);
        surgeon.wipe(p.layers(), p.scheme(), p.seed());
        Damage damage = StepZeroDamage.measure(surgeon, p.layers(), before, validation);
        surgeon.freeze(p.freeze(), p.layers(), 0);
        trainable.add(List.copyOf(surgeon.trainableVariables()));
        weights.add(original.weights());
        monitors.add(RecoveryMonitor.start(p.settings(), damage,
            m.recovery().manifest("population")));
        surgeon.restore(entry);
      }
    } finally {
      surgeon.restore(entry);
    }

    RecoveryResult[] results = new RecoveryResult[k];
    PopulationStepper stepper = new PopulationStepper(
        PopulationModel.stack(original, weights), trainable, members.get(0).plan().adam());
    weights.clear();
    // slots.get(i): the member at position i of the current population
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      slots.add(i);
    }
    Evaluator evaluator = new Evaluator(validation);
    for (int i = 0; i < k; i++) {
      if (monitors.get(i).isFinished()) { // UNDAMAGED, or a wipe that made the loss non-finite
        stepper.retire(i);
        int m = i;
        results[i] = finish(stepper.model(), i, monitors.get(i), original, surgeon, entry,
            before, validation, finalWeights == null ? null : w -> finalWeights.accept(m, w));
        decided.accept(i, results[i]);
      }
    }
    Batch[] last = new Batch[k];
    while (true) {
      int positions = slots.size();
      List<Integer> stepping = new ArrayList<>();
      for (int i = 0; i < positions; i++) {
        int m = slots.get(i);
        if (results[m] != null) {
          continue;
        }
        Batch b;
        try {
          b = members.get(m).training().next();
        } catch (NoSuchElementException e) {
          throw new IllegalStateException("member " + m + "'s training iterator ran out after "
              + monitors.get(m).spent().steps() + " steps; give an endless (cycling) iterator",
              e);
        }
        if (monitors.get(m).tryStep(new Cost(1, b.examples(), b.tokens(),
            6.0 * parameters * b.tokens()))) {
          stepping.add(i);
          last[m] = b;
        } else { // the budget is spent
          stepper.retire(i);
          results[m] = finish(stepper.model(), i, monitors.get(m), original, surgeon, entry,
              before, validation, finalWeights == null ? null : w -> finalWeights.accept(m, w));
          decided.accept(m, results[m]);
        }
      }
      if (stepping.isEmpty()) {
        break;
      }
      List<Batch> batches = new ArrayList<>();
      Batch filler = last[slots.get(stepping.get(0))];
      for (int i = 0; i < positions; i++) {
        int m = slots.get(i);
        batches.add(stepping.contains(i) ? last[m] : filler);
      }
      double[] losses = stepper.step(batches);
      boolean due = false;
      for (int i : stepping) {
        RecoveryMonitor monitor = monitors.get(slots.get(i));
        monitor.stepDone(losses[i]);
        due |= monitor.evaluationDue();
      }
      if (due) {
        double[] validationLosses = evaluator.meanLosses(stepper.model());
        for (int i : stepping) {
          RecoveryMonitor monitor = monitors.get(slots.get(i));
          if (monitor.evaluationDue()) {
            monitor.evaluate(validationLosses[i]);
          }
        }
      }
      List<Integer> training = new ArrayList<>();
      for (int i : stepping) {
        int m = slots.get(i);
        if (monitors.get(m).isFinished()) {
          stepper.retire(i);
          results[m] = finish(stepper.model(), i, monitors.get(m), original, surgeon, entry,
              before, validation, finalWeights == null ? null : w -> finalWeights.accept(m, w));
          decided.accept(m, results[m]);
        } else {
          training.add(i);
        }
      }
      if (shrink == Shrink.AT_HALF && !training.isEmpty() && training.size() < positions
          && 2 * training.size() <= positions) {
        List<Integer> next = new ArrayList<>();
        for (int i : training) {
          next.add(slots.get(i));
        }
        PopulationStepper smaller = stepper.keep(training);
        stepper.close();
        stepper = smaller;
        slots = next;
      }
    }
    stepper.close();
    NativeMemory.trim();
    for (int m = 0; m < k; m++) {
      if (results[m] == null) { // cannot happen: every member leaves the loop decided
        throw new IllegalStateException("member " + m + " ended without a result");
      }
    }
    return List.of(results);
  }

  private static void validate(List<Member> members) {
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException("a population needs at least one member");
    }
    List<String> problems = new ArrayList<>();
    var adam = members.get(0).plan().adam();
    for (int m = 0; m < members.size(); m++) {
      Recovery.Plan p = members.get(m).plan();
      if (!p.adam().equals(adam)) {
        problems.add("member " + m + " uses " + p.adam() + ", member 0 " + adam
            + " (one optimiser setting per population)");
      }
      if (p.freeze().nextChangeAfter(0).isPresent()) {
        problems.add("member " + m + "'s policy " + p.freeze().key() + " changes the "
            + "trainable set during the run (schedules run as single runs)");
      }
      if (p.settings().trainsPastTarget()) {
        problems.add("member " + m + " trains past its target to step "
            + p.settings().horizonSteps() + " (a horizon runs as a single run)");
      }
      if (!p.settings().budget().maxWallTime()
          .equals(TrainingBudget.unlimited().maxWallTime())) {
        problems.add("member " + m + "'s budget " + p.settings().budget() + " caps wall time "
            + "(not defined for one member of a population)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cannot run these members as a population: "
          + problems);
    }
  }

  /** The member at {@code position}'s result, with fidelity measured as its single run does. */
  private static RecoveryResult finish(PopulationModel population, int position,
      RecoveryMonitor monitor, ReferenceModel original, SameDiffSurgeon surgeon,
      WeightSnapshot entry, LossEvaluator.Evaluation before, List<Batch> validation,
      java.util.function.Consumer<Map<String, org.nd4j.linalg.api.ndarray.INDArray>> sink) {
    Optional<Fidelity> fidelity = Optional.empty();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> w = population.memberWeights(position);
    if (sink != null) {
      sink.accept(w);
    }
    if (!before.logits().isEmpty()
        && monitor.verdict().orElse(Verdict.BUDGET_EXHAUSTED) != Verdict.DIVERGED) {
      try {
        original.setWeights(w);
        fidelity = Optional.of(LossEvaluator.fidelity(before,
            new LossEvaluator(original.model()).evaluate(validation)));
      } finally {
        surgeon.restore(entry);
      }
    }
    return monitor.result(fidelity);
  }

  /** Every member's token-weighted mean validation loss, as {@code LossEvaluator.meanLoss}. */
  private static final class Evaluator {
    private final List<Batch> validation;
    private PopulationModel placed;
    private final List<List<Batch>> replicated = new ArrayList<>();

    Evaluator(List<Batch> validation) {
      this.validation = validation;
    }

    double[] meanLosses(PopulationModel population) {
      if (placed != population) {
        placed = population;
        replicated.clear();
        for (Batch b : validation) {
          List<Batch> same = new ArrayList<>();
          for (int i = 0; i < population.members(); i++) {
            same.add(b);
          }
          replicated.add(same);
        }
      }
      double[] sums = new double[population.members()];
      long tokens = 0;
      for (int j = 0; j < validation.size(); j++) {
        double[] losses = population.memberLosses(replicated.get(j));
        for (int i = 0; i < sums.length; i++) {
          sums[i] += losses[i] * validation.get(j).tokens();
        }
        tokens += validation.get(j).tokens();
      }
      for (int i = 0; i < sums.length; i++) {
        sums[i] /= tokens;
      }
      return sums;
    }
  }
}
