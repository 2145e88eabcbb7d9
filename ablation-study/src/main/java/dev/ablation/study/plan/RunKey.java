package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import dev.ablation.api.Architecture;
import com.google.common.hash.Hashing;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What identifies one recovery run: the first seven columns of {@code results.csv}, as typed
 * values. A resumed study skips every run whose key it already has; the report groups and
 * selects by these values (a policy's type, a target's kind), never by their text.
 *
 * <p>Keys sort by architecture key, N, D, target ({@link WipeTarget#ORDER}: numbers inside
 * paths compare as numbers), then the scheme's and the policy's text and the seed: the order of
 * the rows of {@code results.csv}. Serialisable, so a cluster driver can ship keys to workers.
 *
 * @param arch architecture
 * @param nLayers N
 * @param dModel D
 * @param target what the run wipes (its {@link WipeTarget#label()} is the {@code layer} column)
 * @param scheme what the target becomes (its {@code toString()} is the {@code scheme} column)
 * @param freeze what trains (its {@link FreezePolicy#key()} is the {@code freeze} column)
 * @param seed the master seed
 * @param lrMultiple the recovery's peak learning rate as a multiple of the original's (column
 *     {@code recovery_lr_multiple}); part of the key so a study can sweep it ({@code 1} for
 *     the default, and then absent from the key's text, so earlier studies' keys stay)
 */
public record RunKey(Architecture arch, int nLayers, int dModel, WipeTarget target, ReinitScheme scheme,
    FreezePolicy freeze, long seed, double lrMultiple)
    implements Comparable<RunKey>, Serializable {

  private static final long serialVersionUID = 1L;

  private static final Comparator<RunKey> ORDER = Comparator.comparing((RunKey k) -> k.arch().key())
      .thenComparingInt(RunKey::nLayers)
      .thenComparingInt(RunKey::dModel)
      .thenComparing(RunKey::target, WipeTarget.ORDER)
      .thenComparing(k -> k.scheme().toString())
      .thenComparing(k -> k.freeze().key())
      .thenComparingDouble(RunKey::lrMultiple)
      .thenComparingLong(RunKey::seed);

  /** Validates that the parts are present. */
  public RunKey {
    if (arch == null || target == null || scheme == null || freeze == null) {
      throw new IllegalArgumentException("run key parts must not be null, got arch=" + arch
          + " target=" + target + " scheme=" + scheme + " freeze=" + freeze);
    }
    LearningRates.require("learning-rate multiple", lrMultiple);
  }

  /** A key at the original's peak rate (multiple 1). */
  public RunKey(Architecture arch, int nLayers, int dModel, WipeTarget target, ReinitScheme scheme,
      FreezePolicy freeze, long seed) {
    this(arch, nLayers, dModel, target, scheme, freeze, seed, 1.0);
  }

  /** The key of {@code request} on {@code original}. */
  public static RunKey of(OriginalSpec original, RecoveryRequest request) {
    ModelSpec m = original.model();
    return new RunKey(m.arch(), m.nLayers(), m.dModel(), request.target(), request.scheme(),
        request.policy(), request.seed(), request.lrMultiple());
  }

  /** The {@code layer} column: the target's label. */
  public String layer() {
    return target.label();
  }

  /** A file name for this run's record: 16 hex digits of SHA-256 of the key's text. */
  public String fileName() {
    return Hashing.sha256().hashString(toString(), StandardCharsets.UTF_8).toString()
        .substring(0, 16) + ".json";
  }

  @Override
  public int compareTo(RunKey o) {
    return ORDER.compare(this, o);
  }

  /**
   * The seven columns as {@code results.csv} writes them, comma-separated; then
   * {@code ,lr=<m>x} when the learning-rate multiple is not 1.
   */
  @Override
  public String toString() {
    String base = String.format(Locale.ROOT, "%s,%d,%d,%s,%s,%s,%d", arch.key(), nLayers,
        dModel, target.label(), scheme, freeze.key(), seed);
    return lrMultiple == 1.0 ? base : base + ",lr=" + Numbers.format(lrMultiple) + "x";
  }

  /**
   * Reads keys back from their column text. Schemes and policies known to the reader (a plan's)
   * are matched by their text first, so a policy that cannot be parsed (a
   * {@link FreezePolicy#matching} predicate, a schedule) still resolves to the plan's own value;
   * anything else is parsed by the API's {@code parse}.
   *
   * @param schemes schemes to match by text before parsing
   * @param policies policies to match by key before parsing
   */
  public record Reader(List<ReinitScheme> schemes, List<FreezePolicy> policies) {
    /** Copies the lists. */
    public Reader {
      schemes = List.copyOf(schemes);
      policies = List.copyOf(policies);
    }

    /** A reader that only parses. */
    public static Reader parsing() {
      return new Reader(List.of(), List.of());
    }

    /** A reader that knows {@code plan}'s schemes and policies. */
    public static Reader of(StudyPlan plan) {
      return new Reader(plan.schemes(), plan.policies());
    }

    /**
     * The key of these column texts.
     *
     * @throws IllegalArgumentException naming the bad cell and what is valid
     */
    public RunKey read(String arch, int nLayers, int dModel, String layer, String scheme,
        String freeze, long seed) {
      return read(arch, nLayers, dModel, layer, scheme, freeze, seed, 1.0);
    }

    /** As the seven-column read, with the learning-rate multiple. */
    public RunKey read(String arch, int nLayers, int dModel, String layer, String scheme,
        String freeze, long seed, double lrMultiple) {
      Architecture a = Architecture.byKey(arch).orElseThrow(() -> new IllegalArgumentException(
          "unknown arch '" + arch + "'; valid: " + Architecture.keys()));
      return new RunKey(a, nLayers, dModel, WipeTarget.parse(layer, nLayers),
          find(schemes, scheme, Object::toString).orElseGet(() -> ReinitScheme.parse(scheme)),
          find(policies, freeze, FreezePolicy::key).orElseGet(() -> FreezePolicy.parse(freeze)),
          seed, lrMultiple);
    }

    private static <T> java.util.Optional<T> find(Collection<T> known, String text,
        java.util.function.Function<T, String> name) {
      return known.stream().filter(k -> name.apply(k).equals(text)).findFirst();
    }
  }
}
