package dev.ablation.cli.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Filter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Where the command line's log records go. ND4J logs through SLF4J, bound here to
 * {@code java.util.logging}, and the fast path through {@code System.Logger}, whose default
 * backend is the same: one root logger decides for both. A terminal with a progress bar shows
 * no records (a record would split the bar mid-line); a study writes them to
 * {@code study.log} in its directory, and to the terminal too with {@code --verbose}.
 * ND4J's start-up "Duplicate TF op mapping" warnings (one per duplicated TensorFlow import
 * name, nothing a user can act on) never reach a terminal.
 */
public final class Logs {
  private Logs() {}

  /** The study's log file, in its directory. */
  public static final String FILE = "study.log";

  private static final Filter NOT_IMPORT_MAPPING = r -> r.getMessage() == null
      || !r.getMessage().startsWith("Duplicate TF op mapping");

  /**
   * Warnings and errors on stderr, nothing below: for examples and {@code bench}, whose
   * output is the few lines they print.
   */
  public static void quiet() {
    Logger root = reset(Level.WARNING);
    root.addHandler(console(Level.WARNING));
  }

  /**
   * Every record from INFO up into {@code file} (appended: a resumed study keeps one log), and
   * onto stderr too when {@code verbose}.
   *
   * @return what to close when the study ends (restores {@link #quiet()})
   */
  public static AutoCloseable toFile(Path file, boolean verbose) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Logger root = reset(Level.INFO);
    // a plain stream, not a FileHandler: no lock file beside the log, no pattern in the path
    StreamHandler f = new StreamHandler(Files.newOutputStream(file, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), new OneLine()) {
      @Override
      public synchronized void publish(LogRecord r) {
        super.publish(r);
        flush(); // a killed study keeps its log
      }
    };
    f.setEncoding(StandardCharsets.UTF_8.name());
    f.setLevel(Level.INFO);
    root.addHandler(f);
    if (verbose) {
      root.addHandler(console(Level.INFO));
    }
    return () -> {
      f.close();
      quiet();
    };
  }

  private static Logger reset(Level level) {
    Logger root = Logger.getLogger("");
    List<Handler> old = new ArrayList<>(List.of(root.getHandlers()));
    for (Handler h : old) {
      root.removeHandler(h);
      h.close();
    }
    root.setLevel(level);
    return root;
  }

  private static Handler console(Level level) {
    ConsoleHandler c = new ConsoleHandler();
    c.setLevel(level);
    c.setFilter(NOT_IMPORT_MAPPING);
    c.setFormatter(new OneLine());
    return c;
  }

  /** {@code 2026-11-29 16:50:01.123 INFO  logger - message}, one line (plus a stack trace). */
  static final class OneLine extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter
        .ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    @Override
    public String format(LogRecord r) {
      StringBuilder b = new StringBuilder();
      b.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
          .append(String.format(Locale.ROOT, "%-7s", r.getLevel().getName())).append(' ')
          .append(r.getLoggerName()).append(" - ").append(formatMessage(r))
          .append(System.lineSeparator());
      if (r.getThrown() != null) {
        java.io.StringWriter w = new java.io.StringWriter();
        r.getThrown().printStackTrace(new java.io.PrintWriter(w));
        b.append(w);
      }
      return b.toString();
    }
  }
}
