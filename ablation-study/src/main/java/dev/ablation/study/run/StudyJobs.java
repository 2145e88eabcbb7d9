package dev.ablation.study.run;

import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.plan.StudyPlan;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Runs one {@link StudyJob} on an engine: the code a local worker and a cluster executor
 * share, so a study gives the same rows wherever its jobs run. A driver lists the work with
 * {@link #pending}, runs originals first, then ships scratch and recovery jobs; each returns a
 * value the driver (or the executor, through {@link ResultStore#add}) stores.
 */
public final class StudyJobs {
  private StudyJobs() {}

  /** The original of {@code spec}: trained, or loaded from the engine's cache. */
  public static OriginalRecord original(StudyEngine engine, OriginalSpec spec) {
    return engine.original(spec);
  }

  /**
   * {@code T_scratch} of {@code original}, or empty when the plan does not measure it or a
   * fresh model never reached the target.
   */
  public static OptionalLong scratch(StudyEngine engine, OriginalRecord original) {
    return original.spec().training().scratch() ? engine.scratchExamples(original)
        : OptionalLong.empty();
  }

  /**
   * One recovery run. Its record needs the original's {@code T_scratch}:
   * {@link #record(OriginalRecord, RecoveryRequest, RecoveryResult, OptionalLong)} makes it once
   * that is known.
   *
   * @param listener sees every evaluation; cannot change the result
   */
  public static RecoveryResult recover(StudyEngine engine, OriginalRecord original,
      RecoveryRequest request, RecoveryListener listener) {
    return engine.recover(original, request, listener);
  }

  /** The record of one run, with the original's {@code T_scratch} (empty when not measured). */
  public static RunRecord record(OriginalRecord original, RecoveryRequest request,
      RecoveryResult result, OptionalLong examplesScratch) {
    return RunRecord.of(RunKey.of(original.spec(), request), request, result, examplesScratch,
        original);
  }

  /**
   * The jobs {@code plan} still needs given what {@code store} holds: for every original with
   * runs left, its training, its scratch measurement (when the plan measures it and the store
   * lacks it) and its runs not yet stored, in plan order.
   */
  public static List<StudyJob> pending(StudyPlan plan, ResultStore store) {
    List<StudyJob> out = new ArrayList<>();
    for (OriginalSpec spec : plan.originals()) {
      List<StudyJob> runs = new ArrayList<>();
      for (RecoveryRequest r : plan.runs(spec)) {
        if (!store.isDone(RunKey.of(spec, r))) {
          runs.add(new StudyJob.Recover(spec, r));
        }
      }
      if (runs.isEmpty()) {
        continue;
      }
      out.add(new StudyJob.TrainOriginal(spec));
      if (spec.training().scratch() && store.scratch(spec).isEmpty()) {
        out.add(new StudyJob.MeasureScratch(spec));
      }
      out.addAll(runs);
    }
    return out;
  }
}
