package dev.ablation.study.run;

import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;

import java.io.PrintStream;
import java.time.Duration;

/**
 * What the study tells the person watching: jobs started and finished, runs stored. A study
 * calls these one at a time (never concurrently, whatever the number of workers), so an
 * implementation needs no locking; it must not throw and cannot change a result.
 */
public interface Progress {

  /**
   * Once, before the first job.
   *
   * @param total recovery runs in the plan
   * @param alreadyDone of which were stored before (a resumed study)
   * @param workers how many jobs may run at once
   */
  default void start(int total, int alreadyDone, int workers) {}

  /** A worker began {@code job}. */
  default void started(StudyJob job) {}

  /** A worker finished {@code job} after {@code took} (for a run: before it is stored). */
  default void finished(StudyJob job, Duration took) {}

  /** A run was stored: it counts as done from now on. */
  default void stored(RunRecord record) {}

  /** Once, at the end (also after a failure). */
  default void finish() {}

  /** Silence: for tests and embedding. */
  static Progress none() {
    return new Progress() {};
  }

  /**
   * One plain line per stored run ({@code [12/40] decoder N=2 D=32 blocks.1 FRESH onlyWiped
   * seed 2: RECOVERED rho=0.0131 in 3.2 s}) and per trained original: for logs, pipes and CI,
   * where a bar redrawn in place would be noise.
   */
  static Progress lines(PrintStream out) {
    return new LineProgress(new java.io.PrintWriter(out, true));
  }

  /** {@link #lines(PrintStream)} on a writer. */
  static Progress lines(java.io.PrintWriter out) {
    return new LineProgress(out);
  }

  /** A short description of {@code job} for progress displays. */
  static String describe(StudyJob job) {
    OriginalSpec o = job.original();
    String model = String.format(java.util.Locale.ROOT, "%s N=%d D=%d", o.model().arch().key(),
        o.model().nLayers(), o.model().dModel());
    if (job instanceof StudyJob.TrainOriginal) {
      return "original " + model + " seed " + o.seed();
    }
    if (job instanceof StudyJob.MeasureScratch) {
      return "T_scratch " + model + " seed " + o.seed();
    }
    RunKey k = ((StudyJob.Recover) job).key();
    return String.format(java.util.Locale.ROOT, "%s %s %s %s seed %d", model, k.layer(),
        k.scheme(), k.freeze().key(), k.seed());
  }

  /** How long, briefly: {@code 3.2 s}, {@code 4m05s}, {@code 1h02m}. */
  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
    return s >= 3600 ? String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
