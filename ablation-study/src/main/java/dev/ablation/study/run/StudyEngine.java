package dev.ablation.study.run;

import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.store.PopulationChoice;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.TrainingSettings;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.OptionalLong;

/**
 * The tensor work the study needs. An engine implements three calls — {@link #original},
 * {@link #recover} and {@link #scratchExamples} — and may override four defaults: running
 * several recoveries together ({@link #choosePopulation}, {@link #recoverAll}), naming its
 * build ({@link #build}) and releasing what it holds ({@link #close}). The study decides what
 * to run, in which order, and writes every result; an engine trains, wipes and retrains. The
 * SameDiff engine is one implementation; tests use a fake.
 *
 * <p>Determinism: the same spec and request must give the same numbers (on the CPU backend),
 * on any engine the factory opens, so a resumed study matches an uninterrupted one and two
 * workers give the rows of one.
 *
 * <p>Threads: a study opens one engine per worker, on that worker's thread, and only that
 * thread calls it; an engine need not be thread-safe (the SameDiff engine sets the native
 * thread limit of the thread that opens it).
 */
public interface StudyEngine extends AutoCloseable {

  /**
   * Trains the original for {@code spec}, or loads it from the engine's cache (keyed by
   * {@link OriginalSpec#contentHash()}) when it was trained before.
   */
  OriginalRecord original(OriginalSpec spec);

  /**
   * One recovery: wipe, freeze, retrain and judge, as {@link RecoveryRequest} says. Starts
   * from the original's trained weights every time (the original is not changed). The
   * validation loss is evaluated on {@link TrainingSettings#schedule()}: after every step up to
   * step 10, then at gaps doubling up to {@link TrainingSettings#maxEvaluationGap()}
   * ({@link dev.ablation.api.recovery.EvaluationSchedule#geometric}). {@code T_ε} is exact to
   * the step whatever the schedule: the SameDiff engine keeps a copy of the trainable weights
   * after each step since the last evaluation and, when an evaluation first meets the target,
   * searches those copies for the first step at it, confirmed by the next
   * ({@code docs/protocol.md}, "T_ε: the rule"). The result carries the damage at step 0
   * (with the deleted-layer loss in {@link dev.ablation.api.recovery.Damage#lossDeleted()}
   * when the engine can compute it), the curve (a point at step 0, then one per evaluation and
   * per step searched for {@code T_ε}; past the verdict up to
   * {@link TrainingSettings#horizonSteps()} when that is set) and the run's manifest.
   *
   * @param listener sees every evaluation (progress display); must not affect results
   */
  RecoveryResult recover(OriginalRecord original, RecoveryRequest request, RecoveryListener listener);

  /**
   * Whether this engine runs {@code original}'s recoveries {@code runs} (those still to do) in
   * populations, and how many at once: an engine that can train several runs in one graph
   * measures here whether that is faster on this original (a short calibration) and says so.
   * The study then hands that many runs at a time to {@link #recoverAll}. By default: one at a
   * time.
   */
  default PopulationChoice choosePopulation(OriginalRecord original, List<RecoveryRequest> runs) {
    return PopulationChoice.single("the engine runs one recovery at a time");
  }

  /**
   * Several recoveries of one original, each result handed to {@code decided} (with its index
   * in {@code requests}) as soon as it is known, so the study can store it at once; each
   * result must be what {@link #recover} returns for that request, up to floating-point
   * rounding of the losses. By default: {@link #recover} for each, in order.
   */
  default void recoverAll(OriginalRecord original, List<RecoveryRequest> requests,
      RecoveryListener listener, BiConsumer<Integer, RecoveryResult> decided) {
    for (int i = 0; i < requests.size(); i++) {
      decided.accept(i, recover(original, requests.get(i), listener));
    }
  }

  /**
   * {@code T_scratch}: the examples a freshly initialised model of the same shape, trained on
   * the same data, needs to reach the recoveries' target ({@code L* + ε}, same criterion),
   * capped by {@link TrainingSettings#scratchBudget()}; empty when it never does. (With the
   * original's own seed this is where the original's training curve first met the target.)
   */
  OptionalLong scratchExamples(OriginalRecord original);

  /**
   * What this engine's numbers depend on beyond the plan: library versions, native build,
   * backend (name → value, e.g. {@code nd4j → 1.0.0-M2.1}). Recorded in {@code study.json} so
   * that a study resumed on another build is noticed. Empty by default.
   */
  default Map<String, String> build() {
    return Map.of();
  }

  /** Releases the engine's resources; the study calls it once, at the end. */
  @Override
  default void close() {}

  /**
   * Opens an engine that may cache originals under {@code cacheDir}: one per worker. Engines of
   * one study share the directory; an original one worker trained there is loaded by the
   * others, so an engine must save an original completely before {@link #original} returns.
   */
  @FunctionalInterface
  interface Factory {
    /**
     * Opens an engine, on the thread that will use it.
     *
     * @param cacheDir a directory of the study's output the engine may use for its originals
     */
    StudyEngine open(Path cacheDir);
  }
}
