package dev.ablation.samediff.internal;

import dev.ablation.samediff.NativeMemory;
import com.google.common.collect.ImmutableList;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.CpuAccount;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import dev.ablation.samediff.train.RecoveryStepper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * <b>Internal, not API</b>: the recovery loop behind {@code Recovery.run}, public only so that
 * the study engine (another module) can reach the two runs {@code Recovery} does not express:
 * {@link #retrain} a model whose surgery the caller did (the aside's encoder swaps rebuild the
 * model around a new encoder, so the damage is measured against another graph's original) and
 * {@link #fromScratch} ({@code T_scratch}, where nothing is wiped). It may change or go away in
 * any release without notice. To run a recovery, use {@code Recovery.builder}.
 *
 * <p>Freezing here is exact by construction: the policy sets the surgeon's trainable set (the one
 * record of what trains, see {@link SameDiffSurgeon}), the optimiser ({@link AdamStepper}) reads
 * it and never writes anything else, and the graph is not mutated (unless its owner
 * materialised it for {@code sd.fit}), so no gradient graph is rebuilt between runs. Where
 * everything below the lowest trainable block is frozen, steps run on the graph from that block
 * up, fed the cached residual stream entering it ({@link RecoveryStepper}: the fast path, on by
 * default where it is valid).
 *
 * <p>FLOPs are charged by the usual estimate of 6 × parameters × tokens per training step
 * (forward and backward of the whole model), the same for every freeze policy, so that policies
 * are compared in examples and tokens, not in a FLOP model.
 */
public final class RecoveryLoop {
  private RecoveryLoop() {}

  /**
   * The part of a recovery after the wipe, for surgeries {@code Recovery} cannot express (e.g.
   * a model rebuilt with a new encoder): retrains what {@code freeze} leaves trainable around
   * {@code wiped}, judged against {@code damage}, and reports agreement with {@code original}'s
   * logits at the end when given.
   */
  public static RecoveryResult retrain(SameDiffModel model, Damage damage, List<LayerPath> wiped,
      FreezePolicy freeze, RecoverySettings settings, AdamSettings adam,
      Iterator<Batch> training, List<Batch> validation,
      Optional<LossEvaluator.Evaluation> original, RunManifest manifest) {
    return retrain(SameDiffSurgeon.of(model), damage, wiped, freeze, settings, adam, training,
        validation, original, manifest);
  }

  /**
   * As {@link #retrain(SameDiffModel, Damage, List, FreezePolicy, RecoverySettings,
   * AdamSettings, Iterator, List, Optional, RunManifest)} through {@code surgeon}, whose
   * trainable set the policy sets at the start and at each scheduled change (and leaves as the
   * last phase had it).
   */
  public static RecoveryResult retrain(SameDiffSurgeon surgeon, Damage damage,
      List<LayerPath> wiped, FreezePolicy freeze, RecoverySettings settings, AdamSettings adam,
      Iterator<Batch> training, List<Batch> validation,
      Optional<LossEvaluator.Evaluation> original, RunManifest manifest) {
    requireValidation(validation);
    SameDiffModel model = surgeon.model();
    RecoveryMonitor monitor = RecoveryMonitor.start(settings, damage, manifest);
    Optional<FidelityAt> atTarget =
        train(monitor, surgeon, freeze, wiped, adam, training, validation, original);
    Optional<Fidelity> fidelity = Optional.empty();
    if (original.isPresent() && !original.get().logits().isEmpty()
        && monitor.verdict().orElse(Verdict.BUDGET_EXHAUSTED) != Verdict.DIVERGED) {
      try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.FIDELITY)) {
        fidelity = Optional.of(LossEvaluator.fidelity(original.get(),
            new LossEvaluator(model).evaluate(validation)));
      }
    }
    return monitor.result(fidelity, atTarget);
  }

  /**
   * {@code T_scratch}: trains a freshly initialised model (every parameter trainable) with the
   * same settings and judges it against the original's {@code L*}, so the examples it needs to
   * reach the same target stand next to each {@code T_ε}.
   *
   * @param fresh a new, untrained model of the same architecture
   * @param lossOriginal the original's validation loss {@code L*}
   */
  public static RecoveryResult fromScratch(SameDiffModel fresh, double lossOriginal,
      RecoverySettings settings, AdamSettings adam, Iterator<Batch> training,
      List<Batch> validation, Map<String, String> configuration) {
    requireValidation(validation);
    double l0 = new LossEvaluator(fresh).meanLoss(validation);
    Damage damage = new Damage(lossOriginal, l0, OptionalDouble.empty(), Optional.empty());
    Map<String, String> config = new LinkedHashMap<>(configuration);
    config.put("run", "scratch");
    config.put("adam", adam.toString());
    RunManifest manifest = RunManifest.of(config, Seeds.none(), SameDiffEnvironment.current());
    RecoveryMonitor monitor = RecoveryMonitor.start(settings, damage, manifest);
    // the same loop as a recovery, with every parameter trainable and nothing wiped
    train(monitor, SameDiffSurgeon.of(fresh), FreezePolicy.allTrainable(), List.of(), adam,
        training, validation, Optional.empty());
    return monitor.result(Optional.empty());
  }

  /**
   * Trains until the monitor finishes.
   *
   * @return for a run that trains past its target, its fidelity to {@code original} where the
   *     target was confirmed
   */
  private static Optional<FidelityAt> train(RecoveryMonitor monitor, SameDiffSurgeon surgeon,
      FreezePolicy freeze, List<LayerPath> wiped, AdamSettings adam, Iterator<Batch> training,
      List<Batch> validation, Optional<LossEvaluator.Evaluation> original) {
    Optional<FidelityAt> atTarget = Optional.empty();
    long step = 0;
    RecoveryStepper stepper = stepper(surgeon, freeze, wiped, adam, 0);
    StepCopies copies = copies(monitor, stepper);
    try {
      long nextChange = freeze.nextChangeAfter(0).orElse(Long.MAX_VALUE);
      while (!monitor.isFinished()) {
        if (step == nextChange) {
          if (copies != null && step > 0 && !monitor.isFinished()) {
            // the copies hold the old trainable set only: judge the steps they cover first
            evaluate(monitor, stepper, copies, validation);
            if (monitor.isFinished()) {
              break;
            }
            atTarget = atTarget.or(() -> fidelityAtTarget(monitor, surgeon.model(), validation,
                original));
          }
          // a schedule changed the trainable set: fresh optimiser state for the new set
          stepper.close();
          stepper = stepper(surgeon, freeze, wiped, adam, step);
          if (copies != null) {
            copies.close();
            copies = copies(monitor, stepper);
          }
          nextChange = freeze.nextChangeAfter(step).orElse(Long.MAX_VALUE);
        }
        if (!step(monitor, stepper, training)) {
          break;
        }
        step++;
        if (copies != null && monitor.searchesSteps()) {
          copies.keep(step);
        }
        if (monitor.evaluationDue()
            || (copies != null && copies.full() && monitor.searchesSteps())) {
          evaluate(monitor, stepper, copies, validation);
          atTarget = atTarget.or(() -> fidelityAtTarget(monitor, surgeon.model(), validation,
              original));
        }
      }
    } finally {
      // the run's arena, optimiser state and activation cache go back now, not at some
      // later garbage collection (a study's resident memory grew by each run's otherwise)
      if (copies != null) {
        copies.close();
      }
      stepper.close();
      NativeMemory.trim();
    }
    return atTarget;
  }

  /**
   * Agreement with {@code original} now, when the run has just confirmed its target and trains
   * on past it; empty otherwise (no horizon, a plateau, or no original's logits).
   */
  private static Optional<FidelityAt> fidelityAtTarget(RecoveryMonitor monitor,
      SameDiffModel model, List<Batch> validation, Optional<LossEvaluator.Evaluation> original) {
    if (!monitor.pastTarget() || monitor.targetConfirmedAt().isEmpty() || original.isEmpty()
        || original.get().logits().isEmpty()) {
      return Optional.empty();
    }
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.FIDELITY)) {
      return Optional.of(new FidelityAt(monitor.targetConfirmedAt().orElseThrow(),
          LossEvaluator.fidelity(original.get(), new LossEvaluator(model).evaluate(validation))));
    }
  }

  /** Per-step copies of the trainable weights where the monitor searches steps, else null. */
  private static StepCopies copies(RecoveryMonitor monitor, RecoveryStepper stepper) {
    return monitor.searchesSteps()
        ? new StepCopies(stepper.trainableArrays(), StepCopies.DEFAULT_BYTES) : null;
  }

  /**
   * One validation pass of the current weights, judged; where copies are kept, the monitor may
   * search them for the step the target was first met, and the current weights are put back.
   */
  private static void evaluate(RecoveryMonitor monitor, RecoveryStepper stepper,
      StepCopies copies, List<Batch> validation) {
    double loss;
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.RECOVERY_EVALUATION)) {
      // on the fast path only the part above the cut runs, on cached activations
      loss = stepper.meanLoss(validation);
    }
    if (copies == null) {
      monitor.evaluate(loss);
      return;
    }
    try {
      monitor.evaluate(loss, at -> {
        try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.RECOVERY_SEARCH)) {
          return copies.lossAt(at, () -> stepper.meanLoss(validation));
        }
      });
    } finally {
      copies.putBack();
    }
  }

  /** Charges and runs one step; false when the run is over. */
  private static boolean step(RecoveryMonitor monitor, RecoveryStepper stepper,
      Iterator<Batch> training) {
    Batch b;
    try {
      b = training.next();
    } catch (NoSuchElementException e) {
      throw new IllegalStateException("the training iterator ran out after "
          + monitor.spent().steps() + " steps; give an endless (cycling) iterator", e);
    }
    if (!monitor.tryStep(new Cost(1, b.examples(), b.tokens(),
        6.0 * stepper.parameterCount() * b.tokens()))) {
      return false;
    }
    double loss;
    try (CpuAccount.Scope s = CpuAccount.enter(stepper.adam().steps() == 0
        ? CpuAccount.Phase.RECOVERY_FIRST_STEP : CpuAccount.Phase.RECOVERY_STEPS)) {
      loss = stepper.tryStep(b);
    }
    monitor.stepDone(loss);
    return true;
  }

  /** Sets the surgeon's trainable set for {@code step} and a fresh stepper reading it. */
  private static RecoveryStepper stepper(SameDiffSurgeon surgeon, FreezePolicy freeze,
      List<LayerPath> wiped, AdamSettings adam, long step) {
    surgeon.freeze(freeze, wiped, step);
    return RecoveryStepper.create(surgeon, adam);
  }

  private static void requireValidation(List<Batch> validation) {
    if (validation == null || validation.isEmpty()) {
      throw new IllegalArgumentException("recovery needs at least one validation batch");
    }
  }

  /** A never-ending iterator over {@code batches}, in order. */
  public static Iterator<Batch> cycle(List<Batch> batches) {
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("cannot cycle over no batches");
    }
    List<Batch> copy = ImmutableList.copyOf(batches);
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Batch next() {
        Batch b = copy.get(i);
        i = (i + 1) % copy.size();
        return b;
      }
    };
  }
}
