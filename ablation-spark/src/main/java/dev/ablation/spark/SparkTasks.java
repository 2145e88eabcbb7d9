package dev.ablation.spark;

import dev.ablation.study.Original;
import dev.ablation.study.OriginalSpec;
import dev.ablation.study.Progress;
import dev.ablation.study.RecoveryRequest;
import dev.ablation.study.RunKey;
import dev.ablation.study.StudyEngine;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs on the executors. Each function gets serialisable specs and the output path,
 * opens its own engine, writes its results as files under the shared output directory and
 * returns only counts. A run that throws is written as a {@code FAILED} record; only an
 * error writing a file fails the task (Spark then retries it, and the retry skips the runs
 * whose records exist).
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
    try (StudyEngine engine = engines.open(out.resolve(SparkStudy.ORIGINALS))) {
      Original original = engine.original(spec);
      if (spec.training().scratch() && RunFiles.scratch(out, spec).isEmpty()) {
        OptionalLong t = engine.scratchExamples(original);
        RunFiles.putScratch(out, spec, t);
      }
      return new TaskReport(what, spec.contentHash(), 0, 0, 0, seconds(t0), null);
    } catch (RuntimeException e) {
      LOG.error("original {} failed; its runs become FAILED rows", what, e);
      return new TaskReport(what, spec.contentHash(), 0, 0, 0, seconds(t0), describe(e));
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
    try (StudyEngine engine = engines.open(out.resolve(SparkStudy.ORIGINALS))) {
      Original original = null;
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
            original = engine.original(spec);
            scratch = spec.training().scratch()
                ? RunFiles.scratch(out, spec).orElseGet(OptionalLong::empty)
                : OptionalLong.empty();
          } catch (RuntimeException e) {
            LOG.error("original {} failed; its runs become FAILED rows", what, e);
            originalError = describe(e);
          }
        }
        ran++;
        if (originalError != null) {
          RunFiles.writeFailed(out, spec, request, originalError);
          failed++;
          continue;
        }
        try {
          RunFiles.writeRecord(out, key, request,
              engine.recover(original, request, Progress.none()), scratch);
        } catch (RuntimeException e) {
          LOG.error("run {} failed; written as a FAILED row", key, e);
          RunFiles.writeFailed(out, spec, request, describe(e));
          failed++;
        }
      }
    }
    return new TaskReport(what, spec.contentHash(), ran, failed, skipped, seconds(t0), null);
  }

  /** The exception's class and message, and where the task ran, for the FAILED row. */
  static String describe(Throwable e) {
    TaskContext tc = TaskContext.get();
    String where = tc == null ? "" : String.format(Locale.ROOT, " (stage %d, partition %d, "
        + "attempt %d)", tc.stageId(), tc.partitionId(), tc.attemptNumber());
    return e.getClass().getName() + ": " + e.getMessage() + where;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
