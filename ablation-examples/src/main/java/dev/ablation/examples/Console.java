package dev.ablation.examples;

import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.samediff.GradientChatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** How the examples print a result: the verdict, ρ, the step-0 damage and the curve, briefly. */
final class Console {
  private static final int CURVE_POINTS = 8;

  private Console() {}

  /**
   * Keeps ND4J's INFO records and its start-up import-mapping warnings out of an example's
   * output ({@link dev.ablation.cli.console.Logs#quiet()}). Call it first thing in
   * {@code main}.
   */
  static void quietLogs() {
    dev.ablation.cli.console.Logs.quiet();
  }

  /**
   * Runs {@code body} with SameDiff's "Added differentiated op ..." lines dropped from
   * {@code System.out} ({@link GradientChatter#quietly}): M2.1 prints one per op whenever it
   * builds a gradient graph, which would bury an example's few lines of output.
   */
  static <T> T withoutGradientChatter(Supplier<T> body) {
    return GradientChatter.quietly(body);
  }

  /** A few lines describing {@code r}. */
  static String summary(RecoveryResult r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "damage:  L* = %.4f, L0 = %.4f, deleted = %s nats%n",
        r.damage().lossOriginal(), r.damage().lossAfterWipe(),
        r.damage().lossDeleted().isPresent()
            ? String.format(Locale.ROOT, "%.4f", r.damage().lossDeleted().getAsDouble()) : "n/a"));
    s.append(String.format(Locale.ROOT, "target:  %.4f nats%n", r.targetLoss()));
    s.append("verdict: ").append(r.verdict());
    r.budgetCap().ifPresent(c -> s.append(" (").append(c).append(" cap)"));
    s.append(System.lineSeparator());
    if (r.rho().isPresent()) {
      s.append(String.format(Locale.ROOT, "rho:     %.4f  (%d of S x E = %d examples)%n",
          r.rho().getAsDouble(), r.recoveredAt().orElseThrow().examples(),
          r.reference().examples()));
    } else {
      s.append(String.format(Locale.ROOT, "rho:     none (not recovered; spent %d of S x E = %d"
          + " examples)%n", r.spent().examples(), r.reference().examples()));
    }
    s.append("curve:   step:loss");
    for (CurvePoint p : sample(r.curve())) {
      s.append(String.format(Locale.ROOT, "  %d:%.3f", p.step(), p.loss()));
    }
    return s.append(System.lineSeparator()).toString();
  }

  /** At most {@link #CURVE_POINTS} points, evenly spaced, always the first and the last. */
  private static List<CurvePoint> sample(List<CurvePoint> curve) {
    if (curve.size() <= CURVE_POINTS) {
      return curve;
    }
    return java.util.stream.IntStream.range(0, CURVE_POINTS)
        .mapToObj(i -> curve.get((int) Math.round(i * (curve.size() - 1.0) / (CURVE_POINTS - 1))))
        .toList();
  }
}
