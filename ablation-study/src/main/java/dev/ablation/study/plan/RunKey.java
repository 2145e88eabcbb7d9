package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import dev.ablation.api.Architecture;
import com.google.common.hash.Hashing;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.internal.SetOnce;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What identifies one recovery run: the first seven columns of {@code results.csv}, as typed
 * values. A resumed study skips every run whose key it already has; the report groups and
 * selects by these values (a policy's type, a target's kind), never by their text.
 *
 * <p>Keys sort by architecture key, N, D, target ({@link WipeTarget#ORDER}: numbers inside
 * paths compare as numbers), then the scheme's and the policy's text and the seed: the order of
 * the rows of {@code results.csv}. Serialisable, so a cluster driver can ship keys to workers.
 *
 * <p>A final class with a {@link Builder} rather than a record of eight components: a call
 * site of eight positional values (two ints, a long, a double) reads as a row of numbers, and
 * swapping {@code nLayers} and {@code dModel} compiled. The builder names each part, refuses
 * one set twice, and {@link Builder#build()} reports every missing part at once.
 */
public final class RunKey implements Comparable<RunKey>, Serializable {

  private static final long serialVersionUID = 2L;

  private static final Comparator<RunKey> ORDER = Comparator.comparing((RunKey k) -> k.arch().key())
      .thenComparingInt(RunKey::nLayers)
      .thenComparingInt(RunKey::dModel)
      .thenComparing(RunKey::target, WipeTarget.ORDER)
      .thenComparing(k -> k.scheme().toString())
      .thenComparing(k -> k.freeze().key())
      .thenComparingDouble(RunKey::lrMultiple)
      .thenComparingLong(RunKey::seed);

  private final Architecture arch;
  private final int nLayers;
  private final int dModel;
  private final WipeTarget target;
  private final ReinitScheme scheme;
  private final FreezePolicy freeze;
  private final long seed;
  private final double lrMultiple;

  private RunKey(Builder b) {
    this.arch = b.arch;
    this.nLayers = b.nLayers;
    this.dModel = b.dModel;
    this.target = b.target;
    this.scheme = b.scheme;
    this.freeze = b.freeze;
    this.seed = b.seed;
    this.lrMultiple = b.lrMultiple;
  }

  /**
   * A builder with nothing set. Every part but {@link Builder#lrMultiple(double)} (default 1)
   * is required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this key's parts; each may be replaced once. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The architecture. */
  public Architecture arch() {
    return arch;
  }

  /** N: blocks per stack. */
  public int nLayers() {
    return nLayers;
  }

  /** D: the model width. */
  public int dModel() {
    return dModel;
  }

  /** What the run wipes (its {@link WipeTarget#label()} is the {@code layer} column). */
  public WipeTarget target() {
    return target;
  }

  /** What the target becomes (its {@code toString()} is the {@code scheme} column). */
  public ReinitScheme scheme() {
    return scheme;
  }

  /** What trains (its {@link FreezePolicy#key()} is the {@code freeze} column). */
  public FreezePolicy freeze() {
    return freeze;
  }

  /** The master seed. */
  public long seed() {
    return seed;
  }

  /**
   * The recovery's peak learning rate as a multiple of the original's (column
   * {@code recovery_lr_multiple}); part of the key so a study can sweep it ({@code 1} for the
   * default, and then absent from the key's text, so earlier studies' keys stay).
   */
  public double lrMultiple() {
    return lrMultiple;
  }

  /** The key of {@code request} on {@code original}. */
  public static RunKey of(OriginalSpec original, RecoveryRequest request) {
    ModelSpec m = original.model();
    return builder().arch(m.arch()).nLayers(m.nLayers()).dModel(m.dModel())
        .target(request.target()).scheme(request.scheme()).freeze(request.policy())
        .seed(request.seed()).lrMultiple(request.lrMultiple()).build();
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

  /** Equal when every part is equal (the learning-rate multiple as {@link Double#compare}). */
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof RunKey k && arch == k.arch && nLayers == k.nLayers
        && dModel == k.dModel && target.equals(k.target) && scheme.equals(k.scheme)
        && freeze.equals(k.freeze) && seed == k.seed
        && Double.compare(lrMultiple, k.lrMultiple) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(arch, nLayers, dModel, target, scheme, freeze, seed, lrMultiple);
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
      return builder().arch(a).nLayers(nLayers).dModel(dModel)
          .target(WipeTarget.parse(layer, nLayers))
          .scheme(find(schemes, scheme, Object::toString)
              .orElseGet(() -> ReinitScheme.parse(scheme)))
          .freeze(find(policies, freeze, FreezePolicy::key)
              .orElseGet(() -> FreezePolicy.parse(freeze)))
          .seed(seed).lrMultiple(lrMultiple).build();
    }

    private static <T> java.util.Optional<T> find(Collection<T> known, String text,
        java.util.function.Function<T, String> name) {
      return known.stream().filter(k -> name.apply(k).equals(text)).findFirst();
    }
  }

  /**
   * A key one named part at a time. Why a builder: eight positional parts, several of them
   * numbers, let a call site swap two silently. Each setter refuses a second call ("was already
   * set": a key assembled from two sources should not let the later one win quietly) and a bad
   * value at the call; parts copied by {@link RunKey#toBuilder()} may each be replaced once.
   * {@link #build()} reports every missing part in one message.
   */
  public static final class Builder {
    private Architecture arch;
    private int nLayers;
    private int dModel;
    private WipeTarget target;
    private ReinitScheme scheme;
    private FreezePolicy freeze;
    private long seed;
    private double lrMultiple = 1.0;
    /** Parts given by a call here, and those copied by {@code toBuilder()}. */
    private final SetOnce<String> parts = SetOnce.named(p -> "run key " + p);

    private Builder() {}

    private Builder(RunKey k) {
      arch = k.arch;
      nLayers = k.nLayers;
      dModel = k.dModel;
      target = k.target;
      scheme = k.scheme;
      freeze = k.freeze;
      seed = k.seed;
      lrMultiple = k.lrMultiple;
      parts.copied(REQUIRED);
    }

    private static final List<String> REQUIRED =
        List.of("arch", "nLayers", "dModel", "target", "scheme", "freeze", "seed");

    /** The architecture (required). */
    public Builder arch(Architecture v) {
      arch = parts.setNonNull("arch", v);
      return this;
    }

    /** N, blocks per stack (required). */
    public Builder nLayers(int v) {
      nLayers = parts.set("nLayers", v);
      return this;
    }

    /** D, the model width (required). */
    public Builder dModel(int v) {
      dModel = parts.set("dModel", v);
      return this;
    }

    /** What the run wipes (required). */
    public Builder target(WipeTarget v) {
      target = parts.setNonNull("target", v);
      return this;
    }

    /** What the target becomes (required). */
    public Builder scheme(ReinitScheme v) {
      scheme = parts.setNonNull("scheme", v);
      return this;
    }

    /** What trains (required). */
    public Builder freeze(FreezePolicy v) {
      freeze = parts.setNonNull("freeze", v);
      return this;
    }

    /** The master seed (required). */
    public Builder seed(long v) {
      seed = parts.set("seed", v);
      return this;
    }

    /**
     * The recovery's peak rate as a multiple of the original's (optional, default 1).
     *
     * @throws IllegalArgumentException if {@code v} is not a positive finite rate
     */
    public Builder lrMultiple(double v) {
      lrMultiple = parts.set("lrMultiple", LearningRates.require("learning-rate multiple", v));
      return this;
    }

    /**
     * The key.
     *
     * @throws IllegalStateException naming every required part not set
     */
    public RunKey build() {
      List<String> missing = REQUIRED.stream().filter(p -> !parts.holds(p)).toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException("run key parts not set: " + missing + "; set each with"
            + " its setter before build()");
      }
      return new RunKey(this);
    }
  }
}
