package dev.ablation.study;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The study's command-line options as values, and the one place that turns them into a
 * {@link StudyPlan}: a preset, then each option given replacing that preset's value. Every
 * command that runs a study (the {@code study} command of {@code ablation.jar}, the Spark
 * application) fills one of these from its own parser, so the presets, option names, defaults
 * and error messages stay the same everywhere. No parser library here: the study is a library.
 *
 * <p>Fields left {@code null} keep the preset's value. The option names are constants so
 * that annotation-based parsers can use them ({@code @Option(names = PlanOptions.LAYERS)}).
 */
public final class PlanOptions {
  /** {@code --preset NAME}. */
  public static final String PRESET = "--preset";
  /** {@code --arch ARCH,...}. */
  public static final String ARCH = "--arch";
  /** {@code --layers N,...}. */
  public static final String LAYERS = "--layers";
  /** {@code --widths D,...}. */
  public static final String WIDTHS = "--widths";
  /** {@code --heads H}. */
  public static final String HEADS = "--heads";
  /** {@code --wipe L,...}. */
  public static final String WIPE = "--wipe";
  /** {@code --schemes SCHEME,...}. */
  public static final String SCHEMES = "--schemes";
  /** {@code --policies POLICY,...}. */
  public static final String POLICIES = "--policies";
  /** {@code --seeds SEED,...}. */
  public static final String SEEDS = "--seeds";
  /** {@code --eval-every K}. */
  public static final String EVAL_EVERY = "--eval-every";
  /** {@code --epsilon NATS}. */
  public static final String EPSILON = "--epsilon";
  /** {@code --target RULE}. */
  public static final String TARGET = "--target";
  /** {@code --recovery-lr Mx,...}. */
  public static final String RECOVERY_LR = "--recovery-lr";
  /** {@code --budget F}. */
  public static final String BUDGET = "--budget";
  /** {@code --strings S}. */
  public static final String STRINGS = "--strings";
  /** {@code --epochs E}. */
  public static final String EPOCHS = "--epochs";
  /** {@code --[no-]scratch}. */
  public static final String SCRATCH = "--scratch";
  /** {@code --task KEY} ({@link Task}). */
  public static final String TASK = "--task";
  /** {@code --vocab V}. */
  public static final String VOCAB = "--vocab";
  /** {@code --seq-len T}. */
  public static final String SEQ_LEN = "--seq-len";
  /** {@code --wipe-kinds K,..} ({@link WipeKind}). */
  public static final String WIPE_KINDS = "--wipe-kinds";
  /** {@code --design factorial|one-at-a-time} ({@link Design}). */
  public static final String DESIGN = "--design";
  /** {@code --arms-at N,..}: with the one-at-a-time design, the depths of the secondary arms. */
  public static final String ARMS_AT = "--arms-at";
  /** {@code --out DIR}. */
  public static final String OUT = "--out";
  /** {@code --resume}. */
  public static final String RESUME = "--resume";
  /** The preset used when none is named. */
  public static final String DEFAULT_PRESET = "default";
  /**
   * Splits a list of schemes or policies at commas outside parentheses, so
   * {@code SHRINK_PERTURB(0.5,0.01)} stays one value.
   */
  public static final String LIST_SPLIT = ",(?![^(]*\\))";

  /** Every option that shapes the plan, plus {@code --out} and {@code --resume}. */
  public static final List<String> ALL = List.of(PRESET, OUT, RESUME, ARCH, LAYERS, WIDTHS,
      HEADS, WIPE, SCHEMES, POLICIES, SEEDS, EVAL_EVERY, EPSILON, TARGET, RECOVERY_LR, BUDGET,
      STRINGS, EPOCHS, SCRATCH, TASK, VOCAB, SEQ_LEN, WIPE_KINDS, DESIGN, ARMS_AT);

