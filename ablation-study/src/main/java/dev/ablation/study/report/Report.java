package dev.ablation.study.report;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.Arch;
import dev.ablation.study.RunKey;
import dev.ablation.study.RunRecord;
import dev.ablation.study.StudyRow;
import dev.ablation.study.WipeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code report.md} and its plots: the study's answer in words and tables. Intervals are 95%
 * Student-t intervals of the mean over seeds; ρ is averaged over the seeds that recovered, and
 * the tables say how many did, so a layer that often stalls is never hidden behind a good mean.
 */
public final class Report {
  /** The report's file name. */
  public static final String FILE = "report.md";
  /** The folder of the plots, beside the report. */
  public static final String PLOTS = "plots";

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
      return arch + " N=" + n + " D=" + d;
    }
  }

  /** (scheme, freeze): one treatment. */
  record Arm(ReinitScheme scheme, FreezePolicy freeze) {
    @Override
    public String toString() {
      return scheme + " / " + freeze.key();
    }
  }

  /** (target, scheme): one wipe, under every policy. */
  record Wipe(WipeTarget target, ReinitScheme scheme) {}

  /** (target, scheme, freeze): one cell of the ρ table. */
  record Cell(WipeTarget target, ReinitScheme scheme, FreezePolicy freeze) {}

  private static Arm arm(RunRecord r) {
    return new Arm(r.key().scheme(), r.key().freeze());
  }

  private static <K> Map<K, List<RunRecord>> group(List<RunRecord> rs,
      Function<RunRecord, K> by) {
    return rs.stream().collect(Collectors.groupingBy(by, LinkedHashMap::new,
        Collectors.toList()));
  }

  private static boolean recovered(RunRecord r) {
    return r.row().verdict() == Verdict.RECOVERED;
  }

  private static Interval rho(List<RunRecord> rs) {
    return Interval.of(rs.stream().filter(Report::recovered)
        .map(r -> r.row().rho().getAsDouble()).toList());
  }

  private static String recoveredOf(List<RunRecord> rs) {
    return rs.stream().filter(Report::recovered).count() + "/" + rs.size();
  }

  /** Appends a line; formats (Locale.ROOT) only when there are arguments. */
  private void line(String fmt, Object... args) {
    md.append(args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args)).append('\n');
  }

  private void build() {
    TreeMap<Config, List<RunRecord>> byConfig = new TreeMap<>(group(records, r -> Config.of(r.key())));
    line("# Recovery study: how fast does a wiped layer heal?");
    line("");
    answer();
    line("");
    line("**Method.** Each original was trained on `B_ref = S × E` examples. One target at a "
        + "time was re-initialised by the scheme, everything but what the freeze policy allows "
        + "was frozen, and training resumed until %s. `ρ = T_ε / B_ref` is the fraction of the "
        + "original's training the recovery needed. Intervals are 95%% Student-t intervals of "
        + "the mean over seeds, computed over the seeds that recovered (the `recovered` column "
        + "says how many of how many did); runs that did not recover are listed below. "
        + "%d runs in %d configurations.", criterion, records.size(), byConfig.size());
    line("");
    rhoPerLayer(byConfig);
    positionAndSize(byConfig);
    neverRecovered();
    damage(byConfig);
    scratch(byConfig);
    control(byConfig);
    curves(byConfig);
  }

  private void answer() {
    line("## The answer");
    line("");
    headline(records).forEach(this::line);
  }

  /**
   * The report's answer in a few lines, one per treatment (scheme / policy): how many
   * single-layer runs recovered, the median ρ and its bracket ("between 1% and 10%"), the range
   * and the mean by layer position. What a terminal shows at the end of a study.
   */
  public static List<String> headline(List<RunRecord> records) {
    List<String> out = new ArrayList<>();
    Map<Arm, List<RunRecord>> byArm = group(records.stream()
        .filter(r -> r.position().isPresent()).toList(), Report::arm);
    if (byArm.isEmpty()) {
      out.add("No single-layer runs yet.");
      return out;
    }
    for (Map.Entry<Arm, List<RunRecord>> e : byArm.entrySet()) {
      List<RunRecord> rs = e.getValue();
      List<Double> rhos = rs.stream().filter(Report::recovered)
          .map(r -> r.row().rho().getAsDouble()).sorted().toList();
      if (rhos.isEmpty()) {
        out.add(String.format(Locale.ROOT,
            "- **%s**: none of %d single-layer runs recovered within the budget.",
            e.getKey(), rs.size()));
        continue;
      }
      double median = rhos.get(rhos.size() / 2);
      if (rhos.size() % 2 == 0) {
        median = (rhos.get(rhos.size() / 2 - 1) + median) / 2;
      }
      Map<Integer, List<RunRecord>> byLayer = new TreeMap<>(group(rs,
          r -> r.position().getAsInt()));
      StringBuilder perLayer = new StringBuilder();
      byLayer.forEach((l, lr) -> {
        Interval i = rho(lr);
        perLayer.append(String.format(Locale.ROOT, "%sL=%d: %s", perLayer.length() == 0 ? ""
            : ", ", l, i.n() == 0 ? "never" : pct(i.mean())));
      });
      out.add(String.format(Locale.ROOT, "- **%s**: %s of single-layer runs recovered; the "
          + "median run needed **%s of the original training** (ρ = %s, %s); %s. Mean by "
          + "layer position: %s.",
          e.getKey(), recoveredOf(rs), pct(median), Interval.fmt(median), bracket(median),
          "range " + pct(rhos.get(0)) + " to " + pct(rhos.get(rhos.size() - 1)), perLayer));
    }
    return out;
  }

  /** The method section's one-line description of the recovery target of {@code t}. */
  public static String criterion(dev.ablation.study.TrainingSettings t) {
    return String.format(Locale.ROOT,
        "the validation loss, smoothed over %d evaluations every %d steps, came within "
            + "ε = %s nats of L* (or plateaued for %d evaluations, or spent %s × B_ref)",
        dev.ablation.study.TrainingSettings.SMOOTHING, t.evalEvery(), t.epsilonNats(),
        t.patience(), t.budgetFraction());
  }

  private static String bracket(double rho) {
    if (rho <= 0.01) {
      return "about 1% or less";
    }
    if (rho <= 0.1) {
      return "between 1% and 10%";
    }
    return rho <= 1 ? "more than 10%" : "more than the original training";
  }

  private static String pct(double rho) {
    double p = 100 * rho;
    return String.format(Locale.ROOT, p < 1 ? "%.2f%%" : "%.1f%%", p);
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

  private void rhoPerLayer(Map<Config, List<RunRecord>> byConfig) {
    line("## ρ per layer");
    line("");
    byConfig.forEach((c, rs) -> {
      line("### %s", c);
      line("");
      line("| layer | scheme | freeze | recovered | ρ = T_ε / B_ref (95% CI) | T_ε / T_scratch |");
      line("|---|---|---|---|---|---|");
      Map<Cell, List<RunRecord>> cells = group(rs,
          r -> new Cell(r.key().target(), r.key().scheme(), r.key().freeze()));
      cells.values().forEach(cell -> {
        RunKey k = cell.get(0).key();
        Interval ratio = Interval.of(cell.stream().filter(Report::recovered)
            .filter(r -> r.row().examplesScratch().isPresent())
            .map(r -> (double) r.row().examplesToRecover().getAsLong()
                / r.row().examplesScratch().getAsLong()).toList());
        line("| %s | %s | %s | %s | %s | %s |", k.layer(), k.scheme(), k.freeze().key(),
            recoveredOf(cell), rho(cell).format(), ratio.format());
      });
      line("");
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      group(rs.stream().filter(r -> r.position().isPresent()).toList(), Report::arm)
          .forEach((a, ar) -> {
            List<double[]> pts = new ArrayList<>();
            new TreeMap<>(group(ar, r -> r.position().getAsInt())).forEach((l, lr) -> {
              Interval i = rho(lr);
              if (i.n() > 0) {
                pts.add(new double[] {l, i.mean(), i.low(), i.high()});
              }
            });
            series.put(a.toString(), pts);
          });
      if (!series.isEmpty()) {
        Path png = plot("rho_vs_layer_" + c.slug());
        io(() -> Plots.intervals(png, "ρ vs wiped layer, " + c, "wiped layer L",
            "ρ = T_ε / B_ref (mean, 95% CI)", series));
        embed(png, "rho vs layer " + c);
      }
    });
  }

  private void positionAndSize(Map<Config, List<RunRecord>> byConfig) {
    line("## How position, N and D change ρ");
    line("");
    line("Mean ρ over recovered seeds; first = block 0, last = block N−1, middle = the blocks "
        + "between (recovered/total in brackets).");
    line("");
    line("| arch | N | D | scheme | freeze | first | middle | last |");
    line("|---|---|---|---|---|---|---|---|");
    byConfig.forEach((c, rs) -> group(rs.stream().filter(r -> r.position().isPresent())
        .toList(), Report::arm).forEach((a, ar) -> {
          List<RunRecord> first = ar.stream().filter(r -> r.position().getAsInt() == 0).toList();
          List<RunRecord> last = ar.stream()
              .filter(r -> r.position().getAsInt() == c.n() - 1 && c.n() > 1).toList();
          List<RunRecord> mid = ar.stream().filter(r -> r.position().getAsInt() > 0
              && r.position().getAsInt() < c.n() - 1).toList();
          line("| %s | %d | %d | %s | %s | %s | %s | %s |", c.arch(), c.n(), c.d(), a.scheme(),
              a.freeze().key(), cellOf(first), cellOf(mid), cellOf(last));
        }));
    line("");
  }

  private static String cellOf(List<RunRecord> rs) {
    if (rs.isEmpty()) {
      return "—";
    }
    Interval i = rho(rs);
    return (i.n() == 0 ? "never" : Interval.fmt(i.mean())) + " (" + recoveredOf(rs) + ")";
  }

  private void neverRecovered() {
    line("## Runs that did not recover");
    line("");
    List<RunRecord> bad = records.stream().filter(r -> !recovered(r)).toList();
    if (bad.isEmpty()) {
      line("Every run recovered.");
      line("");
      return;
    }
    line("| arch | N | D | layer | scheme | freeze | seed | verdict | final − L* (nats) | "
        + "examples spent / B_ref |");
    line("|---|---|---|---|---|---|---|---|---|---|");
    for (RunRecord r : bad) {
      RunKey k = r.key();
      StudyRow row = r.row();
      line("| %s | %d | %d | %s | %s | %s | %d | %s | %s | %s |", k.arch(), k.nLayers(),
          k.dModel(), k.layer(), k.scheme(), k.freeze().key(), k.seed(), row.verdict(),
          Interval.fmt(row.lossFinal() - row.lossOriginal()),
          Interval.fmt((double) r.examplesSpent() / row.refExamples()));
    }
    line("");
  }

  private void damage(Map<Config, List<RunRecord>> byConfig) {
    line("## Step-0 damage vs layer, and the deleted-layer loss");
    line("");
    line("`L₀ − L*`: validation loss right after the wipe minus the original's; `deleted − L*`: "
        + "the same with the layer removed (identity). Means over seeds (and policies, which "
        + "cannot change step 0), 95% CI.");
    line("");
    byConfig.forEach((c, rs) -> {
      line("### %s", c);
      line("");
      line("| layer | scheme | L* | L₀ − L* | deleted − L* |");
      line("|---|---|---|---|---|");
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      Map<Wipe, List<RunRecord>> cells = group(rs,
          r -> new Wipe(r.key().target(), r.key().scheme()));
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
  private static Interval perSeed(List<RunRecord> rs, java.util.function.ToDoubleFunction<RunRecord> f) {
    Map<Long, List<RunRecord>> bySeed = new TreeMap<>(group(rs, r -> r.key().seed()));
    return Interval.of(bySeed.values().stream()
        .map(l -> l.stream().mapToDouble(f).average().orElse(Double.NaN)).toList());
  }

  private void scratch(Map<Config, List<RunRecord>> byConfig) {
    line("## Recovery vs training from scratch");
    line("");
    line("`T_scratch`: examples a freshly initialised model needs to reach the same target. "
        + "`ρ_scratch = T_scratch / B_ref`; the recovery is cheaper than starting over where "
        + "`T_ε / T_scratch` (in the ρ tables) is below 1.");
    line("");
    line("| arch | N | D | originals measured | ρ_scratch (95% CI) | mean T_ε / T_scratch, "
        + "recovered runs |");
    line("|---|---|---|---|---|---|");
    byConfig.forEach((c, rs) -> {
      Map<Long, OptionalDouble> perSeed = new TreeMap<>();
      rs.forEach(r -> perSeed.put(r.key().seed(), r.row().rhoScratch()));
      List<Double> vals = perSeed.values().stream().filter(OptionalDouble::isPresent)
          .map(OptionalDouble::getAsDouble).toList();
      Interval ratio = Interval.of(rs.stream().filter(Report::recovered)
          .filter(r -> r.row().examplesScratch().isPresent())
          .map(r -> (double) r.row().examplesToRecover().getAsLong()
              / r.row().examplesScratch().getAsLong()).toList());
      line("| %s | %d | %d | %d/%d | %s | %s |", c.arch(), c.n(), c.d(), vals.size(),
          perSeed.size(), Interval.of(vals).format(), Interval.fmt(ratio.mean()));
    });
    line("");
  }

  private void control(Map<Config, List<RunRecord>> byConfig) {
    line("## Control: everything trainable vs only the wiped layer");
    line("");
    boolean both = records.stream().anyMatch(r -> r.key().freeze() instanceof FreezePolicy.AllTrainable)
        && records.stream().anyMatch(r -> r.key().freeze() instanceof FreezePolicy.OnlyWiped);
    if (!both) {
      line("This study did not run both `onlyWiped` and `allTrainable`; add "
          + "`--policies onlyWiped,allTrainable` to compare.");
      line("");
      return;
    }
    line("What freezing costs: ρ with only the wiped layer trainable next to ρ with every "
        + "parameter trainable, same wipe, same seeds. A ratio above 1 means freezing slowed "
        + "recovery.");
    line("");
    line("| arch | N | D | layer | scheme | ρ onlyWiped (rec.) | ρ allTrainable (rec.) | ratio |");
    line("|---|---|---|---|---|---|---|---|");
    byConfig.forEach((c, rs) -> group(rs, r -> new Wipe(r.key().target(), r.key().scheme()))
        .values().forEach(cell -> {
          List<RunRecord> only = cell.stream()
              .filter(r -> r.key().freeze() instanceof FreezePolicy.OnlyWiped).toList();
          List<RunRecord> all = cell.stream()
              .filter(r -> r.key().freeze() instanceof FreezePolicy.AllTrainable).toList();
          if (only.isEmpty() || all.isEmpty()) {
            return;
          }
          Interval a = rho(only);
          Interval b = rho(all);
          line("| %s | %d | %d | %s | %s | %s (%s) | %s (%s) | %s |", c.arch(), c.n(), c.d(),
              cell.get(0).key().layer(), cell.get(0).key().scheme(), Interval.fmt(a.mean()),
              recoveredOf(only), Interval.fmt(b.mean()), recoveredOf(all),
              a.n() > 0 && b.n() > 0 ? Interval.fmt(a.mean() / b.mean()) : "—");
        }));
    line("");
  }

  private void curves(Map<Config, List<RunRecord>> byConfig) {
    line("## Recovery curves");
    line("");
    line("Validation loss against examples seen (as a fraction of `B_ref`), one line per "
        + "wiped layer, for the lowest seed; dashed levels are not drawn, compare with the "
        + "L* column above.");
    line("");
    byConfig.forEach((c, rs) -> group(rs, Report::arm).forEach((a, ar) -> {
      long seed = ar.stream().mapToLong(r -> r.key().seed()).min().orElseThrow();
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      ar.stream().filter(r -> r.key().seed() == seed).forEach(r -> series.put(r.key().layer(),
          r.curve().stream().filter(p -> Double.isFinite(p.loss()))
              .map(p -> new double[] {(double) p.examples() / r.row().refExamples(), p.loss()})
              .toList()));
      Path png = plot("curves_" + c.slug() + "_" + a.scheme() + "_" + a.freeze().key());
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
