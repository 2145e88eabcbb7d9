package dev.ablation.study.report;

import dev.ablation.api.forecast.RecoveryForecast;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.ResultsCsv;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.store.StudyRow;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Leave-one-original-out validation of {@link RecoveryForecast} over a finished study: each
 * original's runs are forecast by a forecast calibrated on every other original's runs of the
 * same arm (scheme, policy, rate), and the report says how often the 95% intervals held the
 * real {@code T_ε}. Originals, not runs, are left out because the runs of one original share
 * its weights and data: leaving out one run would let its siblings vouch for it.
 *
 * <p>From {@code results.json} the forecasts use the step-0 damage and the evaluations up to
 * the horizon (default 10 steps); from {@code results.csv} alone, which holds no curves, only
 * the damage (a forecast made at step 0). Runs that recovered within the horizon need no
 * forecast and are counted apart; a run that did not recover is censored: its interval is
 * checked only for reaching past the examples it spent.
 *
 * <pre>java -cp ablation.jar dev.ablation.study.report.ForecastValidation DIR [--horizon STEPS]</pre>
 */
public final class ForecastValidation {
  /** Fewer calibration runs than this leave a run unforecast (counted). */
  static final int MIN_CALIBRATION = 5;

  private ForecastValidation() {}

  /**
   * The recovered runs a line forecast and how the forecasts did: the part of a line that
   * measures the forecast itself, where the rest counts runs it could not or need not judge.
   *
   * @param forecasts recovered runs forecast
   * @param covered of those, how many intervals held T_ε
   * @param curveBased forecasts that used the early curve
   * @param medianAbsLogError median of |log(forecast / T_ε)| over the forecasts; NaN without any
   */
  public record Recovered(int forecasts, int covered, int curveBased,
      double medianAbsLogError) {}

  /**
   * One arm's (or all arms') tally.
   *
   * @param arm the arm, or {@code all}
   * @param recovered the recovered runs forecast, and how well
   * @param censored runs that did not recover and were forecast
   * @param censoredConsistent of those, intervals reaching past what the run spent (0 when the
   *     input does not say what they spent)
   * @param withinHorizon runs that recovered by the horizon (no forecast needed)
   * @param uncalibrated runs left unforecast for want of calibration runs
   */
  public record Line(String arm, Recovered recovered, int censored, int censoredConsistent,
      int withinHorizon, int uncalibrated) {
    /** Recovered runs forecast. */
    public int forecasts() {
      return recovered.forecasts();
    }

    /** Of those, how many intervals held T_ε. */
    public int covered() {
      return recovered.covered();
    }

    /** Forecasts that used the early curve. */
    public int curveBased() {
      return recovered.curveBased();
    }

    /** Median of |log(forecast / T_ε)| over the forecasts; NaN without any. */
    public double medianAbsLogError() {
      return recovered.medianAbsLogError();
    }

    /** The share of forecasts whose interval held T_ε; NaN without forecasts. */
    public double coverage() {
      return forecasts() == 0 ? Double.NaN : (double) covered() / forecasts();
    }
  }