  /** {@value #PRESET}; null means {@value #DEFAULT_PRESET}. */
  public String preset;
  /** {@value #ARCH} keys. */
  public List<String> archs;
  /** {@value #LAYERS}. */
  public List<Integer> depths;
  /** {@value #WIDTHS}. */
  public List<Integer> widths;
  /** {@value #HEADS}. */
  public Integer heads;
  /** {@value #WIPE}. */
  public List<Integer> wipe;
  /** {@value #SCHEMES}, as {@link ReinitScheme#parse} reads them. */
  public List<String> schemes;
  /** {@value #POLICIES}, as {@link FreezePolicy#parse} reads them. */
  public List<String> policies;
  /** {@value #SEEDS}. */
  public List<Long> seeds;
  /** {@value #EVAL_EVERY}. */
  public Integer evalEvery;
  /** {@value #EPSILON}. */
  public Double epsilon;
  /** {@value #TARGET}: a {@link TargetRule} name. */
  public String target;
  /** {@value #RECOVERY_LR}: multiples of the original's peak rate, {@code 0.3x} or {@code 0.3}. */
  public List<String> recoveryLr;
  /** {@value #BUDGET}. */
  public Double budget;
  /** {@value #STRINGS}. */
  public Long strings;
  /** {@value #EPOCHS}. */
  public Integer epochs;
  /** {@value #SCRATCH}. */
  public Boolean scratch;
  /** {@value #TASK} key. */
  public String task;
  /** {@value #VOCAB}. */
  public Integer vocab;
  /** {@value #SEQ_LEN}. */
  public Integer seqLen;
  /** {@value #WIPE_KINDS} keys. */
  public List<String> kinds;
  /** {@value #DESIGN}: {@code factorial} or {@code one-at-a-time}. */
  public String design;
  /** {@value #ARMS_AT}: depths; implies {@code one-at-a-time} when no design is named. */
  public List<Integer> armsAt;

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
    List<Arch> a = parseAll(archs, errors, s -> Arch.byKey(s).orElseThrow(
        () -> new IllegalArgumentException("unknown arch '" + s + "'; valid: " + Arch.keys())));
    List<ReinitScheme> sc = parseAll(schemes, errors, ReinitScheme::parse);
    List<FreezePolicy> po = parseAll(policies, errors, FreezePolicy::parse);
    List<Double> lr = parseAll(recoveryLr, errors, PlanOptions::multiple);
    List<WipeKind> wk = parseAll(kinds, errors, k -> WipeKind.byKey(k).orElseThrow(
        () -> new IllegalArgumentException("unknown wipe kind '" + k + "'; valid: "
            + WipeKind.keys())));
    try {
      TrainingSettings t = plan.training();
      t = evalEvery == null ? t : t.withEvalEvery(evalEvery);
      t = epsilon == null ? t : t.withEpsilonNats(epsilon);
      t = budget == null ? t : t.withBudgetFraction(budget);
      t = strings == null ? t : t.withStrings(strings);
      t = epochs == null ? t : t.withEpochs(epochs);
      t = scratch == null ? t : t.withScratch(scratch);
      t = target == null ? t : t.withTargetRule(TargetRule.parse(target));
      t = vocab == null ? t : t.withVocab(vocab);
      t = seqLen == null ? t : t.withSeqLen(seqLen);
      if (task != null) {
        java.util.Optional<Task> k = Task.byKey(task);
        if (k.isEmpty()) {
          errors.add("unknown task '" + task + "'; valid: " + Task.keys());
        } else {
          t = t.withTask(k.get());
        }
      }
      plan = plan.withTraining(t);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    try {
      plan = a == null ? plan : plan.withArchs(a);
      plan = depths == null ? plan : plan.withDepths(depths);
      plan = widths == null ? plan : plan.withWidths(widths);
      plan = heads == null ? plan : plan.withHeads(heads);
      plan = wipe == null ? plan : plan.withWipe(wipe);
      plan = sc == null ? plan : plan.withSchemes(sc);
      plan = po == null ? plan : plan.withPolicies(po);
      plan = seeds == null ? plan : plan.withSeeds(seeds);
      plan = lr == null ? plan : plan.withRecoveryLr(lr);
      plan = wk == null ? plan : plan.withKinds(wk);
      plan = design(plan, errors);
      errors.addAll(plan.problems());
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    return plan;
  }

  private StudyPlan design(StudyPlan plan, List<String> errors) {
    if (design == null && armsAt == null) {
      return plan;
    }
    String d = design == null ? "one-at-a-time" : design.strip().toLowerCase(java.util.Locale.ROOT);
    switch (d) {
      case "factorial" -> {
        if (armsAt != null) {
          errors.add(ARMS_AT + " " + armsAt + " needs " + DESIGN + " one-at-a-time, not factorial");
          return plan;
        }
        return plan.withDesign(Design.FACTORIAL);
      }
      case "one-at-a-time" -> {
        List<Integer> at = armsAt != null ? armsAt
            : plan.design() instanceof Design.OneAtATime o ? o.armDepths() : List.of();
        return plan.withDesign(Design.oneAtATime(at));
      }
      default -> {
        errors.add("unknown design '" + design + "'; valid: factorial, one-at-a-time");
        return plan;
      }
    }
  }

  /** {@code 0.3x} (or {@code 0.3}) as 0.3; an error naming the value otherwise. */
  public static double multiple(String text) {
    String t = text.strip();
    t = t.endsWith("x") || t.endsWith("X") ? t.substring(0, t.length() - 1) : t;
    try {
      double m = Double.parseDouble(t);
      if (m > 0 && Double.isFinite(m)) {
        return m;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--recovery-lr '" + text + "' is not a multiple > 0 of "
        + "the original's peak rate; valid e.g. 0.3x,1x,3x");
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
