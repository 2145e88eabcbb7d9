package dev.ablation.study;

import com.google.common.base.Strings;
import com.google.common.base.Ticker;
import dev.ablation.api.recovery.CurvePoint;
import java.io.PrintStream;
import java.util.Locale;

/** A one-line bar redrawn in place: {@code [=====>    ] 12/40 30% ETA 3m05s  what}. */
final class ConsoleProgress implements Progress {
  private static final int WIDTH = 24;
  private static final long MIN_REDRAW_NANOS = 200_000_000L;

  private final PrintStream out;
  private final Ticker ticker;
  private long startNanos;
  private long lastDraw = Long.MIN_VALUE;
  private int total;
  private int before;
  private int done;
  private String what = "";
  private String detail = "";

  ConsoleProgress(PrintStream out, Ticker ticker) {
    this.out = out;
    this.ticker = ticker;
  }

  @Override
  public void start(int total, int alreadyDone) {
    this.total = total;
    this.before = alreadyDone;
    this.startNanos = ticker.read();
    draw(true);
  }

  @Override
  public void working(String what) {
    this.what = what;
    this.detail = "";
    draw(true);
  }

  @Override
  public void onEvaluation(CurvePoint p) {
    detail = String.format(Locale.ROOT, " step %d loss %.4f", p.step(), p.loss());
    draw(false);
  }

  @Override
  public void runDone() {
    done++;
    draw(true);
  }

  @Override
  public void finish() {
    what = "done";
    detail = "";
    draw(true);
    out.println();
    out.flush();
  }

  private void draw(boolean force) {
    long now = ticker.read();
    if (!force && now - lastDraw < MIN_REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    int finished = before + done;
    double frac = total == 0 ? 1 : (double) finished / total;
    int filled = (int) Math.round(frac * WIDTH);
    String bar = Strings.repeat("=", filled) + (filled < WIDTH ? ">" : "")
        + Strings.repeat(" ", Math.max(0, WIDTH - filled - 1));
    String line = String.format(Locale.ROOT, "\r[%s] %d/%d %3.0f%% ETA %s  %s%s", bar, finished,
        total, 100 * frac, eta(now, finished), what, detail);
    out.print(Strings.padEnd(line, 110, ' '));
    out.flush();
  }

  private String eta(long now, int finished) {
    if (done == 0) {
      return "--";
    }
    double perRun = (now - startNanos) / 1e9 / done;
    long s = Math.round(perRun * (total - finished));
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
