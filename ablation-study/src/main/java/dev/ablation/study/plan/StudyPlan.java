package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import dev.ablation.api.Architecture;
import com.google.common.collect.ImmutableList;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The sweep: every (arch, N, D, seed) original, and for each every wipe target × scheme ×
 * policy. A plan is data, built only by {@link #builder()}; {@link Presets} holds the named
 * ones and the command line overrides single axes through {@link #toBuilder()}.
 *
 * <p>A final class rather than a record of twelve components: a dozen axes in a row, four of
 * them lists of numbers, are hard to read and easy to swap, so the builder is the only way in.
 * It takes each axis once and refuses an empty list at the call; what is wrong for the models
 * rather than missing (a depth below 1, a width the heads do not divide, a wiped block past the
 * smallest depth) is {@link #problems()}'s to report, all at once. The axes keep the record's
 * accessor names, since every caller reads them one at a time.
 *
 * <p>Immutable and {@link java.io.Serializable}; a deserialized plan is checked and copied as a
 * built one is.
 */
public final class StudyPlan implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final List<Architecture> archs;
  private final List<Integer> depths;
  private final List<Integer> widths;
  private final int heads;
  private final List<Integer> wipe;
  private final List<ReinitScheme> schemes;
  private final List<FreezePolicy> policies;
  private final List<Long> seeds;
  private final TrainingSettings training;
  private final List<Double> recoveryLr;
  private final List<WipeKind> kinds;
  private final Design design;

  /**
   * Copies the builder's lists (duplicates dropped, order kept) and checks they are not empty,
   * as the record's constructor did; the builder has refused empty ones already, a stream
   * ({@link #readResolve()}) has not.
   */
  private StudyPlan(Builder b) {
    archs = distinct(b.archs, "arch");
    depths = distinct(b.depths, "layers");
    widths = distinct(b.widths, "widths");
    heads = b.heads;
    wipe = b.wipe == null ? List.of() : ImmutableList.copyOf(new LinkedHashSet<>(b.wipe));
    schemes = distinct(b.schemes, "schemes");
    policies = distinct(b.policies, "policies");
    seeds = distinct(b.seeds, "seeds");
    recoveryLr = distinct(b.recoveryLr, "recovery-lr");
    kinds = distinct(b.kinds, "wipe-kinds");
    if (b.training == null) {
      throw new IllegalArgumentException("training settings are required");
    }
    training = b.training;
    design = b.design == null ? Design.FACTORIAL : b.design;
  }

  private static <T> List<T> distinct(List<T> list, String what) {
    if (list == null || list.isEmpty()) {
      throw new IllegalArgumentException("--" + what + " needs at least one value");
    }
    return ImmutableList.copyOf(new LinkedHashSet<>(list));
  }

  /**
   * A deserialized plan goes through the constructor, which copies and checks its lists: a
   * stream is not a builder.
   */
  private Object readResolve() throws ObjectStreamException {
    try {
      return new StudyPlan(new Builder(this));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidObjectException("not a valid StudyPlan: " + e.getMessage());
    }
  }

  /** Architectures. */
  public List<Architecture> archs() {
    return archs;
  }

  /** N values ({@code n_layers}). */
  public List<Integer> depths() {
    return depths;
  }

  /** D values ({@code d_model}). */
  public List<Integer> widths() {
    return widths;
  }

  /** Attention heads of every model. */
  public int heads() {
    return heads;
  }

  /** The block indices to wipe; empty means every block. */
  public List<Integer> wipe() {
    return wipe;
  }

  /** Reinit schemes; the first is the primary arm. */
  public List<ReinitScheme> schemes() {
    return schemes;
  }

  /** Freeze policies; the first is the primary arm. */
  public List<FreezePolicy> policies() {
    return policies;
  }

  /** Master seeds, one original (and one run per cell) each. */
  public List<Long> seeds() {
    return seeds;
  }

  /** How to train and judge. */
  public TrainingSettings training() {
    return training;
  }

  /**
   * The recovery's peak learning rates as multiples of the original's peak
   * ({@code --recovery-lr 0.3x,1x,3x}); default {@code [1]}. The first is the primary arm.
   */
  public List<Double> recoveryLr() {
    return recoveryLr;
  }

  /**
   * What is wiped: blocks, sublayers, the encoder-decoder's arms ({@link WipeKind}); a kind that
   * does not apply to an architecture is skipped for it. The first is the primary arm.
   */
  public List<WipeKind> kinds() {
    return kinds;
  }

  /**
   * Which combinations of kinds, schemes, policies and rates run ({@link Design}); the first
   * value of each list is the primary arm.
   */
  public Design design() {
    return design;
  }


  /**
   * Everything wrong with this plan that would otherwise fail mid-study, one message per bad
   * value, each naming the value and what is valid. Empty when the plan can run.
   */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (int n : depths) {
      if (n < 1) {
        out.add("n_layers " + n + " in --layers must be >= 1");
      }
    }
    for (int d : widths) {
      if (d < 1) {
        out.add("d_model " + d + " in --widths must be >= 1");
      } else if (heads >= 1 && d % heads != 0) {
        out.add(String.format(Locale.ROOT, "d_model %d in --widths is not divisible by "
            + "--heads %d; valid: multiples of %d", d, heads, heads));
      }
    }
    if (heads < 1) {
      out.add("--heads " + heads + " must be >= 1");
    }
    Task task = training.task();
    for (Architecture a : archs) {
      if (!task.appliesTo(a)) {
        out.add(String.format(Locale.ROOT, "--task %s cannot train --arch %s; valid for %s: %s",
            task, a.key(), a.key(), Task.keysFor(a)));
      }
      if (kinds.stream().noneMatch(k -> k.appliesTo(a))) {
        out.add(String.format(Locale.ROOT, "--wipe-kinds %s has nothing to wipe in --arch %s; "
            + "add block, attn, mlp or norms", kinds, a.key()));
      }
    }
    int minDepth = depths.stream().mapToInt(Integer::intValue).min().orElse(0);
    for (int l : wipe) {
      if (l < 0 || l >= minDepth) {
        out.add(String.format(Locale.ROOT, "layer %d in --wipe is out of range for n_layers %d;"
            + " valid: 0..%d", l, minDepth, minDepth - 1));
      }
    }
    for (ReinitScheme s : schemes) {
      if (s instanceof ReinitScheme.CopyFrom c) {
        int idx = c.source().blockIndex().orElse(-1);
        if (idx < 0 || idx >= minDepth) {
          out.add(String.format(Locale.ROOT, "%s in --schemes copies from a layer that is not a"
              + " block of every model; valid: COPY_FROM(blocks.0) .. COPY_FROM(blocks.%d)",
              s, minDepth - 1));
        }
      }
    }
    for (double m : recoveryLr) {
      if (!LearningRates.valid(m)) {
        out.add(LearningRates.problem(String.format(Locale.ROOT, "%sx in --recovery-lr (a multiple of "
            + "the original's peak rate, e.g. 0.3x,1x,3x)", m), m));
      }
    }
    return out;
  }

  /** The originals to train, in the order the study runs them. */
  public List<OriginalSpec> originals() {
    List<OriginalSpec> out = new ArrayList<>();
    for (Architecture a : archs) {
      for (int n : depths) {
        for (int d : widths) {
          ModelSpec m = new ModelSpec(a, n, d, heads);
          for (long seed : seeds) {
            out.add(new OriginalSpec(m, training, seed));
          }
        }
      }
    }
    return out;
  }

  /** The wipe targets of a model of this shape that this plan selects. */
  public List<WipeTarget> targets(ModelSpec model) {
    List<WipeTarget> out = new ArrayList<>();
    for (int i = 0; i < model.nLayers(); i++) {
      if (!wipe.isEmpty() && !wipe.contains(i)) {
        continue;
      }
      for (WipeKind k : kinds) {
        if (k.perBlock()) {
          out.addAll(WipeTarget.of(k, model, i));
        }
      }
    }
    for (WipeKind k : kinds) {
      if (!k.perBlock()) {
        out.addAll(WipeTarget.of(k, model, 0));
      }
    }
    return out;
  }

  /** The recovery runs of one original, in order. */
  public List<RecoveryRequest> runs(OriginalSpec original) {
    if (design instanceof Design.OneAtATime oat) {
      return oneAtATime(original, oat);
    }
    List<RecoveryRequest> out = new ArrayList<>();
    for (WipeTarget t : targets(original.model())) {
      for (ReinitScheme s : schemes) {
        for (FreezePolicy p : policies) {
          for (double lr : recoveryLr) {
            out.add(new RecoveryRequest(t, s, p, original.seed(), lr));
          }
        }
      }
    }
    return out;
  }

  private List<RecoveryRequest> oneAtATime(OriginalSpec original, Design.OneAtATime oat) {
    ModelSpec model = original.model();
    boolean arms = oat.armsAt(model.nLayers());
    ReinitScheme s0 = schemes.get(0);
    FreezePolicy p0 = policies.get(0);
    double lr0 = recoveryLr.get(0);
    long seed = original.seed();
    // the primary kind's targets, the only ones the other schemes, policies and rates visit
    List<WipeTarget> primary = toBuilder().kinds(List.of(kinds.get(0))).build().targets(model);
    List<RecoveryRequest> out = new ArrayList<>();
    for (WipeTarget t : targets(model)) {
      boolean isPrimary = primary.contains(t);
      if (!isPrimary && !arms) {
        continue;
      }
      out.add(new RecoveryRequest(t, s0, p0, seed, lr0));
      if (isPrimary && arms) {
        schemes.stream().skip(1).forEach(s -> out.add(new RecoveryRequest(t, s, p0, seed, lr0)));
        policies.stream().skip(1).forEach(p -> out.add(new RecoveryRequest(t, s0, p, seed, lr0)));
        recoveryLr.stream().skip(1)
            .forEach(lr -> out.add(new RecoveryRequest(t, s0, p0, seed, lr)));
      }
    }
    return out;
  }

  /** How many recovery runs the whole plan has. */
  public int totalRuns() {
    return originals().stream().mapToInt(o -> runs(o).size()).sum();
  }

  /** A builder starting from {@link Builder the defaults}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this plan, to change some axes (the command line's overrides): each
   * copied axis may be replaced once.
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Equal when every axis is, in the same order. */
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof StudyPlan p && archs.equals(p.archs)
        && depths.equals(p.depths) && widths.equals(p.widths) && heads == p.heads
        && wipe.equals(p.wipe) && schemes.equals(p.schemes) && policies.equals(p.policies)
        && seeds.equals(p.seeds) && training.equals(p.training)
        && recoveryLr.equals(p.recoveryLr) && kinds.equals(p.kinds) && design.equals(p.design);
  }

  @Override
  public int hashCode() {
    return Objects.hash(archs, depths, widths, heads, wipe, schemes, policies, seeds, training,
        recoveryLr, kinds, design);
  }

  /** The axes, as the record wrote them ({@code StudyPlan[archs=..., ...]}). */
  @Override
  public String toString() {
    return "StudyPlan[archs=" + archs + ", depths=" + depths + ", widths=" + widths
        + ", heads=" + heads + ", wipe=" + wipe + ", schemes=" + schemes + ", policies="
        + policies + ", seeds=" + seeds + ", training=" + training + ", recoveryLr="
        + recoveryLr + ", kinds=" + kinds + ", design=" + design + "]";
  }

  /**
   * A plan one axis at a time. Defaults: decoder, N = 2, D = 32, 4 heads, every block,
   * {@code FRESH}, {@code onlyWiped}, seed 1, the default {@link TrainingSettings#builder()
   * settings}, the original's peak rate (1x), the {@link WipeKind#CLASSIC} targets, the
   * factorial design. Presets set every axis themselves, so a change here changes no preset.
   *
   * <p>Caffeine's discipline: each axis may be given once ("n_layers (--layers) was already
   * set on this builder"), because a recipe that sets an axis and then overrides it hides which
   * of the two a study ran with; an axis copied by {@link StudyPlan#toBuilder()} may be
   * replaced once. A list that is empty, or holds a null, is refused at the call, naming the
   * axis; a refused call sets nothing, so it may be repeated with a good value.
   */
  public static final class Builder {
    private List<Architecture> archs = List.of(Architecture.DECODER_ONLY);
    private List<Integer> depths = List.of(2);
    private List<Integer> widths = List.of(32);
    private int heads = 4;
    private List<Integer> wipe = List.of();
    private List<ReinitScheme> schemes = List.of(ReinitScheme.fresh());
    private List<FreezePolicy> policies = List.of(FreezePolicy.onlyWiped());
    private List<Long> seeds = List.of(1L);
    private TrainingSettings training = TrainingSettings.builder().build();
    private List<Double> recoveryLr = List.of(1.0);
    private List<WipeKind> kinds = WipeKind.CLASSIC;
    private Design design = Design.FACTORIAL;
    /** The labels of the axes given by a call here (not those copied by toBuilder()). */
    private final Set<String> given = new HashSet<>();

    private Builder() {}

    private Builder(StudyPlan p) {
      archs = p.archs;
      depths = p.depths;
      widths = p.widths;
      heads = p.heads;
      wipe = p.wipe;
      schemes = p.schemes;
      policies = p.policies;
      seeds = p.seeds;
      training = p.training;
      recoveryLr = p.recoveryLr;
      kinds = p.kinds;
      design = p.design;
    }

    /**
     * The name of {@link #training(TrainingSettings)} in messages: no {@link Setting} of its
     * own, since the settings are many, each with its own.
     */
    static final String TRAINING = "training";

    /**
     * Refuses a second call of the setter of {@code label}.
     *
     * @throws IllegalStateException if it was already set on this builder
     */
    private void requireUnset(String label) {
      if (given.contains(label)) {
        throw new IllegalStateException(label + " was already set on this builder; set each"
            + " setting once");
      }
    }

    /**
     * {@code v} as axis {@code s}: once, not null, not empty, no null value.
     *
     * @throws IllegalStateException if {@code s} was already set on this builder
     * @throws IllegalArgumentException if {@code v} is null or empty or holds a null
     */
    private <T> List<T> axis(Setting s, List<T> v) {
      requireUnset(s.label());
      String flag = s.flag().orElseThrow();
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException(flag + " needs at least one value");
      }
      if (v.stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException(flag + " " + v + " holds a null; give only values");
      }
      given.add(s.label());
      return v;
    }

    /** Architectures. */
    public Builder archs(List<Architecture> v) {
      archs = axis(Setting.ARCHS, v);
      return this;
    }

    /** N values ({@code n_layers}); each {@code >= 1} ({@link StudyPlan#problems()}). */
    public Builder depths(List<Integer> v) {
      depths = axis(Setting.DEPTHS, v);
      return this;
    }

    /**
     * D values ({@code d_model}); each {@code >= 1} and a multiple of the heads
     * ({@link StudyPlan#problems()}).
     */
    public Builder widths(List<Integer> v) {
      widths = axis(Setting.WIDTHS, v);
      return this;
    }

    /**
     * Attention heads of every model; {@code >= 1} and a divisor of every width, which
     * {@link StudyPlan#problems()} checks beside the widths, all at once.
     */
    public Builder heads(int v) {
      requireUnset(Setting.HEADS.label());
      given.add(Setting.HEADS.label());
      heads = v;
      return this;
    }

    /**
     * Block indices to wipe; empty: every block.
     *
     * @throws IllegalArgumentException if {@code v} is null or holds a null
     */
    public Builder wipe(List<Integer> v) {
      requireUnset(Setting.WIPE.label());
      if (v == null || v.stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException(Setting.WIPE.flag().orElseThrow() + " " + v
            + " is not a list of block indices; give an empty list to wipe every block");
      }
      given.add(Setting.WIPE.label());
      wipe = v;
      return this;
    }

    /** Reinit schemes; the first is the primary arm. */
    public Builder schemes(List<ReinitScheme> v) {
      schemes = axis(Setting.SCHEMES, v);
      return this;
    }

    /** Freeze policies; the first is the primary arm. */
    public Builder policies(List<FreezePolicy> v) {
      policies = axis(Setting.POLICIES, v);
      return this;
    }

    /** Master seeds. */
    public Builder seeds(List<Long> v) {
      seeds = axis(Setting.SEEDS, v);
      return this;
    }

    /**
     * How to train and judge.
     *
     * @throws IllegalArgumentException if {@code v} is null
     */
    public Builder training(TrainingSettings v) {
      requireUnset(TRAINING);
      if (v == null) {
        throw new IllegalArgumentException("training settings are required; leave training "
            + "out for the defaults, TrainingSettings.builder().build()");
      }
      given.add(TRAINING);
      training = v;
      return this;
    }

    /**
     * Recovery peak rates as multiples of the original's; the first is the primary arm. Each
     * a valid rate multiple ({@link StudyPlan#problems()}).
     */
    public Builder recoveryLr(List<Double> v) {
      recoveryLr = axis(Setting.RECOVERY_LR, v);
      return this;
    }

    /** What is wiped; the first is the primary arm. */
    public Builder kinds(List<WipeKind> v) {
      kinds = axis(Setting.WIPE_KINDS, v);
      return this;
    }

    /**
     * Which combinations run.
     *
     * @throws IllegalArgumentException if {@code v} is null
     */
    public Builder design(Design v) {
      requireUnset(Setting.DESIGN.label());
      if (v == null) {
        throw new IllegalArgumentException(Setting.DESIGN.label() + " is required; valid: "
            + "Design.FACTORIAL, Design.oneAtATime(depths)");
      }
      given.add(Setting.DESIGN.label());
      design = v;
      return this;
    }

    /**
     * The plan (lists copied, duplicates dropped). Nothing is required: an axis not given keeps
     * its default or the copied plan's value. Values that are wrong for the models, rather than
     * missing, and the axes that do not fit together (widths and heads, wiped blocks and
     * depths, tasks and architectures) are {@link StudyPlan#problems()}'s to report, all at
     * once, one message each: the command line lists them beside its own.
     */
    public StudyPlan build() {
      return new StudyPlan(this);
    }
  }
}
