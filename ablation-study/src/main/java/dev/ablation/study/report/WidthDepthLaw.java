package dev.ablation.study.report;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Architecture;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * "Is the result about the same however big the transformer is?" as a trend with its
 * uncertainty: the examples a wiped block needs to recover, fitted as a power law in the
 * width {@code D} and the depth {@code N}, separately for block 0, block 1 and the later
 * blocks (where the block's relative position {@code L / (N − 1)} is a third term):
 *
 * <pre>ln T_ε = a + b·ln D + c·ln N  (+ d·L/(N − 1) for later blocks)</pre>
 *
 * <p>Only the question's arm enters (decoder-only, a whole block, {@code FRESH}, only it
 * trainable, the original's rate). Each cell (shape × block) contributes the natural log of its
 * Kaplan–Meier median over seeds (runs that did not recover are censored, not dropped); a cell
 * whose median cannot be placed, or whose cost sits inside or near the recovery's warm-up or
 * evaluation grid ({@link AbsoluteCosts.Near#flagged()}), is left out and listed: its cost
 * measures the schedule as much as the block.
 *
 * <p>Intervals resample whole originals: each replicate draws, for every shape, its seeds with
 * replacement, recomputes every cell's median from them and refits. One shape may be held out:
 * the fit without it predicts each of its cells, with a 95 % prediction interval (the
 * replicate's prediction plus a residual of the fit drawn at random), and the check passes when
 * the observed median lies inside. The fitted range (the widths and depths that entered) is
 * part of the result: the law says nothing outside it.
 */
public final class WidthDepthLaw {
  private WidthDepthLaw() {}

  /** Bootstrap replicates unless told otherwise. */
  public static final int RESAMPLES = 2000;
  private static final long SEED = 20_261_207L;
  private static final Quantile QUANTILE = Quantile.withDefaults();

  /** Where the wiped block sits: each gets its own fit. */
  public enum Place {
    /** The first block. */
    BLOCK_0("block 0"),
    /** The second block. */
    BLOCK_1("block 1"),
    /** Blocks 2 to N − 1, with their relative position as a term. */
    LATER("blocks 2..N−1");

    private final String label;

    Place(String label) {
      this.label = label;
    }

    /** How tables name it. */
    public String label() {
      return label;
    }

    static Place of(int block) {
      return block == 0 ? BLOCK_0 : block == 1 ? BLOCK_1 : LATER;
    }
  }

  /**
   * A fitted coefficient with its 95 % interval over the replicates.
   *
   * @param term {@code ln D}, {@code ln N}, {@code L/(N−1)} or {@code intercept}
   */
  public record Coefficient(String term, double estimate, double low, double high) {}

  /**
   * What entered a place's fit: its cells and the widths and depths they span. A group of its
   * own because it is what decides whether a fit can be made at all (too few cells, or one
   * width or one depth only) and what the tables print before the coefficients.
   *
   * @param cells cells that entered
   * @param widths the widths that entered
   * @param depths the depths that entered
   */
  public record Entered(int cells, List<Integer> widths, List<Integer> depths) {}

  /**
   * One place's fit.
   *
   * @param entered the cells, widths and depths that entered
   * @param coefficients intercept, then {@code ln D}, {@code ln N} (and {@code L/(N−1)})
   * @param rmse root mean squared residual, in ln examples
   * @param replicates replicates that could be refitted (others had a cell without a median)
   * @param problem why there is no fit (too few cells), else empty
   */
  public record Fit(Place place, Entered entered, List<Coefficient> coefficients, double rmse,
      int replicates, Optional<String> problem) {
    /** Cells that entered. */
    public int cells() {
      return entered.cells();
    }

    /** The widths that entered. */
    public List<Integer> widths() {
      return entered.widths();
    }

    /** The depths that entered. */
    public List<Integer> depths() {
      return entered.depths();
    }
  }

  /**
   * The fit's prediction for a held-out cell: the point and its 95 % prediction interval over
   * the replicates, in examples. The three travel together; a check compares one observation
   * against them.
   *
   * @param point the fit's point prediction
   * @param low the interval's lower end
   * @param high its upper end
   */
  public record Prediction(double point, double low, double high) {}

  /**
   * The held-out shape's cell against the fit's prediction.
   *
   * @param observed the cell's Kaplan–Meier median in examples (NaN when it cannot be placed)
   * @param prediction the fit's prediction with its interval
   */
  public record Check(int n, int d, int block, double observed, Prediction prediction) {
    /** The fit's point prediction in examples. */
    public double predicted() {
      return prediction.point();
    }

    /** The 95 % prediction interval's lower end. */
    public double low() {
      return prediction.low();
    }

    /** Its upper end. */
    public double high() {
      return prediction.high();
    }

    /** Whether the observed median lies inside the prediction interval. */
    public boolean inside() {
      return observed >= low() && observed <= high();
    }
  }

  /**
   * Everything the law command prints.
   *
   * @param fits one per place with cells
   * @param held the held-out shape, when one was
   * @param checks its cells against the fits without it
   * @param excluded cells left out, each with why
   */
  public record Result(List<Fit> fits, Optional<int[]> held, List<Check> checks,
      List<String> excluded) {}

  /** A cell of the question's arm: its shape, block, and one observation per seed. */
  private record Cell(int n, int d, int block, SortedMap<Long, Censored.Obs> bySeed) {
    double[] x(Place p) {
      double[] x = p == Place.LATER ? new double[3] : new double[2];
      x[0] = Math.log(d);
      x[1] = Math.log(n);
      if (p == Place.LATER) {
        x[2] = block / (double) (n - 1);
      }
      return x;
    }

    /** ln of the KM median over {@code seeds} (drawn with replacement); +∞ when unplaceable. */
    double logMedian(List<Long> seeds) {
      List<Censored.Obs> obs = new ArrayList<>();
      for (long s : seeds) {
        Censored.Obs o = bySeed.get(s);
        if (o != null) {
          obs.add(o);
        }
      }
      OptionalDouble m = Censored.kaplanMeierMedian(obs);
      return m.isPresent() ? Math.log(m.getAsDouble()) : Double.POSITIVE_INFINITY;
    }
  }

  /**
   * Fits the law to {@code records} (any mix of studies), holding out the shape
   * {@code N × D} given as {@code heldOut = {N, D}} when present.
   *
   * @param resamples bootstrap replicates (≥ 100)
   */
  public static Result fit(List<RunRecord> records, Optional<int[]> heldOut, int resamples) {
    if (resamples < 100) {
      throw new IllegalArgumentException("resamples must be >= 100, got " + resamples);
    }
    List<String> excluded = new ArrayList<>();
    List<Cell> cells = cells(records, excluded);
    if (heldOut.isPresent() && cells.stream().noneMatch(c -> held(c, heldOut))) {
      throw new IllegalArgumentException("the held-out shape N=" + heldOut.get()[0] + " D="
          + heldOut.get()[1] + " has no cell of the question's arm; shapes present: "
          + shapes(cells));
    }
    Map<String, List<Long>> seedsByShape = new LinkedHashMap<>();
    for (Cell c : cells) {
      List<Long> seeds = seedsByShape.computeIfAbsent(c.n() + "x" + c.d(), k -> new ArrayList<>());
      c.bySeed().keySet().stream().filter(s -> !seeds.contains(s)).forEach(seeds::add);
    }
    // the replicates: per shape, its seeds drawn with replacement (whole originals)
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(SEED);
    List<Map<String, List<Long>>> draws = new ArrayList<>();
    for (int b = 0; b < resamples; b++) {
      Map<String, List<Long>> draw = new LinkedHashMap<>();
      seedsByShape.forEach((shape, seeds) -> {
        List<Long> d = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
          d.add(seeds.get(rng.nextInt(seeds.size())));
        }
        draw.put(shape, d);
      });
      draws.add(draw);
    }
    List<Fit> fits = new ArrayList<>();
    List<Check> checks = new ArrayList<>();
    for (Place p : Place.values()) {
      List<Cell> in = new ArrayList<>();
      for (Cell c : cells) {
        if (Place.of(c.block()) != p || held(c, heldOut)) {
          continue;
        }
        if (Double.isInfinite(c.logMedian(new ArrayList<>(c.bySeed().keySet())))) {
          excluded.add(label(c) + ": half or more of its runs did not recover (no median)");
          continue;
        }
        in.add(c);
      }
      if (in.isEmpty()) {
        continue;
      }
      Fit fit = fitPlace(p, in, draws, rng, heldOut.isEmpty() ? List.of()
          : cells.stream().filter(c -> held(c, heldOut) && Place.of(c.block()) == p).toList(),
          checks);
      fits.add(fit);
    }
    return new Result(fits, heldOut, checks, excluded);
  }

  private static Fit fitPlace(Place p, List<Cell> in, List<Map<String, List<Long>>> draws,
      UniformRandomProvider rng, List<Cell> heldCells, List<Check> checks) {
    List<Integer> widths = new ArrayList<>(new TreeSet<>(in.stream().map(Cell::d).toList()));
    List<Integer> depths = new ArrayList<>(new TreeSet<>(in.stream().map(Cell::n).toList()));
    int k = p == Place.LATER ? 3 : 2;
    List<String> terms = p == Place.LATER ? List.of("intercept", "ln D", "ln N", "L/(N−1)")
        : List.of("intercept", "ln D", "ln N");
    if (in.size() < k + 2 || widths.size() < 2 || depths.size() < 2) {
      return new Fit(p, new Entered(in.size(), widths, depths), List.of(), Double.NaN, 0,
          Optional.of(
          in.size() + " cells over widths " + widths + " and depths " + depths + ": too few for "
              + (k + 1) + " coefficients with a residual"));
    }
    double[] y = new double[in.size()];
    double[][] x = new double[in.size()][];
    for (int i = 0; i < in.size(); i++) {
      Cell c = in.get(i);
      y[i] = c.logMedian(new ArrayList<>(c.bySeed().keySet()));
      x[i] = c.x(p);
    }
    double[] beta = ols(y, x);
    double[] residuals = new double[y.length];
    double ss = 0;
    for (int i = 0; i < y.length; i++) {
      residuals[i] = y[i] - predict(beta, x[i]);
      ss += residuals[i] * residuals[i];
    }
    List<double[]> reps = new ArrayList<>();
    List<double[]> heldPredictions = new ArrayList<>();
    for (Map<String, List<Long>> draw : draws) {
      double[] yb = new double[y.length];
      boolean ok = true;
      for (int i = 0; i < in.size(); i++) {
        Cell c = in.get(i);
        yb[i] = c.logMedian(draw.get(c.n() + "x" + c.d()));
        ok &= Double.isFinite(yb[i]);
      }
      if (!ok) {
        continue;
      }
      double[] bb = ols(yb, x);
      reps.add(bb);
      double[] hp = new double[heldCells.size()];
      for (int h = 0; h < hp.length; h++) {
        hp[h] = predict(bb, heldCells.get(h).x(p)) + residuals[rng.nextInt(residuals.length)];
      }
      heldPredictions.add(hp);
    }
    List<Coefficient> coefficients = new ArrayList<>();
    for (int j = 0; j < beta.length; j++) {
      double[] col = new double[reps.size()];
      for (int b = 0; b < col.length; b++) {
        col[b] = reps.get(b)[j];
      }
      coefficients.add(new Coefficient(terms.get(j), beta[j],
          col.length == 0 ? Double.NaN : QUANTILE.evaluate(col, 0.025),
          col.length == 0 ? Double.NaN : QUANTILE.evaluate(col, 0.975)));
    }
    for (int h = 0; h < heldCells.size(); h++) {
      Cell c = heldCells.get(h);
      double[] col = new double[heldPredictions.size()];
      for (int b = 0; b < col.length; b++) {
        col[b] = heldPredictions.get(b)[h];
      }
      double obs = c.logMedian(new ArrayList<>(c.bySeed().keySet()));
      checks.add(new Check(c.n(), c.d(), c.block(), Double.isFinite(obs) ? Math.exp(obs)
          : Double.NaN, new Prediction(Math.exp(predict(beta, c.x(p))),
              col.length == 0 ? Double.NaN : Math.exp(QUANTILE.evaluate(col, 0.025)),
              col.length == 0 ? Double.NaN : Math.exp(QUANTILE.evaluate(col, 0.975)))));
    }
    return new Fit(p, new Entered(in.size(), widths, depths), coefficients,
        Math.sqrt(ss / y.length), reps.size(), Optional.empty());
  }

  private static double[] ols(double[] y, double[][] x) {
    OLSMultipleLinearRegression r = new OLSMultipleLinearRegression();
    r.newSampleData(y, x);
    return r.estimateRegressionParameters();
  }

  private static double predict(double[] beta, double[] x) {
    double v = beta[0];
    for (int j = 0; j < x.length; j++) {
      v += beta[j + 1] * x[j];
    }
    return v;
  }

  private static boolean held(Cell c, Optional<int[]> heldOut) {
    return heldOut.isPresent() && c.n() == heldOut.get()[0] && c.d() == heldOut.get()[1];
  }

  private static String label(Cell c) {
    return "N=" + c.n() + " D=" + c.d() + " block " + c.block();
  }

  private static String shapes(List<Cell> cells) {
    return new TreeSet<>(cells.stream().map(c -> "N=" + c.n() + " D=" + c.d()).toList())
        .toString();
  }

  /** The question's arm's cells, flagged ones left out and listed in {@code excluded}. */
  private static List<Cell> cells(List<RunRecord> records, List<String> excluded) {
    List<RunRecord> arm = records.stream()
        .filter(r -> r.key().arch() == Architecture.DECODER_ONLY)
        .filter(r -> r.position().isPresent()
            && r.key().target().label().equals("blocks." + r.position().getAsInt()))
        .filter(r -> r.key().scheme().equals(ReinitScheme.fresh()))
        .filter(r -> r.key().freeze() instanceof FreezePolicy.OnlyWiped)
        .filter(r -> r.key().lrMultiple() == 1.0)
        .toList();
    SortedMap<String, List<RunRecord>> byCell = new TreeMap<>();
    for (RunRecord r : arm) {
      byCell.computeIfAbsent(String.format(Locale.ROOT, "%03d/%05d/%03d", r.key().nLayers(),
          r.key().dModel(), r.position().getAsInt()), k -> new ArrayList<>()).add(r);
    }
    List<Cell> out = new ArrayList<>();
    for (List<RunRecord> runs : byCell.values()) {
      RunRecord first = runs.get(0);
      int n = first.key().nLayers();
      int d = first.key().dModel();
      int block = first.position().getAsInt();
      AbsoluteCosts.CellCost cost = AbsoluteCosts.CellCost.of(CellKey.of(first), runs);
      List<Censored.Obs> obs = Runs.examplesObs(runs);
      if (obs.isEmpty()) {
        excluded.add("N=" + n + " D=" + d + " block " + block + ": every run undamaged");
        continue;
      }
      if (cost.near().flagged()) {
        excluded.add("N=" + n + " D=" + d + " block " + block + ": median "
            + cost.steps().median().orElse(Double.NaN) + " steps, near the schedule ("
            + AnswerMarkdown.note(cost.near()) + ")");
        continue;
      }
      SortedMap<Long, Censored.Obs> bySeed = new TreeMap<>();
      for (RunRecord r : runs) {
        List<Censored.Obs> o = Runs.examplesObs(List.of(r));
        if (!o.isEmpty()) {
          bySeed.put(r.key().seed(), o.get(0));
        }
      }
      out.add(new Cell(n, d, block, bySeed));
    }
    return out;
  }

  /** {@code 4x256} as {@code {4, 256}}. */
  public static int[] parseShape(String nxd) {
    String[] p = nxd.strip().toLowerCase(Locale.ROOT).split("x");
    try {
      if (p.length == 2) {
        int[] s = {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        if (s[0] >= 1 && s[1] >= 1) {
          return s;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("shape '" + nxd + "' is not NxD with N, D >= 1, e.g. 4x256");
  }
}
