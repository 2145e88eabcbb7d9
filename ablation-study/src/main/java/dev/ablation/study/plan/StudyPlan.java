package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import dev.ablation.api.Architecture;
import com.google.common.collect.ImmutableList;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The sweep: every (arch, N, D, seed) original, and for each every wipe target × scheme ×
 * policy. A plan is data, built by {@link #builder()}; {@link Presets} holds the named ones and
 * the command line overrides single axes through {@link #toBuilder()}.
 *
 * @param archs architectures
 * @param depths N values ({@code n_layers})
 * @param widths D values ({@code d_model})
 * @param heads attention heads of every model
 * @param wipe the block indices to wipe; empty means every block
 * @param schemes reinit schemes
 * @param policies freeze policies
 * @param seeds master seeds, one original (and one run per cell) each
 * @param training how to train and judge
 * @param recoveryLr the recovery's peak learning rates as multiples of the original's peak
 *     ({@code --recovery-lr 0.3x,1x,3x}); default {@code [1]}
 * @param kinds what is wiped: blocks, sublayers, the encoder-decoder's arms ({@link WipeKind});
 *     a kind that does not apply to an architecture is skipped for it
 * @param design which combinations of kinds, schemes, policies and rates run ({@link Design});
 *     the first value of each list is the primary arm
 */
public record StudyPlan(List<Architecture> archs, List<Integer> depths, List<Integer> widths, int heads,
    List<Integer> wipe, List<ReinitScheme> schemes, List<FreezePolicy> policies,
    List<Long> seeds, TrainingSettings training, List<Double> recoveryLr, List<WipeKind> kinds,
    Design design)
    implements java.io.Serializable {

  /** Copies the lists (duplicates dropped, order kept) and checks they are not empty. */
  public StudyPlan {
    archs = distinct(archs, "arch");
    depths = distinct(depths, "layers");
    widths = distinct(widths, "widths");
    wipe = wipe == null ? List.of() : ImmutableList.copyOf(new LinkedHashSet<>(wipe));
    schemes = distinct(schemes, "schemes");
    policies = distinct(policies, "policies");
    seeds = distinct(seeds, "seeds");
    recoveryLr = distinct(recoveryLr, "recovery-lr");
    kinds = distinct(kinds, "wipe-kinds");
    if (training == null) {
      throw new IllegalArgumentException("training settings are required");
    }
    design = design == null ? Design.FACTORIAL : design;
  }

  private static <T> List<T> distinct(List<T> list, String what) {
    if (list == null || list.isEmpty()) {
      throw new IllegalArgumentException("--" + what + " needs at least one value");
    }
    return ImmutableList.copyOf(new LinkedHashSet<>(list));
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

  /** A builder holding this plan, to change some axes (the command line's overrides). */
  public Builder toBuilder() {
    return new Builder().archs(archs).depths(depths).widths(widths).heads(heads).wipe(wipe)
        .schemes(schemes).policies(policies).seeds(seeds).training(training)
        .recoveryLr(recoveryLr).kinds(kinds).design(design);
  }

  /**
   * A plan one axis at a time. Defaults: decoder, N = 2, D = 32, 4 heads, every block,
   * {@code FRESH}, {@code onlyWiped}, seed 1, the default {@link TrainingSettings#builder()
   * settings}, the original's peak rate (1x), the {@link WipeKind#CLASSIC} targets, the
   * factorial design. Presets set every axis themselves, so a change here changes no preset.
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
    private TrainingSettings training;
    private List<Double> recoveryLr = List.of(1.0);
    private List<WipeKind> kinds = WipeKind.CLASSIC;
    private Design design = Design.FACTORIAL;

    private Builder() {}

    /** Architectures. */
    public Builder archs(List<Architecture> v) {
      archs = v;
      return this;
    }

    /** N values ({@code n_layers}). */
    public Builder depths(List<Integer> v) {
      depths = v;
      return this;
    }

    /** D values ({@code d_model}). */
    public Builder widths(List<Integer> v) {
      widths = v;
      return this;
    }

    /** Attention heads of every model. */
    public Builder heads(int v) {
      heads = v;
      return this;
    }

    /** Block indices to wipe; empty: every block. */
    public Builder wipe(List<Integer> v) {
      wipe = v;
      return this;
    }

    /** Reinit schemes; the first is the primary arm. */
    public Builder schemes(List<ReinitScheme> v) {
      schemes = v;
      return this;
    }

    /** Freeze policies; the first is the primary arm. */
    public Builder policies(List<FreezePolicy> v) {
      policies = v;
      return this;
    }

    /** Master seeds. */
    public Builder seeds(List<Long> v) {
      seeds = v;
      return this;
    }

    /** How to train and judge. */
    public Builder training(TrainingSettings v) {
      training = v;
      return this;
    }

    /** Recovery peak rates as multiples of the original's; the first is the primary arm. */
    public Builder recoveryLr(List<Double> v) {
      recoveryLr = v;
      return this;
    }

    /** What is wiped; the first is the primary arm. */
    public Builder kinds(List<WipeKind> v) {
      kinds = v;
      return this;
    }

    /** Which combinations run. */
    public Builder design(Design v) {
      design = v;
      return this;
    }

    /**
     * The plan (lists copied, duplicates dropped). Values that are wrong for the models,
     * rather than missing, are {@link StudyPlan#problems()}'s to report, all at once.
     *
     * @throws IllegalArgumentException if a list is empty
     */
    public StudyPlan build() {
      return new StudyPlan(archs, depths, widths, heads, wipe, schemes, policies, seeds,
          training == null ? TrainingSettings.builder().build() : training, recoveryLr, kinds,
          design);
    }
  }
}
