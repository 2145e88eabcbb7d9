package dev.ablation.study;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The named plans. Times are targets for a 2-core CPU machine; the training sizes are the
 * knobs that meet them.
 */
public final class Presets {
  private Presets() {}

  /**
   * Originals: warmup 32 steps to 3e-3, inverse-sqrt decay, evaluated every 16 steps, until the
   * validation loss improved by less than 0.01 nats over 5 evaluations (cap 8 epochs of
   * S = 2048). Recoveries: the same peak rate after an 8-step warmup, target
   * {@code L* + max(0.05, 2σ)}. {@code T_scratch} is off: {@code T_orig}, read off the
   * original's own curve, is the comparison that costs nothing.
   */
  private static final TrainingSettings QUICK_TRAINING = new TrainingSettings(
      /* vocab */ 8, /* seqLen */ 16, /* batch */ 16, /* S */ 2048, /* E cap */ 8,
      /* lr */ 3e-3, /* evalEvery */ 4, /* eps */ 0.05, /* patience */ 6, /* budget */ 1.0,
      /* scratch */ false, /* warmup */ 32, /* original eval every */ 16,
      /* convergence window */ 5, /* delta */ 0.01, TargetRule.NOISE, /* recovery warmup */ 8);

  /**
   * The depth-needing task: the in-context bigram language (V = 6, α = 0.3 fixed in the
   * engine, strings of 33 tokens), batches of 32 strings, peak rate 3e-3 after 32 warmup steps,
   * at most 8 epochs of S = 4096. The convergence rule is stricter than quick's (0.002 nats over
   * 8 evaluations): the loss of this task plateaus for a few hundred steps before the induction
   * circuit forms, and quick's rule would stop training on that plateau. ε = 0.02 nats (with
   * the noise rule, L* + max(ε, 2σ)).
   */
  private static final TrainingSettings BIGRAM_TRAINING = new TrainingSettings(
      /* vocab */ 6, /* seqLen */ 32, /* batch */ 32, /* S */ 4096, /* E cap */ 8,
      /* lr */ 3e-3, /* evalEvery */ 8, /* eps */ 0.02, /* patience */ 8, /* budget */ 1.0,
      /* scratch: T_orig instead */ false, /* warmup */ 32, /* original eval every */ 16,
      /* convergence window */ 8, /* delta */ 0.002, TargetRule.NOISE, /* recovery warmup */ 8,
      Task.BIGRAM);

  /**
   * The aside's task: translating a first-order Markov source of 8 symbols (vocabulary 17),
   * strings of 12 tokens, so the target side has structure a decoder alone can model.
   */
  private static final TrainingSettings TRANSLATE_TRAINING = new TrainingSettings(
      17, 12, 32, 4096, 8, 3e-3, 8, 0.02, 8, 1.0, true, 32, 16, 8, 0.002, TargetRule.NOISE, 8,
      Task.TRANSLATE);

  private static final TrainingSettings FULL_TRAINING = BIGRAM_TRAINING.withStrings(16384);

  private static final List<Long> FIVE_SEEDS = List.of(1L, 2L, 3L, 4L, 5L);

