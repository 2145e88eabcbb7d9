package dev.ablation.study;

import dev.ablation.api.recovery.RecoveryListener;
import java.io.PrintStream;

/** What the study tells the person watching: runs done, ETA, what runs now. */
public interface Progress extends RecoveryListener {

  /** Once, before the first run: {@code alreadyDone} of {@code total} runs were done before. */
  default void start(int total, int alreadyDone) {}

  /** Something long begins (training an original, a run). */
  default void working(String what) {}

  /** One recovery run finished. */
  default void runDone() {}

  /** Once, at the end. */
  default void finish() {}

  /** Silence: for pipes, files and tests. */
  static Progress none() {
    return new Progress() {};
  }

  /** A bar with ETA on a terminal (stderr), silence when there is no console. */
  static Progress forConsole() {
    return System.console() == null ? none() : new ConsoleProgress(System.err,
        com.google.common.base.Ticker.systemTicker());
  }

  /** A bar on {@code out}, whatever it is. */
  static Progress bar(PrintStream out, com.google.common.base.Ticker ticker) {
    return new ConsoleProgress(out, ticker);
  }
}
