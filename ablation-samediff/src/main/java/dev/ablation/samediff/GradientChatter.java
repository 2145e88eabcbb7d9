package dev.ablation.samediff;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Keeps SameDiff's gradient-graph chatter off a user's standard output. M2.1 prints one
 * "{@value #PREFIX}…" line with {@code System.out.println} for every op each time it builds a
 * gradient function (≈ 220 lines for a small transformer, again after every freeze or unfreeze),
 * and offers no switch: the only way to keep it out is to stand between {@code System.out} and
 * the console while the function is built.
 *
 * <p>So the library builds gradient functions itself, in {@link #buildGradientFunction}, with
 * {@code System.out} replaced for that call only by a filter that drops exactly those lines and
 * passes every other byte through at once (a user's own line printed meanwhile, by any thread,
 * still arrives). {@code Recovery.startFit} builds the function a user's {@code sd.fit} would
 * otherwise build (and print) on its first step. Nested and concurrent calls share one filter;
 * the original stream is put back when the last one ends.
 */
public final class GradientChatter {
  /** The start of each line SameDiff prints per differentiated op. */
  public static final String PREFIX = "Added differentiated op ";

  private static final Object LOCK = new Object();
  private static int depth;
  private static PrintStream original;

  private GradientChatter() {}

  /** Builds {@code sd}'s gradient function, if it has none, without the chatter. */
  public static void buildGradientFunction(SameDiff sd) {
    Objects.requireNonNull(sd, "sd");
    if (sd.getFunction("grad") == null) {
      quietly(() -> {
        sd.createGradFunction();
        return null;
      });
    }
  }

  /**
   * Runs {@code body} with lines starting with {@value #PREFIX} dropped from
   * {@code System.out}; everything else passes unchanged.
   */
  public static <T> T quietly(Supplier<T> body) {
    Objects.requireNonNull(body, "body");
    synchronized (LOCK) {
      if (depth++ == 0) {
        original = System.out;
        // what passes is forwarded byte for byte, so the charset only names the encoding used
        System.setOut(new PrintStream(new DroppingLines(original, PREFIX), true,
            StandardCharsets.UTF_8));
      }
    }
    try {
      return body.get();
    } finally {
      synchronized (LOCK) {
        if (--depth == 0) {
          System.out.flush();
          System.setOut(original);
          original = null;
        }
      }
    }
  }

  /**
   * Passes bytes through unchanged, except lines starting with a prefix. Only the start of a
   * line that could still be the prefix is held back, so a progress bar redrawn in place
   * ({@code \r} without {@code \n}) shows at once.
   */
  static final class DroppingLines extends OutputStream {
    private final PrintStream target;
    private final byte[] prefix;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean passing;
    private boolean dropping;

    DroppingLines(PrintStream target, String prefix) {
      this.target = target;
      this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n' || b == '\r') {
        if (!dropping) {
          target.write(held.toByteArray(), 0, held.size());
          target.write(b);
        }
        held.reset();
        passing = false;
        dropping = false;
        return;
      }
      if (passing) {
        target.write(b);
      } else if (!dropping) {
        held.write(b);
        int n = held.size();
        if (held.toByteArray()[n - 1] != prefix[n - 1]) {
          passing = true; // not the prefix: let the line through
          target.write(held.toByteArray(), 0, n);
          held.reset();
        } else if (n == prefix.length) {
          dropping = true;
          held.reset();
        }
      }
    }

    @Override
    public synchronized void flush() {
      target.flush();
    }
  }
}
