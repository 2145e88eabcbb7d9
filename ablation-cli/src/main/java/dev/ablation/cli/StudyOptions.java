package dev.ablation.cli;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.Design;
import dev.ablation.study.plan.Preset;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.Setting.Flags;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.StudyPlanBuilder;
import dev.ablation.study.plan.TargetRule;
import dev.ablation.study.plan.Task;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.plan.TrainingSettingsBuilder;
import dev.ablation.study.plan.WipeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Every option that shapes a study, once: names, help and checks. The {@code study} command of
 * {@code ablation.jar} and the Spark application both mix this in
 * ({@code @Mixin StudyOptions options}), so the two cannot drift apart again (they had: the
 * help of {@code --epsilon} and {@code --preset} differed between three copies).
 *
 * <p>{@link #plan(List)} starts from the named preset and replaces each value an option gave;
 * fields left {@code null} keep the preset's value. Every bad value is reported at once, each
 * naming the value and what is valid, before anything trains.
 */
public final class StudyOptions {
  /** The preset used when none is named. */
  public static final String DEFAULT_PRESET = "default";
  /**
   * Splits a list of schemes or policies at commas outside parentheses, so
   * {@code SHRINK_PERTURB(0.5,0.01)} stays one value.
   */
  static final String LIST_SPLIT = ",(?![^(]*\\))";

  @Option(names = "--preset", paramLabel = "NAME", defaultValue = DEFAULT_PRESET,
      description = "the plan to start from; every preset is listed below; default: "
          + "${DEFAULT-VALUE}")
  String preset = DEFAULT_PRESET;

  @Option(names = "--resume", description = "finish the study already in --out, skipping done "
      + "runs")
  boolean resume;

  @Option(names = Flags.TASK, paramLabel = "TASK",
      description = "what the originals learn: markov, bigram, hops, text, dyck (decoder, "
          + "encoder); reverse, translate, loose (encdec); see docs/tasks.md")
  String task;

  @Option(names = Flags.VOCAB, paramLabel = "V",
      description = "vocabulary of the synthetic task (ignored by text)")
  Integer vocab;

  @Option(names = Flags.SEQ_LEN, paramLabel = "T", description = "tokens per training string")
  Integer seqLen;

  @Option(names = Flags.ARCH, split = ",", paramLabel = "ARCH",
      description = "architectures: decoder, encoder, encdec")
  List<String> archs;

  @Option(names = Flags.LAYERS, split = ",", paramLabel = "N", description = "depths n_layers")
  List<Integer> depths;

  @Option(names = Flags.WIDTHS, split = ",", paramLabel = "D", description = "widths d_model")
  List<Integer> widths;

  @Option(names = Flags.HEADS, paramLabel = "H",
      description = "attention heads (d_model must be a multiple)")
  Integer heads;

  @Option(names = Flags.WIPE, split = ",", paramLabel = "L",
      description = "wipe only these block indices (0-based, each < every N); default: all")
  List<Integer> wipe;

  @Option(names = Flags.DESIGN, paramLabel = "DESIGN",
      description = "factorial (every kind x scheme x policy x rate; default of most presets) "
          + "or one-at-a-time (the first of each list everywhere, the others varied one at a "
          + "time)")
  String design;

  @Option(names = Flags.ARMS_AT, split = ",", paramLabel = "N",
      description = "one-at-a-time: the depths at which the other arms run (default: all)")
  List<Integer> armsAt;

  @Option(names = Flags.WIPE_KINDS, split = ",", paramLabel = "KIND",
      description = "what to wipe: block, attn, mlp, norms (per block); cross_attn (per "
          + "decoder block), all_cross_attn, fresh_encoder, trained_encoder, stitched_encoder "
          + "(encdec)")
  List<String> kinds;

  // commas inside parentheses belong to SHRINK_PERTURB(lambda,sigma), not to the list
  @Option(names = Flags.SCHEMES, split = LIST_SPLIT, splitSynopsisLabel = ",",
      paramLabel = "SCHEME", description = "FRESH, RESTORE_INITIAL, ZERO_OUTPUT, "
          + "SHRINK_PERTURB(lambda,sigma), COPY_FROM(blocks.i)")
  List<String> schemes;

  @Option(names = Flags.POLICIES, split = LIST_SPLIT, splitSynopsisLabel = ",",
      paramLabel = "POLICY", description = "onlyWiped, wipedPlusLayerNorms, "
          + "wipedPlusNeighbours(k), wipedPlusHead, allTrainable")
  List<String> policies;

  @Option(names = Flags.SEEDS, split = ",", paramLabel = "SEED", description = "master seeds")
  List<Long> seeds;

  @Option(names = Flags.STRINGS, paramLabel = "S", description = "training strings of an original")
  Long strings;

  @Option(names = Flags.EPOCHS, paramLabel = "E",
      description = "cap on an original's epochs (it stops earlier once converged)")
  Integer epochs;

  @Option(names = Flags.PEAK_LR, paramLabel = "LR",
      description = "the original's peak Adam learning rate, > 0; recoveries use multiples of "
          + "it (--recovery-lr)")
  Double peakLr;

  @Option(names = Flags.WARMUP, paramLabel = "STEPS",
      description = "the original's linear warm-up to --peak-lr, steps >= 0")
  Integer warmup;

  @Option(names = Flags.CONVERGE_DELTA, paramLabel = "NATS",
      description = "delta: the original has converged once its validation loss improved by "
          + "less than NATS (>= 0) over the last --converge-k evaluations")
  Double convergeDelta;

  @Option(names = Flags.CONVERGE_K, paramLabel = "K",
      description = "k: evaluations in the convergence window (>= 2), also the evaluations L* "
          + "averages")
  Integer convergeK;

  @Option(names = Flags.TRAIN_STEPS, paramLabel = "STEPS",
      description = "train every original exactly STEPS (>= 1) optimiser steps, the rate "
          + "decayed linearly to 0 at the last; replaces the convergence rule and --epochs")
  Long trainSteps;

  @Option(names = Flags.RECOVERY_WARMUP, paramLabel = "STEPS",
      description = "a recovery's linear warm-up to its peak rate, steps >= 0")
  Integer recoveryWarmup;

  @Option(names = Flags.RECOVERY_LR, split = ",", paramLabel = "Mx",
      description = "recovery peak learning rates as multiples of the original's, e.g. "
          + "0.3x,1x,3x (default 1x)")
  List<String> recoveryLr;

  @Option(names = Flags.EVAL_EVERY, paramLabel = "K",
      description = "K steps: the unit of a recovery's patience (it plateaus after patience x "
          + "K steps without improvement) and the least cap on the gap between its evaluations "
          + "(every step to step 10, then doubling gaps up to max(K, patience x K / 2)); T_eps "
          + "is searched to the step between them")
  Integer evalEvery;

  @Option(names = Flags.TARGET, paramLabel = "RULE",
      description = "nats: L* + EPS; noise: L* + max(EPS, 2 sigma); damage: EPS of the step-0 "
          + "damage undone")
  String target;

  @Option(names = Flags.EPSILON, paramLabel = "EPS",
      description = "the target's epsilon: nats for --target nats|noise, a fraction in (0, 1] "
          + "for damage")
  Double epsilon;

  @Option(names = Flags.BUDGET, paramLabel = "F",
      description = "a recovery may spend at most F x S x E examples")
  Double budget;

  @Option(names = Flags.PAST_TARGET, paramLabel = "STEPS",
      description = "keep training a recovery that met its target until step STEPS (>= 1), "
          + "recording where its loss settles and its agreement with the original at the "
          + "target and at STEPS; T_ε and the verdict are unchanged (default: stop at the "
          + "target)")
  Long pastTarget;

  @Option(names = Flags.SCRATCH, negatable = true,
      description = "measure T_scratch (training from a fresh init to the same target)")
  Boolean scratch;

  /** Whether {@code --resume} was given. */
  public boolean resume() {
    return resume;
  }

  /**
   * The footer both commands print under their options: every preset with what it runs, from
   * {@link Presets} itself, so a new preset cannot be missing from the help.
   */
  public static String presetsFooter() {
    return "%nPresets (data in dev.ablation.study.plan.Presets; exact values in docs/protocol.md):%n"
        + Presets.describe() + "%n%nOptions given with a preset replace that preset's value.";
  }

  /**
   * The plan these options ask for. Every problem found is added to {@code errors} (one
   * message per bad value, naming it and what is valid); the plan returned is only meaningful
   * when {@code errors} stayed empty.
   */
  public StudyPlan plan(List<String> errors) {
    String name = preset == null ? DEFAULT_PRESET : preset;
    Optional<Preset> p = Presets.byName(name);
    if (p.isEmpty()) {
      errors.add("unknown preset '" + name + "'; valid: " + Presets.names());
    }
    StudyPlan plan = p.map(Preset::plan).orElse(Presets.DEFAULT.plan());
    List<Architecture> a = parseAll(archs, errors, s -> Architecture.byKey(s).orElseThrow(
        () -> new IllegalArgumentException("unknown arch '" + s + "'; valid: " + Architecture.keys())));
    List<ReinitScheme> sc = parseAll(schemes, errors, ReinitScheme::parse);
    List<FreezePolicy> po = parseAll(policies, errors, FreezePolicy::parse);
    List<Double> lr = parseAll(recoveryLr, errors, StudyOptions::multiple);
    List<WipeKind> wk = parseAll(kinds, errors, k -> WipeKind.byKey(k).orElseThrow(
        () -> new IllegalArgumentException("unknown wipe kind '" + k + "'; valid: "
            + WipeKind.keys())));
    StudyPlanBuilder b = plan.toBuilder();
    Optional<TrainingSettings> t = training(plan.training(), errors);
    Optional<Design> d = design(plan.design(), errors);
    // the builder refuses an empty axis at the call: one more bad value to report
    try {
      t.ifPresent(b::training);
      if (a != null) {
        b.archs(a);
      }
      if (depths != null) {
        b.depths(depths);
      }
      if (widths != null) {
        b.widths(widths);
      }
      if (heads != null) {
        b.heads(heads);
      }
      if (wipe != null) {
        b.wipe(wipe);
      }
      if (sc != null) {
        b.schemes(sc);
      }
      if (po != null) {
        b.policies(po);
      }
      if (seeds != null) {
        b.seeds(seeds);
      }
      if (lr != null) {
        b.recoveryLr(lr);
      }
      if (wk != null) {
        b.kinds(wk);
      }
      d.ifPresent(b::design);
      plan = b.build();
      errors.addAll(plan.problems());
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    return plan;
  }

  /** The preset's settings with each option given replacing its value; empty on errors. */
  private Optional<TrainingSettings> training(TrainingSettings preset, List<String> errors) {
    TrainingSettingsBuilder t = preset.toBuilder();
    int before = errors.size();
    if (task != null) {
      Task.byKey(task).ifPresentOrElse(t::task,
          () -> errors.add("unknown task '" + task + "'; valid: " + Task.keys()));
    }
    if (target != null) {
      try {
        t.targetRule(TargetRule.parse(target));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    if (vocab != null) {
      t.vocab(vocab);
    }
    if (seqLen != null) {
      t.seqLen(seqLen);
    }
    if (strings != null) {
      t.strings(strings);
    }
    if (epochs != null) {
      t.maxEpochs(epochs);
    }
    if (peakLr != null) {
      t.peakRate(peakLr);
    }
    if (warmup != null) {
      t.warmupSteps(warmup);
    }
    if (convergeDelta != null) {
      t.convergenceDelta(convergeDelta);
    }
    if (convergeK != null) {
      t.convergenceWindow(convergeK);
    }
    if (trainSteps != null && trainSteps < 1) {
      // the settings read 0 as "until converged"; on the command line that is leaving it out
      errors.add("--train-steps " + trainSteps + " must be >= 1 step (leave it out to train "
          + "until converged)");
    } else if (trainSteps != null) {
      t.trainSteps(trainSteps);
    }
    if (pastTarget != null && pastTarget < 1) {
      errors.add("--past-target " + pastTarget + " must be >= 1 step (leave it out to stop "
          + "each recovery at its target)");
    } else if (pastTarget != null) {
      t.horizonSteps(pastTarget);
    }
    if (recoveryWarmup != null) {
      t.recoveryWarmup(recoveryWarmup);
    }
    if (evalEvery != null) {
      t.evalEvery(evalEvery);
    }
    if (epsilon != null) {
      t.epsilon(epsilon);
    }
    if (budget != null) {
      t.budgetFraction(budget);
    }
    if (scratch != null) {
      t.scratch(scratch);
    }
    try {
      TrainingSettings built = t.build();
      return errors.size() == before ? Optional.of(built) : Optional.empty();
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Design> design(Design presets, List<String> errors) {
    if (design == null && armsAt == null) {
      return Optional.empty();
    }
    String d = design == null ? "one-at-a-time" : design.strip().toLowerCase(Locale.ROOT);
    switch (d) {
      case "factorial" -> {
        if (armsAt != null) {
          errors.add("--arms-at " + armsAt + " needs --design one-at-a-time, not factorial");
          return Optional.empty();
        }
        return Optional.of(Design.FACTORIAL);
      }
      case "one-at-a-time" -> {
        List<Integer> at = armsAt != null ? armsAt
            : presets instanceof Design.OneAtATime o ? o.armDepths() : List.of();
        return Optional.of(Design.oneAtATime(at));
      }
      default -> {
        errors.add("unknown design '" + design + "'; valid: factorial, one-at-a-time");
        return Optional.empty();
      }
    }
  }

  /**
   * {@code 0.3x} (or {@code 0.3}) as 0.3; an error naming the text when it is not a number.
   * Whether the number is a valid rate is the plan's one check ({@link StudyPlan#problems()}).
   */
  static double multiple(String text) {
    String t = text.strip();
    t = t.endsWith("x") || t.endsWith("X") ? t.substring(0, t.length() - 1) : t;
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--recovery-lr '" + text + "' is not a multiple of "
          + "the original's peak rate; valid e.g. 0.3x,1x,3x", e);
    }
  }

  /** Parses each value, collecting one error per bad one; null when the option is absent. */
  private static <T> List<T> parseAll(List<String> values, List<String> errors,
      Function<String, T> parse) {
    if (values == null) {
      return null;
    }
    List<T> outs = new ArrayList<>();
    for (String v : values) {
      try {
        outs.add(parse.apply(v));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    // all values bad: already reported; keep the preset's list rather than add "needs a value"
    return outs.isEmpty() ? null : outs;
  }
}
