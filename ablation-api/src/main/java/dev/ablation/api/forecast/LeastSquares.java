package dev.ablation.api.forecast;

import java.util.Optional;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Ordinary least squares with an intercept and the classical prediction interval,
 * {@code ŷ ± t(n − p, 1 − α/2) · s · √(1 + x₀ᵀ (XᵀX)⁻¹ x₀)}. Small p (at most three columns
 * here), so the normal equations are solved directly; Student's t comes from Commons
 * Statistics.
 *
 * @param beta coefficients, the intercept first
 * @param inverse {@code (XᵀX)⁻¹}
 * @param residualVariance {@code s²}, the residual sum of squares over {@code n − p}
 * @param dof {@code n − p}
 */
record LeastSquares(double[] beta, double[][] inverse, double residualVariance, int dof) {

  /**
   * The fit of {@code y} on the columns of {@code x} (rows are observations; the intercept is
   * added here); empty when there are no more observations than coefficients or the columns
   * are collinear.
   */
  static Optional<LeastSquares> fit(double[][] x, double[] y) {
    int n = y.length;
    int p = (n == 0 ? 0 : x[0].length) + 1;
    if (n <= p) {
      return Optional.empty();
    }
    double[][] xtx = new double[p][p];
    double[] xty = new double[p];
    for (int i = 0; i < n; i++) {
      double[] row = row(x[i]);
      for (int a = 0; a < p; a++) {
        xty[a] += row[a] * y[i];
        for (int b = 0; b < p; b++) {
          xtx[a][b] += row[a] * row[b];
        }
      }
    }
    Optional<double[][]> inv = invert(xtx);
    if (inv.isEmpty()) {
      return Optional.empty();
    }
    double[] beta = new double[p];
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < p; b++) {
        beta[a] += inv.get()[a][b] * xty[b];
      }
    }
    double rss = 0;
    for (int i = 0; i < n; i++) {
      double r = y[i] - dot(beta, row(x[i]));
      rss += r * r;
    }
    return Optional.of(new LeastSquares(beta, inv.get(), rss / (n - p), n - p));
  }

  /** The prediction at {@code x0} and its two-sided {@code level} prediction interval. */
  double[] predict(double[] x0, double level) {
    double[] row = row(x0);
    double y = dot(beta, row);
    double q = 0;
    for (int a = 0; a < row.length; a++) {
      for (int b = 0; b < row.length; b++) {
        q += row[a] * inverse[a][b] * row[b];
      }
    }
    double t = TDistribution.of(dof).inverseCumulativeProbability(0.5 + level / 2);
    double half = t * Math.sqrt(residualVariance * (1 + q));
    return new double[] {y, y - half, y + half};
  }

  private static double[] row(double[] x) {
    double[] r = new double[x.length + 1];
    r[0] = 1;
    System.arraycopy(x, 0, r, 1, x.length);
    return r;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** Gauss–Jordan with partial pivoting; empty when (numerically) singular. */
  private static Optional<double[][]> invert(double[][] m) {
    int p = m.length;
    double[][] a = new double[p][2 * p];
    double scale = 0;
    for (int i = 0; i < p; i++) {
      System.arraycopy(m[i], 0, a[i], 0, p);
      a[i][p + i] = 1;
      for (int j = 0; j < p; j++) {
        scale = Math.max(scale, Math.abs(m[i][j]));
      }
    }
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      if (!(Math.abs(a[pivot][c]) > 1e-12 * Math.max(scale, 1e-300))) {
        return Optional.empty();
      }
      double[] tmp = a[c];
      a[c] = a[pivot];
      a[pivot] = tmp;
      double d = a[c][c];
      for (int j = 0; j < 2 * p; j++) {
        a[c][j] /= d;
      }
      for (int r = 0; r < p; r++) {
        if (r != c && a[r][c] != 0) {
          double f = a[r][c];
          for (int j = 0; j < 2 * p; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[][] inv = new double[p][p];
    for (int i = 0; i < p; i++) {
      System.arraycopy(a[i], p, inv[i], 0, p);
    }
    return Optional.of(inv);
  }
}
