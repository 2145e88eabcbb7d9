package dev.ablation.cli;

import picocli.CommandLine;

/**
 * How a command that failed while running tells its user why, in one line that always names
 * the cause. Both {@code ablation.jar} and the Spark application install
 * {@link #handler()}: the Spark application printed only the top message before, which hid
 * causes such as "No space left on device" under "cannot store run".
 */
public final class ErrorMessages {
  private ErrorMessages() {}

  /** Prints {@code error: }{@link #describe} to the command's error stream; exit status 1. */
  public static CommandLine.IExecutionExceptionHandler handler() {
    return (ex, cmd, parsed) -> {
      cmd.getErr().println("error: " + describe(ex));
      return 1;
    };
  }

  /**
   * An exception as one line that always says what went wrong: its message, or its type when it
   * has none (an ND4J or JDK exception may carry {@code null}), followed by each cause the
   * message does not already contain (e.g. "No space left on device" under "cannot store run").
   */
  public static String describe(Throwable ex) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = ex; t != null && t != t.getCause(); t = t.getCause()) {
      String m = t.getMessage();
      String text = m == null || m.isBlank() ? t.getClass().getName() + " (no message)"
          : t instanceof java.nio.file.FileSystemException || t instanceof java.io.IOException
              && !(t instanceof java.io.UncheckedIOException) && t != ex
              ? t.getClass().getSimpleName() + ": " + m : m;
      if (b.length() == 0) {
        b.append(text);
      } else if (m == null || !b.toString().contains(m)) {
        b.append("; caused by ").append(text);
      }
    }
    return b.toString();
  }
}