  private static final List<ReinitScheme> FRESH_AND_ZERO =
      List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput());

  private static final List<ReinitScheme> THREE_SCHEMES = List.of(ReinitScheme.fresh(),
      ReinitScheme.restoreInitial(), ReinitScheme.zeroOutput());

  /** Under 2 minutes: one small decoder on the Markov language, every layer, the question's policy. */
  public static final Preset QUICK = new Preset("quick",
      "markov, decoder N=2 D=32, every layer, FRESH+ZERO_OUTPUT, onlyWiped, seeds 1-5; < 2 min",
      new StudyPlan(List.of(Arch.DECODER), List.of(2), List.of(32), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped()), FIVE_SEEDS,
          QUICK_TRAINING, List.of(1.0), List.of(WipeKind.BLOCK)));

  /**
   * The depth-needing task at one shape: N = 4 (and the N − 1 = 3 baseline trained from
   * scratch), every block, three schemes, the question's policy, five seeds (2 min 57 s with
   * two seeds and two workers on the quiet 2-core machine, so five stay well under 15 minutes).
   */
  public static final Preset DEFAULT = new Preset("default",
      "bigram, decoder N=3,4 D=64, every block, FRESH+RESTORE_INITIAL+ZERO_OUTPUT, onlyWiped, "
          + "seeds 1-5; < 15 min (docs/study.md)",
      new StudyPlan(List.of(Arch.DECODER), List.of(3, 4), List.of(64), 4, List.of(),
          THREE_SCHEMES, List.of(FreezePolicy.onlyWiped()), FIVE_SEEDS,
          BIGRAM_TRAINING, List.of(1.0), List.of(WipeKind.BLOCK)));

  /**
   * The findings run, sized for two hours on the 2-core machine. The question's arm (a whole
   * block, {@code FRESH}, only it trainable) at every block of N = 2, 3, 4, 8 and D = 32, 128;
   * at N = 4 also {@code RESTORE_INITIAL}, {@code ZERO_OUTPUT} and the attention, MLP and norms
   * sublayers alone, one factor at a time ({@link Design.OneAtATime}); N = 3 is N = 4's
   * (N − 1)-layer baseline. Five seeds. The full factorial of these axes (and the
   * everything-trainable control) is the {@code full} preset's: about ten times the compute.
   */
  public static final Preset STANDARD = new Preset("standard",
      "bigram, decoder N=2,3,4,8 D=32,128, every block FRESH onlyWiped; at N=4 also "
          + "RESTORE_INITIAL, ZERO_OUTPUT, attn/mlp/norms (one at a time); seeds 1-5; < 2 h",
      new StudyPlan(List.of(Arch.DECODER), List.of(2, 3, 4, 8), List.of(32, 128), 4,
          List.of(), THREE_SCHEMES, List.of(FreezePolicy.onlyWiped()),
          FIVE_SEEDS, BIGRAM_TRAINING, List.of(1.0), WipeKind.SUBLAYERS,
          Design.oneAtATime(List.of(4))));

  /** Everything: for a cluster. */
  public static final Preset FULL = new Preset("full",
      "bigram, decoder N=2..8 D=32,64,128, blocks+sublayers, four schemes, 5 policies, "
          + "seeds 1-5; a cluster",
      new StudyPlan(List.of(Arch.DECODER), List.of(2, 3, 4, 5, 6, 7, 8),
          List.of(32, 64, 128), 4, List.of(),
          List.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(), ReinitScheme.zeroOutput(),
              ReinitScheme.shrinkPerturb(0.5, 0.01)),
          List.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
              FreezePolicy.wipedPlusNeighbours(1), FreezePolicy.wipedPlusHead(),
              FreezePolicy.allTrainable()),
          FIVE_SEEDS, FULL_TRAINING, List.of(1.0), WipeKind.SUBLAYERS));

  /**
   * The question's aside on a task whose target side has structure: each decoder block, all
   * cross-attention, one cross-attention sublayer, a trained encoder of another width with
   * wiped cross-attention, and the same encoder stitched in (only the projection trains).
   */
  public static final Preset ENCDEC = new Preset("encdec",
      "translate, encdec N=2 D=32: each decoder block, all cross-attention, each "
          + "cross-attention, a trained encoder of width 16 (cross-attention wiped / kept: "
          + "stitching); FRESH, onlyWiped, seeds 1-5",
      new StudyPlan(List.of(Arch.ENCODER_DECODER), List.of(2), List.of(32), 4, List.of(),
          List.of(ReinitScheme.fresh()), List.of(FreezePolicy.onlyWiped()), FIVE_SEEDS,
          TRANSLATE_TRAINING, List.of(1.0), WipeKind.ASIDE));

  /** Every preset, in the order help lists them. */
  public static final List<Preset> ALL = List.of(QUICK, DEFAULT, STANDARD, ENCDEC, FULL);

  /** The preset named {@code name}, if any. */
  public static Optional<Preset> byName(String name) {
    return ALL.stream().filter(p -> p.name().equalsIgnoreCase(name == null ? "" : name.strip()))
        .findFirst();
  }

  /** Every name, for error messages. */
  public static List<String> names() {
    return ALL.stream().map(Preset::name).toList();
  }

  /** One line per preset, for {@code --help}. */
  public static String describe() {
    return ALL.stream().map(p -> String.format(java.util.Locale.ROOT, "  %-8s %s",
        p.name(), p.description())).collect(Collectors.joining("%n"));
  }
}
