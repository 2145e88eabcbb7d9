package dev.ablation.spark;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.study.store.FailedRun;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.RunFiles;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.run.Study;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.run.StudyJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs on the executors: a thin shell over {@link StudyJobs}, the code a local study's
 * workers run too. Each function gets serialisable specs and the output path, opens its own
 * engine (on the task's thread, which the engine limits to one native thread), writes its
 * results as files under the shared output directory ({@link RunFiles}) and returns only
 * counts. A run that throws is written as a {@link FailedRun}; only an error writing a file
 * fails the task (Spark then retries it, and the retry skips the runs whose records exist).
 */
final class SparkTasks {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTasks.class);

  private SparkTasks() {}

  /** Stage 1: train (or load) one original and measure its {@code T_scratch}. */
  static TaskReport original(EngineFactory engines, OriginalTask task) {
    long t0 = System.nanoTime();
    ExecutorNatives.check();
    OriginalSpec spec = task.spec();
    Path out = Path.of(task.out());
    String what = spec.model() + " seed " + spec.seed();
    try (StudyEngine engine = engines.open(out.resolve(Study.ORIGINALS))) {
      OriginalRecord original = StudyJobs.original(engine, spec);
      if (spec.training().scratch() && RunFiles.scratch(out, spec).isEmpty()) {
        RunFiles.putScratch(out, spec, StudyJobs.scratch(engine, original));
      }
      return TaskReport.builder(what, spec.contentHash()).seconds(seconds(t0)).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write T_scratch of " + what + " into " + out, e);
    } catch (RuntimeException e) {
      LOG.error("original {} failed; its runs become FAILED rows", what, e);
      return TaskReport.builder(what, spec.contentHash()).seconds(seconds(t0)).error(describe(e))
          .build();
    }
  }

  /** Stage 2: the runs of one original, each written as its record file when it ends. */
  static TaskReport recoveries(EngineFactory engines, RecoveryTask task) {
    long t0 = System.nanoTime();
    ExecutorNatives.check();
    OriginalSpec spec = task.spec();
    Path out = Path.of(task.out());
    String what = spec.model() + " seed " + spec.seed();
    int ran = 0;
    int failed = 0;
    int skipped = 0;
    try (StudyEngine engine = engines.open(out.resolve(Study.ORIGINALS))) {
      OriginalRecord original = null;
      String originalError = task.originalError();
      OptionalLong scratch = OptionalLong.empty();
      for (RecoveryRequest request : task.runs()) {
        RunKey key = RunKey.of(spec, request);
        if (RunFiles.isDone(out, key)) {
          skipped++; // an earlier attempt of this task wrote it
          continue;
        }
        if (original == null && originalError == null) {
          try {
            original = StudyJobs.original(engine, spec);
            scratch = scratchOf(out, spec);
          } catch (RuntimeException e) {
            LOG.error("original {} failed; its runs become FAILED rows", what, e);
            originalError = describe(e);
          }
        }
        ran++;
        if (originalError != null) {
          RunFiles.write(out, new FailedRun(key, originalError));
          failed++;
          continue;
        }
        RecoveryResult result;
        try {
          result = StudyJobs.recover(engine, original, request, RecoveryListener.none());
        } catch (RuntimeException e) {
          LOG.error("run {} failed; written as a FAILED row", key, e);
          RunFiles.write(out, new FailedRun(key, describe(e)));
          failed++;
          continue;
        }
        RunFiles.write(out, StudyJobs.record(original, request, result, scratch));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a run record of " + what + " into " + out, e);
    }
    return TaskReport.builder(what, spec.contentHash()).ran(ran).failed(failed).skipped(skipped)
        .seconds(seconds(t0)).build();
  }

  /** The original's {@code T_scratch} as stage 1 stored it (empty when not measured). */
  private static OptionalLong scratchOf(Path out, OriginalSpec spec) {
    if (!spec.training().scratch()) {
      return OptionalLong.empty();
    }
    Optional<OptionalLong> t = RunFiles.scratch(out, spec);
    if (t.isEmpty()) {
      throw new IllegalStateException("no T_scratch of " + spec.model() + " seed "
          + spec.seed() + " under " + out + ": stage 1 did not write it");
    }
    return t.get();
  }

  /** The exception's class and message, and where the task ran, for the FAILED row. */
  static String describe(Throwable e) {
    TaskContext tc = TaskContext.get();
    String where = tc == null ? "" : String.format(Locale.ROOT, " (Spark stage %d, partition "
        + "%d, attempt %d)", tc.stageId(), tc.partitionId(), tc.attemptNumber());
    String m = e.getMessage();
    return e.getClass().getName() + (m == null ? "" : ": " + m) + where;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
