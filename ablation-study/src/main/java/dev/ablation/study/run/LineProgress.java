package dev.ablation.study.run;

import dev.ablation.study.store.RunRecord;
import dev.ablation.study.store.StudyRow;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** {@link Progress#lines}: one line per stored run and per finished original or scratch job. */
final class LineProgress implements Progress {
  private final PrintWriter out;
  private int total;
  private int done;

  LineProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void start(int total, int alreadyDone, int workers) {
    this.total = total;
    this.done = alreadyDone;
    out.printf(Locale.ROOT, "%d runs, %d done before, %d left, %d worker%s%n", total,
        alreadyDone, total - alreadyDone, workers, workers == 1 ? "" : "s");
    out.flush();
  }

  @Override
  public void finished(StudyJob job, Duration took) {
    if (!(job instanceof StudyJob.Recover)) {
      out.printf(Locale.ROOT, "%s in %s%n", Progress.describe(job), Progress.duration(took));
      out.flush();
    }
  }

  @Override
  public void stored(RunRecord r) {
    done++;
    StudyRow row = r.row();
    String rho = row.rho().isPresent()
        ? String.format(Locale.ROOT, " rho=%.4f", row.rho().getAsDouble()) : "";
    out.printf(Locale.ROOT, "[%d/%d] %s N=%d D=%d %s %s %s seed %d: %s%s in %s%n", done, total,
        r.key().arch().key(), r.key().nLayers(), r.key().dModel(), r.key().layer(), r.key().scheme(),
        r.key().freeze().key(), r.key().seed(), row.verdict(), rho,
        Progress.duration(Duration.ofMillis(Math.round(row.wallSeconds() * 1000))));
    out.flush();
  }
}
