package dev.ablation.samediff;

import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a parameter was first drawn, so a {@code FRESH} wipe can draw again from the original
 * distribution. SameDiff does not record initialisers with variables, so builders (ours, or a
 * user's layer map) record them here.
 *
 * <p>Samples come from a {@link SplittableRandom} seeded by the caller and are converted to
 * the parameter's data type: the same seed gives the same weights on every backend.
 */
public sealed interface InitRule {

  /** Fills a new array of {@code shape} and {@code type} from {@code seed}. */
  INDArray sample(long[] shape, DataType type, long seed);

  /**
   * Normal with mean 0 and standard deviation {@code std}.
   *
   * @param std ≥ 0
   */
  record Normal(double std) implements InitRule {
    /** Validates std. */
    public Normal {
      if (!(std >= 0) || Double.isInfinite(std)) {
        throw new IllegalArgumentException("std must be finite and >= 0, got " + std);
      }
    }

    @Override
    public INDArray sample(long[] shape, DataType type, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] v = new double[Math.toIntExact(length(shape))];
      for (int i = 0; i < v.length; i++) {
        v[i] = gaussian(r) * std;
      }
      return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "normal(0, %s)", std);
    }
  }

  /**
   * Uniform on {@code [-bound, bound]}.
   *
   * @param bound ≥ 0
   */
  record Uniform(double bound) implements InitRule {
    /** Validates the bound. */
    public Uniform {
      if (!(bound >= 0) || Double.isInfinite(bound)) {
        throw new IllegalArgumentException("bound must be finite and >= 0, got " + bound);
      }
    }

    @Override
    public INDArray sample(long[] shape, DataType type, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] v = new double[Math.toIntExact(length(shape))];
      for (int i = 0; i < v.length; i++) {
        v[i] = (2 * r.nextDouble() - 1) * bound;
      }
      return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "uniform(-%s, %s)", bound, bound);
    }
  }

  /**
   * Every element {@code value} (layer-norm γ=1, β=0, biases 0).
   *
   * @param value the constant
   */
  record Constant(double value) implements InitRule {
    @Override
    public INDArray sample(long[] shape, DataType type, long seed) {
      return Nd4j.valueArrayOf(shape, value, type);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "constant(%s)", value);
    }
  }

  /** Normal with {@code std = gain / sqrt(fanIn)}. */
  static InitRule normalFanIn(long fanIn, double gain) {
    if (fanIn <= 0) {
      throw new IllegalArgumentException("fanIn must be > 0, got " + fanIn);
    }
    return new Normal(gain / Math.sqrt(fanIn));
  }

  /** Xavier/Glorot uniform: bound {@code sqrt(6 / (fanIn + fanOut))}. */
  static InitRule xavierUniform(long fanIn, long fanOut) {
    if (fanIn <= 0 || fanOut <= 0) {
      throw new IllegalArgumentException("fanIn and fanOut must be > 0, got " + fanIn + ", "
          + fanOut);
    }
    return new Uniform(Math.sqrt(6.0 / (fanIn + fanOut)));
  }

  /**
   * The rule a parameter of {@code kind} and {@code shape} gets when its map declares none:
   * norm gains 1; norm shifts and biases 0; matrices Xavier uniform with fan-in
   * {@code shape[0]} and fan-out {@code shape[last]} (as SameDiff's {@code XavierInitScheme}
   * is usually called). Prefer {@link LayerMap.Builder#init} or
   * {@link LayerMap.Builder#inferInitFromValues()} when the graph was drawn otherwise.
   */
  static InitRule inferred(dev.ablation.api.ParameterKind kind, long[] shape) {
    switch (kind) {
      case NORM_GAIN:
        return ones();
      case NORM_BIAS:
      case BIAS:
      case OUTPUT_BIAS:
        return zeros();
      default:
        break;
    }
    if (shape.length < 2) {
      return zeros();
    }
    long fanIn = Math.max(1, shape[0]);
    long fanOut = Math.max(1, shape[shape.length - 1]);
    return xavierUniform(fanIn, fanOut);
  }

  /**
   * The rule that most plausibly drew {@code values}, for a graph whose initialisers were not
   * recorded: a constant if every element is equal; otherwise uniform on
   * {@code [-max|x|, max|x|]} if no element lies more than 1.95 standard deviations from the
   * mean (at least 16 elements), else normal with mean 0 and the sample standard deviation.
   * Only meaningful on untrained values.
   */
  static InitRule fittedTo(INDArray values) {
    double[] x = values.castTo(DataType.DOUBLE).dup().data().asDouble();
    if (x.length == 0) {
      return zeros();
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (double v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    if (min == max) {
      return new Constant(min);
    }
    double mean = sum / x.length;
    double m2 = 0;
    for (double v : x) {
      m2 += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(m2 / x.length);
    // A uniform sample never strays more than sqrt(3) ≈ 1.73 standard deviations from its mean;
    // a normal sample of 64 exceeds 1.95 with probability ≈ 0.97 (and the variance matches
    // either way, so a wrong guess changes the shape of the law, not its scale).
    double maxDev = Math.max(max - mean, mean - min);
    if (x.length >= 16 && maxDev / std < 1.95) {
      return new Uniform(Math.max(Math.abs(min), Math.abs(max)));
    }
    return new Normal(std);
  }

  /** Zeros. */
  static InitRule zeros() {
    return new Constant(0);
  }

  /** Ones. */
  static InitRule ones() {
    return new Constant(1);
  }

  private static long length(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static double gaussian(SplittableRandom r) {
    // Box–Muller; SplittableRandom has no nextGaussian on Java 17
    double u1 = r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
