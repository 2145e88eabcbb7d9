package dev.ablation.study.run;

import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.RunKey;

import java.io.Serializable;

/**
 * One unit of a study's work, as data: what a local worker takes from the queue and what a
 * cluster driver ships to an executor. {@link StudyJobs} runs one on an engine; a study runs
 * them in an order where every {@link Recover} and {@link MeasureScratch} comes after the
 * {@link TrainOriginal} of its original.
 */
public sealed interface StudyJob extends Serializable {

  /** The original this job trains or works on. */
  OriginalSpec original();

  /**
   * Train (or load from the engine's cache) one original: the job every other job of that
   * original waits for.
   *
   * @param original what to train
   */
  record TrainOriginal(OriginalSpec original) implements StudyJob {
    /** Validates that the spec is present. */
    public TrainOriginal {
      if (original == null) {
        throw new IllegalArgumentException("original is required");
      }
    }
  }

  /**
   * Measure {@code T_scratch} of one original: one more job, beside its recoveries.
   *
   * @param original whose fresh twin trains
   */
  record MeasureScratch(OriginalSpec original) implements StudyJob {
    /** Validates that the spec is present. */
    public MeasureScratch {
      if (original == null) {
        throw new IllegalArgumentException("original is required");
      }
    }
  }

  /**
   * One recovery run.
   *
   * @param original the trained original it starts from
   * @param request what to wipe, how, what trains
   */
  record Recover(OriginalSpec original, RecoveryRequest request) implements StudyJob {
    /** Validates that the parts are present. */
    public Recover {
      if (original == null || request == null) {
        throw new IllegalArgumentException("original and request are required");
      }
    }

    /** The run's key. */
    public RunKey key() {
      return RunKey.of(original, request);
    }
  }
}
