package dev.ablation.study.plan;

import dev.ablation.api.Architecture;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.internal.SetOnce;
import java.util.List;
import java.util.Objects;

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
public final class StudyPlanBuilder {
  List<Architecture> archs = List.of(Architecture.DECODER_ONLY);
  List<Integer> depths = List.of(2);
  List<Integer> widths = List.of(32);
  int heads = 4;
  List<Integer> wipe = List.of();
  List<ReinitScheme> schemes = List.of(ReinitScheme.fresh());
  List<FreezePolicy> policies = List.of(FreezePolicy.onlyWiped());
  List<Long> seeds = List.of(1L);
  TrainingSettings training = TrainingSettings.builder().build();
  List<Double> recoveryLr = List.of(1.0);
  List<WipeKind> kinds = WipeKind.CLASSIC;
  Design design = Design.FACTORIAL;
  /** The labels of the axes given by a call here (not those copied by toBuilder()). */
  private final SetOnce<String> given = SetOnce.byToString();

  StudyPlanBuilder() {}

  StudyPlanBuilder(StudyPlan p) {
    archs = p.archs();
    depths = p.depths();
    widths = p.widths();
    heads = p.heads();
    wipe = p.wipe();
    schemes = p.schemes();
    policies = p.policies();
    seeds = p.seeds();
    training = p.training();
    recoveryLr = p.recoveryLr();
    kinds = p.kinds();
    design = p.design();
  }

  /**
   * The name of {@link #training(TrainingSettings)} in messages: no {@link Setting} of its
   * own, since the settings are many, each with its own.
   */
  static final String TRAINING = "training";

  /**
   * {@code v} as axis {@code s}: once, not null, not empty, no null value.
   *
   * @throws IllegalStateException if {@code s} was already set on this builder
   * @throws IllegalArgumentException if {@code v} is null or empty or holds a null
   */
  private <T> List<T> axis(Setting s, List<T> v) {
    String flag = s.flag().orElseThrow();
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(flag + " needs at least one value");
    }
    if (v.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException(flag + " " + v + " holds a null; give only values");
    }
    given.give(s.label());
    return v;
  }

  /** Architectures. */
  public StudyPlanBuilder archs(List<Architecture> v) {
    archs = axis(Setting.ARCHS, v);
    return this;
  }

  /** N values ({@code n_layers}); each {@code >= 1} ({@link StudyPlan#problems()}). */
  public StudyPlanBuilder depths(List<Integer> v) {
    depths = axis(Setting.DEPTHS, v);
    return this;
  }

  /**
   * D values ({@code d_model}); each {@code >= 1} and a multiple of the heads
   * ({@link StudyPlan#problems()}).
   */
  public StudyPlanBuilder widths(List<Integer> v) {
    widths = axis(Setting.WIDTHS, v);
    return this;
  }

  /**
   * Attention heads of every model; {@code >= 1} and a divisor of every width, which
   * {@link StudyPlan#problems()} checks beside the widths, all at once.
   */
  public StudyPlanBuilder heads(int v) {
    given.give(Setting.HEADS.label());
    heads = v;
    return this;
  }

  /**
   * Block indices to wipe; empty: every block.
   *
   * @throws IllegalArgumentException if {@code v} is null or holds a null
   */
  public StudyPlanBuilder wipe(List<Integer> v) {
    if (v == null || v.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException(Setting.WIPE.flag().orElseThrow() + " " + v
          + " is not a list of block indices; give an empty list to wipe every block");
    }
    given.give(Setting.WIPE.label());
    wipe = v;
    return this;
  }

  /** Reinit schemes; the first is the primary arm. */
  public StudyPlanBuilder schemes(List<ReinitScheme> v) {
    schemes = axis(Setting.SCHEMES, v);
    return this;
  }

  /** Freeze policies; the first is the primary arm. */
  public StudyPlanBuilder policies(List<FreezePolicy> v) {
    policies = axis(Setting.POLICIES, v);
    return this;
  }

  /** Master seeds. */
  public StudyPlanBuilder seeds(List<Long> v) {
    seeds = axis(Setting.SEEDS, v);
    return this;
  }

  /**
   * How to train and judge.
   *
   * @throws IllegalArgumentException if {@code v} is null
   */
  public StudyPlanBuilder training(TrainingSettings v) {
    if (v == null) {
      throw new IllegalArgumentException("training settings are required; leave training "
          + "out for the defaults, TrainingSettings.builder().build()");
    }
    given.give(TRAINING);
    training = v;
    return this;
  }

  /**
   * Recovery peak rates as multiples of the original's; the first is the primary arm. Each
   * a valid rate multiple ({@link StudyPlan#problems()}).
   */
  public StudyPlanBuilder recoveryLr(List<Double> v) {
    recoveryLr = axis(Setting.RECOVERY_LR, v);
    return this;
  }

  /** What is wiped; the first is the primary arm. */
  public StudyPlanBuilder kinds(List<WipeKind> v) {
    kinds = axis(Setting.WIPE_KINDS, v);
    return this;
  }

  /**
   * Which combinations run.
   *
   * @throws IllegalArgumentException if {@code v} is null
   */
  public StudyPlanBuilder design(Design v) {
    if (v == null) {
      throw new IllegalArgumentException(Setting.DESIGN.label() + " is required; valid: "
          + "Design.FACTORIAL, Design.oneAtATime(depths)");
    }
    given.give(Setting.DESIGN.label());
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
