package dev.ablation.cli;

import dev.ablation.study.run.Progress;
import dev.ablation.study.run.StudyJob;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One bar for all workers on a terminal: runs done of all, ETA, and what each worker is on,
 * redrawn in place and cut to the terminal's width (the progressbar library asks the terminal
 * through JLine). Only for a terminal: {@link #forTerminalOr} falls back to plain lines.
 */
final class BarProgress implements Progress {
  private final PrintStream out;
  private final Map<StudyJob, String> running = new LinkedHashMap<>();
  private ProgressBar bar;
  private long done;
  private int messageWidth;

  private BarProgress(PrintStream out) {
    this.out = out;
  }

  /**
   * A bar on {@code terminal} when standard output is a terminal, else {@code otherwise}.
   * Give it a stream straight to the terminal, not {@code System.out}, which the command line
   * filters line by line (SameDiff's chatter would otherwise run into the bar's line).
   */
  static Progress forTerminalOr(PrintStream terminal, Progress otherwise) {
    return stdoutIsTerminal() ? new BarProgress(terminal) : otherwise;
  }

  /**
   * Whether standard output is a terminal. Java 17's {@code System.console()} exists only
   * when it is (and stdin is); from Java 22 it may exist for pipes too, and
   * {@code Console.isTerminal()} says.
   */
  static boolean stdoutIsTerminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      Method isTerminal = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(c);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  @Override
  public void start(int total, int alreadyDone, int workers) {
    done = alreadyDone;
    ConsoleProgressBarConsumer consumer = new ConsoleProgressBarConsumer(out);
    // the library gives the bar what the rest of the line leaves: keep ~25 columns for it
    messageWidth = Math.max(0, consumer.getMaxRenderedLength() - 70);
    bar = new ProgressBarBuilder()
        .setTaskName(workers == 1 ? "study" : "study x" + workers)
        .setInitialMax(total)
        .startsFrom(alreadyDone, Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .continuousUpdate()
        .setConsumer(consumer)
        .build();
  }

  @Override
  public void started(StudyJob job) {
    running.put(job, brief(job));
    message();
  }

  @Override
  public void finished(StudyJob job, Duration took) {
    running.remove(job);
    if (job instanceof StudyJob.Recover) {
      // counted when finished, not when stored: a run's row may wait for T_scratch
      done++;
      bar.stepTo(done);
    }
    message();
  }

  @Override
  public void finish() {
    if (bar != null) {
      running.clear();
      message();
      bar.close();
    }
  }

  private void message() {
    String m = String.join(" | ", running.values());
    bar.setExtraMessage(m.length() <= messageWidth ? m
        : m.substring(0, Math.max(0, messageWidth - 2)) + "..");
  }

  /** What a worker is on, short enough for several to fit one line. */
  private static String brief(StudyJob job) {
    var o = job.original();
    String model = "N" + o.model().nLayers() + "D" + o.model().dModel() + " s" + o.seed();
    if (job instanceof StudyJob.TrainOriginal) {
      return "train " + model;
    }
    if (job instanceof StudyJob.MeasureScratch) {
      return "scratch " + model;
    }
    var k = ((StudyJob.Recover) job).key();
    return model + " " + k.layer() + " " + k.scheme() + " " + k.freeze().key();
  }
}
