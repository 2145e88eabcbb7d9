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
