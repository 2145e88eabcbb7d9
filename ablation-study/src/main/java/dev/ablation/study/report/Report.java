package dev.ablation.study.report;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.Arch;
import dev.ablation.study.RunKey;
import dev.ablation.study.RunRecord;
import dev.ablation.study.StudyRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code report.md} and its plots: the study's answer in words and tables. {@code ρ} per cell
 * (shape, layer, scheme, policy, recovery rate) is a Kaplan–Meier median over seeds with a
 * 95% bootstrap interval on {@code log ρ} ({@link Censored}): runs that did not recover are
 * censored at what they spent, never dropped; {@code UNDAMAGED} runs are counted apart and
 * never enter {@code ρ}. Nothing is pooled across layers, N or D.
 */
public final class Report {
  /** The report's file name. */
  public static final String FILE = "report.md";
  /** The folder of the plots, beside the report. */
  public static final String PLOTS = "plots";
  private static final String QUESTION_POLICY = FreezePolicy.onlyWiped().key();

  private final List<RunRecord> records;
  private final String criterion;
  private final StringBuilder md = new StringBuilder();
  private final List<Path> written = new ArrayList<>();
  private final Path dir;

  private Report(Path dir, List<RunRecord> records, String criterion) {
    this.dir = dir;
    this.records = records;
    this.criterion = criterion;
  }

  /**
   * Writes {@code report.md} and {@code plots/*.png} into {@code dir}.
   *
   * @param criterion one line describing the recovery target, for the method section
   * @return the files written, the report last
   */
  public static List<Path> write(Path dir, List<RunRecord> records, String criterion)
      throws IOException {
    Report r = new Report(dir, records, criterion);
    try {
      r.build();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.writeString(tmp, r.md.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    r.written.add(dir.resolve(FILE));
    return r.written;
  }

  /**
   * Writes the report of a study run by {@link dev.ablation.study.Study#runInto} into its
   * directory.
   *
   * @return {@code report.md}
   */
  public static Path write(dev.ablation.study.Study.Outcome outcome,
      dev.ablation.study.StudyPlan plan) throws IOException {
    List<Path> files = write(outcome.dir(), outcome.records(), criterion(plan.training()));
    return files.get(files.size() - 1);
  }

  /**
   * The report's answer in a few lines: one sentence per sub-question (how much of S×E; does
   * the position matter; do N and D), each with its medians and intervals, and what the data
   * cannot support. What a terminal shows at the end of a study; nothing pooled.
   */
  public static List<String> headline(List<RunRecord> records) {
    Report r = new Report(null, records, "");
    r.answer(new TreeMap<>(group(records, x -> Config.of(x.key()))));
    return List.of(r.md.toString().split("\n"));
  }

  /** The method section's description of how {@code t} judges a recovery. */
  public static String criterion(dev.ablation.study.TrainingSettings t) {
    return String.format(Locale.ROOT,
        "the validation loss, smoothed over %d evaluations (evaluated at steps 1, 2, 3, … "
            + "growing by at most 10%%, then every %d steps; L₀ never in the window), reached "
            + "the target %s (or made no 1e-3 improvement for %d evaluations on the %d-step "
            + "grid while every raw evaluation stayed above the target, or spent %s × B_ref)",
        dev.ablation.study.TrainingSettings.SMOOTHING, t.evalEvery(), t.describeTarget(),
        t.patience(), t.evalEvery(), t.budgetFraction());
  }

  /** (arch, N, D): one trained shape. */
  record Config(Arch arch, int n, int d) implements Comparable<Config> {
    static Config of(RunKey k) {
      return new Config(k.arch(), k.nLayers(), k.dModel());
    }

    @Override
    public int compareTo(Config o) {
      int c = arch.key().compareTo(o.arch.key());
      c = c != 0 ? c : Integer.compare(n, o.n);
      return c != 0 ? c : Integer.compare(d, o.d);
    }

    String slug() {
      return arch.key() + "_N" + n + "_D" + d;
    }

    @Override
    public String toString() {
      return arch.key() + " N=" + n + " D=" + d;
    }
  }

  /** (scheme, freeze, recovery-rate multiple): one treatment. */
  record Arm(ReinitScheme scheme, FreezePolicy freeze, double lr) {
    @Override
    public String toString() {
      return scheme + " / " + freeze.key() + (lr == 1.0 ? "" : " / lr " + mult(lr) + "x");
    }
  }

  /** A learning-rate multiple as the command line takes it: {@code 0.3}, {@code 1}. */
  static String mult(double m) {
    return dev.ablation.study.Numbers.format(m);
  }

  private static Arm arm(RunRecord r) {
    return new Arm(r.key().scheme(), r.key().freeze(), r.key().lrMultiple());
  }

  private static <K> Map<K, List<RunRecord>> group(List<RunRecord> rs,
      Function<RunRecord, K> by) {
    return rs.stream().collect(Collectors.groupingBy(by, LinkedHashMap::new,
        Collectors.toList()));
  }

  private static boolean recovered(RunRecord r) {
    return r.row().verdict() == Verdict.RECOVERED;
  }

  private static boolean undamaged(RunRecord r) {
    return r.row().verdict() == Verdict.UNDAMAGED;
  }

  /**
   * The observations of {@code ρ} in {@code rs}: recovered runs are events at their ρ, the
   * others censored at what they spent; UNDAMAGED runs are not observations of ρ at all.
   */
  private static List<Censored.Obs> rhoObs(List<RunRecord> rs) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (undamaged(r)) {
        continue;
      }
      if (recovered(r)) {
        double ref = r.row().refExamples();
        out.add(new Censored.Obs(r.row().rho().getAsDouble(), true,
            before(r, r.row().examplesToRecover().getAsLong()) / ref));
      } else {
        out.add(new Censored.Obs(Math.max((double) r.examplesSpent(), 1.0)
            / r.row().refExamples(), false));
      }
    }
    return out;
  }

