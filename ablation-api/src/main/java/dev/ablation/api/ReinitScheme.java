package dev.ablation.api;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a wiped layer becomes. "Reset to random weights" is underspecified and the literature
 * shows the choice matters, so each reading is its own scheme. In every scheme layer norms
 * reset to γ=1, β=0 (except {@link CopyFrom}, which copies them, and {@link ShrinkPerturb},
 * which shrinks them like every other parameter).
 *
 * <p>Schemes are values: equal when their parameters are equal, and serialisable so a cluster
 * driver can ship them to its workers.
 */
public sealed interface ReinitScheme extends Serializable {

  /** A new draw from each parameter's original initialiser (including residual scaling). */
  record Fresh() implements ReinitScheme {
    @Override
    public String toString() {
      return "FRESH";
    }
  }

  /** Exactly the layer's initial weights θ₀ (Zhang, Bengio and Singer's re-initialisation). */
  record RestoreInitial() implements ReinitScheme {
    @Override
    public String toString() {
      return "RESTORE_INITIAL";
    }
  }

  /**
   * A fresh draw with every output projection and output bias ({@link ParameterKind#isOutput()})
   * set to zero: a pre-LN block starts as the identity, i.e. as if deleted (ReZero, Fixup,
   * LLaMA Pro).
   */
  record ZeroOutput() implements ReinitScheme {
    @Override
    public String toString() {
      return "ZERO_OUTPUT";
    }
  }

  /**
   * {@code λ·θ + σ·ε} with standard normal ε (Ash and Adams): a reset with a strength knob.
   * λ=1, σ=0 changes nothing; λ=0 is pure noise.
   *
   * @param lambda shrink factor in [0, 1]
   * @param sigma noise standard deviation, ≥ 0
   */
  record ShrinkPerturb(double lambda, double sigma) implements ReinitScheme {
    /** Validates the ranges. */
    public ShrinkPerturb {
      if (!(lambda >= 0 && lambda <= 1)) {
        throw new IllegalArgumentException("SHRINK_PERTURB lambda must be in [0, 1], got " + lambda);
      }
      if (!(sigma >= 0) || Double.isInfinite(sigma)) {
        throw new IllegalArgumentException("SHRINK_PERTURB sigma must be finite and >= 0, got "
            + sigma);
      }
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "SHRINK_PERTURB(%s,%s)", lambda, sigma);
    }
  }

  /**
   * The weights of another layer of the same shape (Net2Net-style).
   *
   * @param source the layer to copy from
   */
  record CopyFrom(LayerPath source) implements ReinitScheme {
    /** Validates the source. */
    public CopyFrom {
      if (source == null) {
        throw new IllegalArgumentException("COPY_FROM needs a source layer");
      }
    }

    @Override
    public String toString() {
      return "COPY_FROM(" + source + ")";
    }
  }

  /** @see Fresh */
  static ReinitScheme fresh() {
    return new Fresh();
  }

  /** @see RestoreInitial */
  static ReinitScheme restoreInitial() {
    return new RestoreInitial();
  }

  /** @see ZeroOutput */
  static ReinitScheme zeroOutput() {
    return new ZeroOutput();
  }

  /** @see ShrinkPerturb */
  static ReinitScheme shrinkPerturb(double lambda, double sigma) {
    return new ShrinkPerturb(lambda, sigma);
  }

  /** @see CopyFrom */
  static ReinitScheme copyFrom(LayerPath source) {
    return new CopyFrom(source);
  }

  /** The forms {@link #parse} accepts. */
  List<String> SYNTAX = List.of("FRESH", "RESTORE_INITIAL", "ZERO_OUTPUT",
      "SHRINK_PERTURB(lambda,sigma)", "COPY_FROM(layer)");

  /**
   * Parses the {@code toString()} form ({@code FRESH}, {@code SHRINK_PERTURB(0.5,0.01)},
   * {@code COPY_FROM(blocks.1)}); case-insensitive names, for command lines and CSV files.
   *
   * @throws IllegalArgumentException naming the bad text and listing {@link #SYNTAX}
   */
  static ReinitScheme parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("scheme must not be null; valid: " + SYNTAX);
    }
    String t = text.strip();
    switch (t.toUpperCase(Locale.ROOT)) {
      case "FRESH":
        return fresh();
      case "RESTORE_INITIAL":
        return restoreInitial();
      case "ZERO_OUTPUT":
        return zeroOutput();
      default:
        break;
    }
    Matcher m = Pattern.compile("(?i)SHRINK_PERTURB\\(\\s*([^,\\s]+)\\s*,\\s*([^)\\s]+)\\s*\\)")
        .matcher(t);
    if (m.matches()) {
      try {
        return shrinkPerturb(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("unknown reinit scheme '" + text
            + "': lambda and sigma must be numbers; valid: " + SYNTAX, e);
      }
    }
    m = Pattern.compile("(?i)COPY_FROM\\(\\s*([^)\\s]+)\\s*\\)").matcher(t);
    if (m.matches()) {
      return copyFrom(LayerPath.parse(m.group(1)));
    }
    throw new IllegalArgumentException("unknown reinit scheme '" + text + "'; valid: " + SYNTAX);
  }
}
