package dev.ablation.study.plan;

import dev.ablation.api.recovery.LearningRates;
import dev.ablation.api.Architecture;
import com.google.common.collect.ImmutableList;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

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
  StudyPlan(StudyPlanBuilder b) {
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
      return new StudyPlan(new StudyPlanBuilder(this));
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

  /** A builder starting from {@link StudyPlanBuilder the defaults}. */
  public static StudyPlanBuilder builder() {
    return new StudyPlanBuilder();
  }

  /**
   * A builder holding this plan, to change some axes (the command line's overrides): each
   * copied axis may be replaced once.
   */
  public StudyPlanBuilder toBuilder() {
    return new StudyPlanBuilder(this);
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

}