  /** As {@link #rhoObs}, for {@code ρ_orig = T_ε / T_orig}, where T_orig exists. */
  private static List<Censored.Obs> rhoOrigObs(List<RunRecord> rs) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (undamaged(r) || r.row().examplesOrig().isEmpty()
          || r.row().examplesOrig().getAsLong() == 0) {
        continue;
      }
      double tOrig = r.row().examplesOrig().getAsLong();
      out.add(recovered(r) ? new Censored.Obs(r.row().rhoOrig().getAsDouble(), true,
              before(r, r.row().examplesToRecover().getAsLong()) / tOrig)
          : new Censored.Obs(Math.max(r.examplesSpent(), 1) / tOrig, false));
    }
    return out;
  }

  /**
   * The smallest {@code T_ε} the evaluations allow: one step after the evaluation before
   * {@code examples} (a run is judged only at whole steps, and was not recovered at the
   * evaluation before), so a recovery at the first evaluation after step 0 is exact.
   */
  private static double before(RunRecord r, long examples) {
    long prev = r.curve().stream().mapToLong(p -> p.examples()).filter(e -> e < examples).max()
        .orElse(0);
    double perStep = r.curve().stream().filter(p -> p.examples() == examples && p.step() > 0)
        .mapToDouble(p -> (double) p.examples() / p.step()).findFirst().orElse(0);
    return Math.min(examples, prev + perStep);
  }

  private static Censored.Estimate rho(List<RunRecord> rs) {
    return Censored.estimate(rhoObs(rs));
  }

  /** {@code recovered/total}, with {@code +u undamaged} when some were. */
  private static String recoveredOf(List<RunRecord> rs) {
    long u = rs.stream().filter(Report::undamaged).count();
    String base = rs.stream().filter(Report::recovered).count() + "/" + (rs.size() - u);
    return u == 0 ? base : base + " (+" + u + " undamaged)";
  }

  /** Appends a line; formats (Locale.ROOT) only when there are arguments. */
  private void line(String fmt, Object... args) {
    md.append(args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args)).append('\n');
  }

  private void build() {
    TreeMap<Config, List<RunRecord>> byConfig = new TreeMap<>(group(records,
        r -> Config.of(r.key())));
    line("# Recovery study: how fast does a wiped layer heal?");
    line("");
    answer(byConfig);
    line("");
    long undamaged = records.stream().filter(Report::undamaged).count();
    line("**Method.** Each original trained until its validation loss stopped improving "
        + "(see *Originals*); `B_ref = S × E` is what that took. One target at a time was "
        + "re-initialised by the scheme, everything but what the freeze policy allows was "
        + "frozen, and training resumed with a fresh Adam until %s. **Target:** %s. "
        + "`ρ = T_ε / B_ref`; `ρ_orig = T_ε / T_orig`, where `T_orig` is the examples the "
        + "original itself first needed to reach the same target. Each cell's ρ is the "
        + "Kaplan–Meier median over seeds — a run that did not recover is censored at what it "
        + "spent (its ρ is larger), never dropped — with a 95%% percentile-bootstrap interval "
        + "on log ρ (%d resamples over seeds), so no bound is below 0. A wipe whose L₀ "
        + "already met the target is `UNDAMAGED`: counted apart (%d runs), never in ρ. "
        + "Nothing is pooled across layers, N or D. %d runs in %d configurations.",
        criterion, targetName(), Censored.RESAMPLES, undamaged, records.size(),
        byConfig.size());
    line("");
    originals(byConfig);
    rhoPerLayer(byConfig);
    positionAndSize(byConfig);
    neverRecovered();
    undamagedRuns();
    damage(byConfig);
    scratch(byConfig);
    control(byConfig);
    curves(byConfig);
  }

  /** The target rule of the runs, from their manifests. */
  private String targetName() {
    return records.stream().map(r -> r.manifest().configuration().get("target_rule"))
        .filter(java.util.Objects::nonNull).distinct().sorted()
        .map(t -> switch (t) {
          case "NATS" -> "absolute, `L* + ε` nats";
          case "NOISE" -> "relative to the original's noise, `L* + max(ε, 2σ)`";
          case "DAMAGE" -> "a fraction of the step-0 damage undone, `L₀ − ε·(L₀ − L*)`";
          default -> t;
        }).collect(Collectors.joining("; "))
        .transform(s -> s.isEmpty() ? "as the criterion above" : s);
  }

  /** A cell: one shape, one target, one arm; its runs are the seeds. */
  private record Cell(Config config, String layer, OptionalInt position, Arm arm,
      List<RunRecord> runs) {
    String label() {
      return config + " " + layer;
    }
  }

  private List<Cell> cells(Map<Config, List<RunRecord>> byConfig) {
    List<Cell> out = new ArrayList<>();
    byConfig.forEach((c, rs) -> group(rs, r -> r.key().layer() + "\u0000" + arm(r)).values()
        .forEach(cell -> out.add(new Cell(c, cell.get(0).key().layer(),
            cell.get(0).position(), arm(cell.get(0)), cell))));
    return out;
  }

  private void answer(Map<Config, List<RunRecord>> byConfig) {
    line("## The answer");
    line("");
    List<Cell> single = cells(byConfig).stream().filter(c -> c.position().isPresent()).toList();
    if (single.isEmpty()) {
      line("No single-layer runs yet.");
      return;
    }
    Map<String, List<Cell>> byArm = new TreeMap<>();
    single.forEach(c -> byArm.computeIfAbsent(c.arm().toString(), k -> new ArrayList<>()).add(c));
    List<String> arms = new ArrayList<>(byArm.keySet());
    arms.sort(Comparator.comparing((String a) -> !a.contains(QUESTION_POLICY))
        .thenComparing(a -> a));
    // 1. how many of S x E
    StringBuilder q1 = new StringBuilder();
    for (String a : arms) {
      List<Cell> cs = byArm.get(a);
      List<Map.Entry<Cell, Censored.Estimate>> est = cs.stream()
          .map(c -> Map.entry(c, rho(c.runs()))).filter(e -> e.getValue().n() > 0).toList();
      List<Map.Entry<Cell, Censored.Estimate>> placed = est.stream()
          .filter(e -> e.getValue().median().isPresent())
          .sorted(Comparator.comparingDouble(e -> e.getValue().median().getAsDouble())).toList();
      long notReached = est.size() - placed.size();
      long under1 = placed.stream().filter(e -> e.getValue().median().getAsDouble() <= 0.01)
          .count();
      long under10 = placed.stream().filter(e -> e.getValue().median().getAsDouble() <= 0.1)
          .count();
      if (q1.length() > 0) {
        q1.append(" ");
      }
      if (placed.isEmpty()) {
        q1.append(String.format(Locale.ROOT, "*%s*: no cell's median recovery was reached "
            + "within the budget (%d cells).", a, est.size()));
        continue;
      }
      var lo = placed.get(0);
      var hi = placed.get(placed.size() - 1);
      q1.append(String.format(Locale.ROOT, "*%s*: the per-cell median ρ runs from %s (%s) to "
          + "%s (%s); %d of %d cells needed ≤ 1%% of S×E, %d ≤ 10%%%s.", a,
          lo.getValue().percent(), lo.getKey().label(), hi.getValue().percent(),
          hi.getKey().label(), under1, est.size(), under10,
          notReached == 0 ? "" : String.format(Locale.ROOT, ", %d never reached a median "
              + "(more than half of their seeds did not recover)", notReached)));
    }
    line("1. **How many of the original's S×E examples does a wiped layer need?** %s", q1);
    line("");
    // rho_orig
    StringBuilder qo = new StringBuilder();
    for (String a : arms) {
      List<Censored.Obs> all = new ArrayList<>();
      List<Double> tOrig = new ArrayList<>();
      for (Cell c : byArm.get(a)) {
        Censored.Estimate e = Censored.estimate(rhoOrigObs(c.runs()));
        if (e.median().isPresent()) {
          all.add(new Censored.Obs(e.median().getAsDouble(), true));
        }
        c.runs().forEach(r -> r.row().rhoOrigToRef().ifPresent(tOrig::add));
      }
      if (all.isEmpty()) {
        continue;
      }
      double min = all.stream().mapToDouble(Censored.Obs::value).min().orElseThrow();
      double max = all.stream().mapToDouble(Censored.Obs::value).max().orElseThrow();
      double tMin = tOrig.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
      double tMax = tOrig.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
      qo.append(String.format(Locale.ROOT, " *%s*: per-cell median ρ_orig = T_ε / T_orig from "
          + "%s to %s (the originals themselves first reached the target after T_orig = "
          + "%s–%s of S×E).", a, Interval.fmt(min), Interval.fmt(max), Censored.pct(tMin),
          Censored.pct(tMax)));
    }
    if (qo.length() > 0) {
      line("   Against the original's own path to the same target:%s", qo);
      line("");
    }
    // 2. position
    StringBuilder q2 = new StringBuilder();
    int separated = 0;
    int compared = 0;
    for (String a : arms) {
      for (Map.Entry<Config, List<RunRecord>> e : byConfig.entrySet()) {
        Config c = e.getKey();
        if (c.n() < 2) {
          continue;
        }
        List<RunRecord> ar = e.getValue().stream()
            .filter(r -> r.position().isPresent() && arm(r).toString().equals(a)).toList();
        List<Double> ratios = pairedRatios(ar, r -> r.position().getAsInt() == 0,
            r -> r.position().getAsInt() == c.n() - 1);
        if (ratios.size() < 2) {
          continue;
        }
        Censored.Estimate est = Censored.ratio(ratios);
        compared++;
        boolean apart = est.low() > 1 || est.high() < 1;
        separated += apart ? 1 : 0;
        q2.append(String.format(Locale.ROOT, "%s%s, %s: %s (%d seed pairs)",
            q2.length() == 0 ? "" : "; ", c, a, est.format(), ratios.size()));
      }
    }
    if (compared > 0) {
      line("2. **Does the position of L matter?** ρ(first block) / ρ(last block), median over "
          + "seed pairs where both recovered, 95%% CI: %s. The interval excludes 1 in %d of %d "
          + "comparisons%s.", q2, separated, compared,
          separated == 0 ? " — the data do not show a position effect" : "");
    } else {
      line("2. **Does the position of L matter?** Too few seed pairs in which both the first "
          + "and the last block recovered to compare.");
    }
    line("");
    // 3. N and D
    StringBuilder q3 = new StringBuilder();
    int apartPairs = 0;
    int pairs = 0;
    for (String a : arms) {
      for (String pos : List.of("first", "last")) {
        List<Map.Entry<Config, Censored.Estimate>> per = new ArrayList<>();
        byConfig.forEach((c, rs) -> {
          int want = pos.equals("first") ? 0 : c.n() - 1;
          List<RunRecord> sel = rs.stream().filter(r -> r.position().isPresent()
              && r.position().getAsInt() == want && arm(r).toString().equals(a)).toList();
          if (!sel.isEmpty()) {
            per.add(Map.entry(c, rho(sel)));
          }
        });
        if (per.size() < 2) {
          continue;
        }
        q3.append(String.format(Locale.ROOT, "%s%s block, %s: %s", q3.length() == 0 ? "" : "; ",
            pos, a, per.stream().map(x -> x.getKey().n() + "/" + x.getKey().d() + " "
                + x.getValue().format()).collect(Collectors.joining(", "))));
        for (int i = 0; i < per.size(); i++) {
          for (int j = i + 1; j < per.size(); j++) {
            pairs++;
            apartPairs += disjoint(per.get(i).getValue(), per.get(j).getValue()) ? 1 : 0;
          }
        }
      }
    }
    if (pairs > 0) {
      line("3. **Do N and D matter?** ρ by N/D at the same relative position (median [95%% CI]):"
          + " %s. %d of %d pairs of shapes have disjoint intervals%s.", q3, apartPairs, pairs,
          apartPairs == 0 ? " — the data do not separate N or D" : "");
    } else {
      line("3. **Do N and D matter?** This study ran one shape; add `--layers` and `--widths` "
          + "values to compare.");
    }
    line("");
    long seeds = records.stream().map(r -> r.key().seed()).distinct().count();
    line("**What the data cannot support.** %d seeds per cell, models of N ≤ %d and D ≤ %d "
        + "trained on one synthetic language: no claim about other languages or larger models; "
        + "no single ρ for \"a layer\" (cells differ and are not pooled); where a median is "
        + "\"not reached\" only a lower bound is known; intervals from %d seeds are wide and "
        + "their 95%% coverage is nominal.", seeds,
        byConfig.keySet().stream().mapToInt(Config::n).max().orElse(0),
        byConfig.keySet().stream().mapToInt(Config::d).max().orElse(0), seeds);
  }

  private static boolean disjoint(Censored.Estimate a, Censored.Estimate b) {
    if (a.median().isEmpty() || b.median().isEmpty() || Double.isNaN(a.low())
        || Double.isNaN(b.low())) {
      return false;
    }
    return a.high() < b.low() || b.high() < a.low();
  }

  /**
   * ρ(a) / ρ(b) of each seed (and scheme/policy/rate, already fixed by the caller) in which
   * both recovered: the same original, so the pair differs only in what is compared.
   */
  private static List<Double> pairedRatios(List<RunRecord> rs,
      java.util.function.Predicate<RunRecord> a, java.util.function.Predicate<RunRecord> b) {
    Map<Long, List<RunRecord>> bySeed = new TreeMap<>(group(rs, r -> r.key().seed()));
    List<Double> out = new ArrayList<>();
    bySeed.values().forEach(l -> {
      OptionalDouble x = l.stream().filter(a).filter(Report::recovered)
          .mapToDouble(r -> r.row().rho().getAsDouble()).findFirst();
      OptionalDouble y = l.stream().filter(b).filter(Report::recovered)
          .mapToDouble(r -> r.row().rho().getAsDouble()).findFirst();
      if (x.isPresent() && y.isPresent()) {
        out.add(x.getAsDouble() / y.getAsDouble());
      }
    });
    return out;
  }

  private Path plot(String name) {
    Path p = dir.resolve(PLOTS).resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png");
    written.add(p);
    return p;
  }

  private void embed(Path png, String alt) {
    line("![%s](%s/%s)", alt, PLOTS, png.getFileName());
    line("");
  }

  private void originals(Map<Config, List<RunRecord>> byConfig) {
    line("## Originals");
    line("");
    line("Each original trained with a linear warmup then inverse-sqrt decay until its "
        + "validation loss improved by less than δ over the last k evaluations (or the epoch "
        + "cap). `S × E` is what that took; `L*` the mean of the last k evaluations, `σ` their "
        + "spread; `T_orig` the examples the original first needed to reach the recovery "
        + "target (per seed, as a fraction of its S×E; the target is per run, the smallest "
        + "shown). The curves below should be flat at the end.");
    line("");
    byConfig.forEach((c, rs) -> {
      line("### %s", c);
      line("");
      line("| arch | N | D | seed | S × E (examples) | L* | σ | T_orig / (S×E) | last − first "
          + "of the last k |");
      line("|---|---|---|---|---|---|---|---|---|");
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      new TreeMap<>(group(rs, r -> r.key().seed())).forEach((seed, sr) -> {
        RunRecord r = sr.get(0);
        List<dev.ablation.api.recovery.CurvePoint> oc = r.originalCurve();
        OptionalDouble tOrig = sr.stream().map(x -> x.row().rhoOrigToRef())
            .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).min();
        int k = Math.min(window(r), oc.size());
        String drift = oc.size() >= k && k > 1
            ? Interval.fmt(oc.get(oc.size() - 1).loss() - oc.get(oc.size() - k).loss()) : "—";
        line("| %s | %d | %d | %d | %d | %s | %s | %s | %s |", c.arch().key(), c.n(), c.d(), seed,
            r.row().refExamples(), Interval.fmt(r.row().lossOriginal()),
            Interval.fmt(r.row().lossOriginalSd()),
            tOrig.isPresent() ? Interval.fmt(tOrig.getAsDouble()) : "—", drift);
        if (!oc.isEmpty()) {
          series.put("seed " + seed, oc.stream()
              .map(p -> new double[] {p.examples(), p.loss()}).toList());
        }
      });
      line("");
      if (!series.isEmpty()) {
        Path png = plot("originals_" + c.slug());
        io(() -> Plots.lines(png, "Originals' validation curves, " + c,
            "examples seen", "validation loss (nats/token)", series, false));
        embed(png, "original curves " + c);
      }
    });
  }

  private static int window(RunRecord r) {
    String k = r.manifest().configuration().get("convergence_window");
    return k == null ? 1 : Integer.parseInt(k);
  }

  private void rhoPerLayer(Map<Config, List<RunRecord>> byConfig) {
    line("## ρ per layer");
    line("");
    line("Kaplan–Meier median over seeds [95% bootstrap CI on log ρ]; `recovered` counts "
        + "recovered/(seeds − undamaged). The plots show each seed's ρ (hollow: censored at "
        + "what it spent) beside the median and its interval.");
    line("");
    byConfig.forEach((c, rs) -> {
      line("### %s", c);
      line("");
      line("| layer | scheme | freeze | lr | recovered | ρ = T_ε / B_ref | ρ_orig = T_ε / T_orig "
          + "| T_ε / T_scratch |");
      line("|---|---|---|---|---|---|---|---|");
      Map<String, List<RunRecord>> cells = group(rs,
          r -> r.key().layer() + "\u0000" + arm(r));
      cells.values().forEach(cell -> {
        RunKey k = cell.get(0).key();
        List<Double> ratio = cell.stream().filter(Report::recovered)
            .filter(r -> r.row().examplesScratch().isPresent())
            .map(r -> (double) r.row().examplesToRecover().getAsLong()
                / r.row().examplesScratch().getAsLong()).toList();
        line("| %s | %s | %s | %sx | %s | %s | %s | %s |", k.layer(), k.scheme(), k.freeze().key(),
            mult(k.lrMultiple()), recoveredOf(cell), rho(cell).format(),
            Censored.estimate(rhoOrigObs(cell)).format(),
            ratio.isEmpty() ? "—" : Censored.ratio(ratio).format());
      });
      line("");
      Map<String, List<double[]>> medians = new LinkedHashMap<>();
      Map<String, List<double[]>> seeds = new LinkedHashMap<>();
      group(rs.stream().filter(r -> r.position().isPresent()).toList(), Report::arm)
          .forEach((a, ar) -> {
            List<double[]> pts = new ArrayList<>();
            List<double[]> each = new ArrayList<>();
            new TreeMap<>(group(ar, r -> r.position().getAsInt())).forEach((l, lr) -> {
              Censored.Estimate i = rho(lr);
              if (i.median().isPresent()) {
                pts.add(new double[] {l, i.median().getAsDouble(), i.low(),
                    Double.isInfinite(i.high()) ? i.median().getAsDouble() : i.high()});
              }
              for (Censored.Obs o : rhoObs(lr)) {
                each.add(new double[] {l, o.value(), o.event() ? 1 : 0});
              }
            });
            medians.put(a.toString(), pts);
            seeds.put(a.toString(), each);
          });
      if (!medians.isEmpty()) {
        Path png = plot("rho_vs_layer_" + c.slug());
        io(() -> Plots.intervalsWithPoints(png, "ρ vs wiped layer, " + c, "wiped layer L",
            "ρ = T_ε / B_ref (median, 95% CI; dots: seeds)", medians, seeds));
        embed(png, "rho vs layer " + c);
      }
    });
  }

  private void positionAndSize(Map<Config, List<RunRecord>> byConfig) {
    line("## How position, N and D change ρ");
    line("");
    line("Median ρ [95% CI] by relative position; first = block 0, last = block N−1, middle = "
        + "the blocks between, each its own cell (middle blocks are shown one by one).");
    line("");
    line("| arch | N | D | scheme | freeze | lr | first | middle | last |");
    line("|---|---|---|---|---|---|---|---|---|");
    byConfig.forEach((c, rs) -> group(rs.stream().filter(r -> r.position().isPresent())
        .toList(), Report::arm).forEach((a, ar) -> {
          List<RunRecord> first = ar.stream().filter(r -> r.position().getAsInt() == 0).toList();
          List<RunRecord> last = ar.stream()
              .filter(r -> r.position().getAsInt() == c.n() - 1 && c.n() > 1).toList();
          String mid = new TreeMap<>(group(ar.stream().filter(r -> r.position().getAsInt() > 0
              && r.position().getAsInt() < c.n() - 1).toList(), r -> r.position().getAsInt()))
              .entrySet().stream().map(e -> "L" + e.getKey() + ": " + cellOf(e.getValue()))
              .collect(Collectors.joining("; "));
          line("| %s | %d | %d | %s | %s | %sx | %s | %s | %s |", c.arch().key(), c.n(), c.d(),
              a.scheme(), a.freeze().key(), mult(a.lr()), cellOf(first),
              mid.isEmpty() ? "—" : mid, cellOf(last));
        }));
    line("");
  }

  private static String cellOf(List<RunRecord> rs) {
    if (rs.isEmpty()) {
      return "—";
    }
    return rho(rs).format() + " (" + recoveredOf(rs) + ")";
  }

  private void neverRecovered() {
    line("## Runs that did not recover");
    line("");
    List<RunRecord> bad = records.stream().filter(r -> !recovered(r) && !undamaged(r))
        .toList();
    if (bad.isEmpty()) {
      line("Every damaged run recovered.");
      line("");
      return;
    }
    line("Censored in the ρ estimates at the examples they spent.");
    line("");
    line("| arch | N | D | layer | scheme | freeze | lr | seed | verdict | final − L* (nats) | "
        + "examples spent / B_ref |");
    line("|---|---|---|---|---|---|---|---|---|---|---|");
    for (RunRecord r : bad) {
      RunKey k = r.key();
      StudyRow row = r.row();
      line("| %s | %d | %d | %s | %s | %s | %sx | %d | %s | %s | %s |", k.arch().key(), k.nLayers(),
          k.dModel(), k.layer(), k.scheme(), k.freeze().key(), mult(k.lrMultiple()), k.seed(),
          row.verdict(), Interval.fmt(row.lossFinal() - row.lossOriginal()),
          Interval.fmt((double) r.examplesSpent() / row.refExamples()));
    }
    line("");
  }

  private void undamagedRuns() {
    line("## Undamaged wipes");
    line("");
    List<RunRecord> u = records.stream().filter(Report::undamaged).toList();
    if (u.isEmpty()) {
      line("None: every wipe left L₀ above the target.");
      line("");
      return;
    }
    line("L₀ already met the target: nothing to recover. Not counted in any ρ.");
    line("");
    line("| arch | N | D | layer | scheme | seeds | L₀ − L* (nats) | target − L* (nats) |");
    line("|---|---|---|---|---|---|---|---|");
    group(u, r -> Config.of(r.key()) + "\u0000" + r.key().layer() + "\u0000" + r.key().scheme())
        .values().forEach(cell -> {
          RunKey k = cell.get(0).key();
          line("| %s | %d | %d | %s | %s | %s | %s | %s |", k.arch().key(), k.nLayers(), k.dModel(),
              k.layer(), k.scheme(), cell.stream().map(r -> Long.toString(r.key().seed()))
                  .distinct().collect(Collectors.joining(",")),
              Interval.fmt(cell.stream().mapToDouble(r -> r.row().lossAfterWipe()
                  - r.row().lossOriginal()).average().orElse(Double.NaN)),
              Interval.fmt(cell.stream().mapToDouble(r -> r.targetLoss()
                  - r.row().lossOriginal()).average().orElse(Double.NaN)));
        });
    line("");
  }

  private void damage(Map<Config, List<RunRecord>> byConfig) {
    line("## Step-0 damage vs layer, and the deleted-layer loss");
    line("");
    line("`L₀ − L*`: validation loss right after the wipe minus the original's; `deleted − L*`: "
        + "the same with the layer removed (identity). Means over seeds (and policies, which "
        + "cannot change step 0), 95% bootstrap CI.");
    line("");
    byConfig.forEach((c, rs) -> {
      line("### %s", c);
      line("");
      line("| layer | scheme | L* | L₀ − L* | deleted − L* |");
      line("|---|---|---|---|---|");
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      Map<String, List<RunRecord>> cells = group(rs,
          r -> r.key().layer() + "\u0000" + r.key().scheme());
      cells.values().forEach(cell -> {
        RunKey k = cell.get(0).key();
        Interval lstar = perSeed(cell, r -> r.row().lossOriginal());
        Interval wipe = perSeed(cell, r -> r.row().lossAfterWipe() - r.row().lossOriginal());
        Interval del = perSeed(cell.stream().filter(r -> r.row().lossDeleted().isPresent())
            .toList(), r -> r.row().lossDeleted().getAsDouble() - r.row().lossOriginal());
        line("| %s | %s | %s | %s | %s |", k.layer(), k.scheme(), Interval.fmt(lstar.mean()),
            wipe.format(), del.format());
        if (cell.get(0).position().isPresent()) {
          int l = cell.get(0).position().getAsInt();
          series.computeIfAbsent("wiped, " + k.scheme(), x -> new ArrayList<>())
              .add(new double[] {l, wipe.mean(), wipe.low(), wipe.high()});
        }
      });
      List<double[]> deleted = new ArrayList<>();
      new TreeMap<>(group(rs.stream().filter(r -> r.position().isPresent())
          .filter(r -> r.row().lossDeleted().isPresent()).toList(),
          r -> r.position().getAsInt())).forEach((l, lr) -> {
            Interval del = perSeed(lr,
                r -> r.row().lossDeleted().getAsDouble() - r.row().lossOriginal());
            deleted.add(new double[] {l, del.mean(), del.low(), del.high()});
          });
      if (!deleted.isEmpty()) {
        series.put("layer deleted", deleted);
      }
      line("");
      if (!series.isEmpty()) {
        Path png = plot("damage_vs_layer_" + c.slug());
        io(() -> Plots.intervals(png, "Step-0 damage vs layer, " + c, "wiped layer L",
            "loss − L* (nats)", series));
        embed(png, "damage vs layer " + c);
      }
    });
  }

  /**
   * The interval over seeds of {@code f}, averaging first within a seed: runs of one original
   * under several policies share their step-0 numbers and must count once.
   */
  private static Interval perSeed(List<RunRecord> rs,
      java.util.function.ToDoubleFunction<RunRecord> f) {
    Map<Long, List<RunRecord>> bySeed = new TreeMap<>(group(rs, r -> r.key().seed()));
    return Interval.of(bySeed.values().stream()
        .map(l -> l.stream().mapToDouble(f).average().orElse(Double.NaN)).toList());
  }

  private void scratch(Map<Config, List<RunRecord>> byConfig) {
    line("## Recovery vs training from scratch");
    line("");
    boolean any = records.stream().anyMatch(r -> r.row().examplesScratch().isPresent());
    if (!any) {
      line("`T_scratch` was not measured (`--scratch` to measure it); `T_orig` above, read "
          + "off the original's own curve, is the comparison with training from the start.");
      line("");
      return;
    }
    line("`T_scratch`: examples a freshly initialised model needs to reach the same target. "
        + "`ρ_scratch = T_scratch / B_ref`.");
    line("");
    line("| arch | N | D | originals measured | ρ_scratch (95% CI) |");
    line("|---|---|---|---|---|");
    byConfig.forEach((c, rs) -> {
      Map<Long, OptionalDouble> perSeed = new TreeMap<>();
      rs.forEach(r -> perSeed.put(r.key().seed(), r.row().rhoScratch()));
      List<Double> vals = perSeed.values().stream().filter(OptionalDouble::isPresent)
          .map(OptionalDouble::getAsDouble).toList();
      line("| %s | %d | %d | %d/%d | %s |", c.arch().key(), c.n(), c.d(), vals.size(),
          perSeed.size(), vals.isEmpty() ? "—" : Censored.ratio(vals).format());
    });
    line("");
  }

  private void control(Map<Config, List<RunRecord>> byConfig) {
    line("## Control: everything trainable vs only the wiped layer");
    line("");
    boolean both = records.stream().anyMatch(r -> (r.key().freeze() instanceof FreezePolicy.AllTrainable))
        && records.stream().anyMatch(r -> (r.key().freeze() instanceof FreezePolicy.OnlyWiped));
    if (!both) {
      line("This study did not run both `onlyWiped` and `allTrainable`; add "
          + "`--policies onlyWiped,allTrainable` to compare.");
      line("");
      return;
    }
    line("What freezing costs: for each seed, ρ(onlyWiped) / ρ(allTrainable) of the same wipe "
        + "of the same original; median over the seed pairs in which both recovered, 95% "
        + "bootstrap CI on the log ratio. Above 1: freezing slowed recovery. Pairs in which "
        + "either did not recover are counted, not used.");
    line("");
    line("| arch | N | D | layer | scheme | lr | ratio onlyWiped / allTrainable | pairs used | "
        + "pairs with a non-recovery |");
    line("|---|---|---|---|---|---|---|---|---|");
    byConfig.forEach((c, rs) -> group(rs, r -> r.key().layer() + "\u0000" + r.key().scheme()
        + "\u0000" + r.key().lrMultiple()).values().forEach(cell -> {
          List<Double> ratios = pairedRatios(cell,
              r -> (r.key().freeze() instanceof FreezePolicy.OnlyWiped),
              r -> (r.key().freeze() instanceof FreezePolicy.AllTrainable));
          long seeds = cell.stream().map(r -> r.key().seed()).distinct().count();
          long undamagedSeeds = cell.stream().filter(Report::undamaged)
              .map(r -> r.key().seed()).distinct().count();
          if (cell.stream().noneMatch(r -> (r.key().freeze() instanceof FreezePolicy.AllTrainable))) {
            return;
          }
          RunKey k = cell.get(0).key();
          line("| %s | %d | %d | %s | %s | %sx | %s | %d | %d |", c.arch().key(), c.n(), c.d(),
              k.layer(), k.scheme(), mult(k.lrMultiple()),
              ratios.isEmpty() ? "—" : Censored.ratio(ratios).format(), ratios.size(),
              seeds - undamagedSeeds - ratios.size());
        }));
    line("");
  }

  private void curves(Map<Config, List<RunRecord>> byConfig) {
    line("## Recovery curves");
    line("");
    line("Validation loss against examples seen (as a fraction of `B_ref`), one line per "
        + "wiped layer, for the lowest seed; compare with the L* column above.");
    line("");
    byConfig.forEach((c, rs) -> group(rs, Report::arm).forEach((a, ar) -> {
      long seed = ar.stream().mapToLong(r -> r.key().seed()).min().orElseThrow();
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      ar.stream().filter(r -> r.key().seed() == seed).forEach(r -> series.put(r.key().layer(),
          r.curve().stream().filter(p -> Double.isFinite(p.loss()))
              .map(p -> new double[] {(double) p.examples() / r.row().refExamples(), p.loss()})
              .toList()));
      Path png = plot("curves_" + c.slug() + "_" + a.scheme() + "_" + a.freeze().key()
          + (a.lr() == 1.0 ? "" : "_lr" + a.lr()));
      io(() -> Plots.lines(png, "Recovery, " + c + ", " + a + ", seed " + seed,
          "examples / B_ref", "validation loss (nats/token)", series, false));
      embed(png, "recovery curves " + c + " " + a);
    }));
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