  /**
   * The validation's outcome.
   *
   * @param source what it read ({@code results.json} or {@code results.csv})
   * @param horizonSteps the forecasts' horizon (0 without curves)
   * @param arms per arm, then all arms together (last)
   * @param spentKnown whether the input says what censored runs spent (results.json does)
   */
  public record Result(String source, long horizonSteps, List<Line> arms, boolean spentKnown) {
    /** As Markdown: a sentence and a table. */
    public String markdown() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "Leave-one-original-out validation of "
          + "RecoveryForecast over %s: each original's runs forecast from the other originals' "
          + "runs of the same arm, %s; 95%% prediction intervals.%n%n", source,
          horizonSteps == 0 ? "from the step-0 damage alone"
              : "from the step-0 damage and the evaluations up to step " + horizonSteps));
      b.append("| arm | forecasts | interval held T_ε | coverage | median abs. log(forecast / T_ε) "
          + "| used the curve | censored: interval past what was spent | recovered by the "
          + "horizon | too few calibration runs |\n");
      b.append("|---|---|---|---|---|---|---|---|---|\n");
      for (Line l : arms) {
        b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %d | %s | %d | %d |%n",
            l.arm(), l.forecasts(), l.covered(), Double.isNaN(l.coverage()) ? "—"
                : String.format(Locale.ROOT, "%.1f%%", 100 * l.coverage()),
            Interval.fmt(l.medianAbsLogError()), l.curveBased(),
            spentKnown ? l.censoredConsistent() + "/" + l.censored() : "?/" + l.censored(),
            l.withinHorizon(), l.uncalibrated()));
      }
      return b.toString();
    }
  }

  /** A damaged run as the validation sees it. */
  private record Case(RunKey key, Arm arm, RecoveryForecast.Evidence evidence,
      OptionalLong examplesToRecover, long spent, boolean withinHorizon) {
    String original() {
      return Shape.of(key) + " seed " + key.seed();
    }
  }

  /** Validates over the runs of {@code records}, forecasting at {@code horizonSteps}. */
  public static Result validate(List<RunRecord> records, long horizonSteps) {
    List<Case> cases = new ArrayList<>();
    for (RunRecord r : records) {
      if (Runs.undamaged(r)) {
        continue;
      }
      Optional<RecoveryForecast.Evidence> e = evidence(() -> RecoveryForecast.Evidence.of(
          r.row().lossOriginal(), r.targetLoss(), r.curve(), horizonSteps));
      boolean early = Runs.recoveryPoint(r).map(p -> p.step() <= horizonSteps).orElse(false);
      e.ifPresent(ev -> cases.add(new Case(r.key(), Arm.of(r), ev, r.row().examplesToRecover(),
          r.examplesSpent(), early)));
    }
    return validate(cases, "results.json", horizonSteps);
  }

  /** Validates over {@code results.csv}'s rows: damage-only forecasts made at step 0. */
  public static Result validateRows(List<StudyRow> rows) {
    List<Case> cases = new ArrayList<>();
    for (StudyRow r : rows) {
      if (r.verdict() == Verdict.UNDAMAGED) {
        continue;
      }
      evidence(() -> new RecoveryForecast.Evidence(r.lossAfterWipe() - r.lossOriginal(),
          r.targetLoss() - r.lossOriginal(), List.of())).ifPresent(ev -> cases.add(
              new Case(r.key(), new Arm(r.key().scheme(), r.key().freeze(), r.key().lrMultiple()),
                  ev, r.examplesToRecover(), -1, false)));
    }
    return validate(cases, "results.csv", 0);
  }

  private interface EvidenceSource {
    RecoveryForecast.Evidence get();
  }

  /** The evidence of a run, empty when the row cannot give one (non-finite losses). */
  private static Optional<RecoveryForecast.Evidence> evidence(EvidenceSource s) {
    try {
      return Optional.of(s.get());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Result validate(List<Case> cases, String source, long horizon) {
    Map<Arm, List<Case>> byArm = new LinkedHashMap<>();
    cases.forEach(c -> byArm.computeIfAbsent(c.arm(), a -> new ArrayList<>()).add(c));
    List<Line> lines = new ArrayList<>();
    List<Double> allErrors = new ArrayList<>();
    int[] total = new int[8];
    byArm.forEach((arm, cs) -> {
      int[] t = new int[8];
      List<Double> errors = new ArrayList<>();
      for (Case c : cs) {
        if (c.withinHorizon()) {
          t[6]++;
          continue;
        }
        List<RecoveryForecast.Observation> cal = cs.stream()
            .filter(o -> !o.original().equals(c.original()) && !o.withinHorizon()
                && o.examplesToRecover().isPresent())
            .map(o -> new RecoveryForecast.Observation(o.evidence(),
                o.examplesToRecover().getAsLong())).toList();
        Optional<RecoveryForecast> f = cal.size() < MIN_CALIBRATION ? Optional.empty()
            : fit(cal);
        if (f.isEmpty()) {
          t[7]++;
          continue;
        }
        RecoveryForecast.Prediction p = f.get().predict(c.evidence());
        if (c.examplesToRecover().isPresent()) {
          double truth = c.examplesToRecover().getAsLong();
          t[0]++;
          t[1] += p.covers(truth) ? 1 : 0;
          t[2] += p.basis() == RecoveryForecast.Basis.CURVE ? 1 : 0;
          errors.add(Math.abs(Math.log(p.examples() / truth)));
        } else {
          t[4]++;
          t[5] += c.spent() >= 0 && p.high() > c.spent() ? 1 : 0;
        }
      }
      lines.add(line(arm.toString(), t, errors));
      allErrors.addAll(errors);
      for (int i = 0; i < t.length; i++) {
        total[i] += t[i];
      }
    });
    lines.add(line("all", total, allErrors));
    return new Result(source, horizon, lines, source.equals("results.json"));
  }

  private static Optional<RecoveryForecast> fit(List<RecoveryForecast.Observation> cal) {
    try {
      return Optional.of(RecoveryForecast.fit(cal));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Line line(String arm, int[] t, List<Double> errors) {
    double[] e = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median = e.length == 0 ? Double.NaN : e.length % 2 == 1 ? e[e.length / 2]
        : (e[e.length / 2 - 1] + e[e.length / 2]) / 2;
    return new Line(arm, new Recovered(t[0], t[1], t[2], median), t[4], t[5], t[6], t[7]);
  }

  /**
   * Reads {@code dir}'s {@code results.json} (or, without it, {@code results.csv}) and prints
   * the validation as Markdown.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ForecastValidation DIR [--horizon STEPS]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    long horizon = 10;
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    int h = rest.indexOf("--horizon");
    if (h >= 0 && h + 1 < rest.size()) {
      horizon = Long.parseLong(rest.get(h + 1));
    }
    Result r;
    if (Files.exists(dir.resolve("results.json"))) {
      r = validate(RecordJson.readResults(Files.readString(dir.resolve("results.json"),
          StandardCharsets.UTF_8)), horizon);
    } else {
      try (Reader in = Files.newBufferedReader(dir.resolve("results.csv"),
          StandardCharsets.UTF_8)) {
        r = validateRows(ResultsCsv.read(in));
      }
    }
    System.out.print(r.markdown());
  }
}
