package dev.ablation.study.plan;

import dev.ablation.api.Architecture;
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
  private static final TrainingSettings QUICK_TRAINING = TrainingSettings.builder()
      .task(Task.MARKOV).vocab(8).seqLen(16).strings(2048).batchSize(16)
      .peakRate(3e-3).warmupSteps(32).recoveryWarmup(8)
      .originalEvalEvery(16).convergenceWindow(5).convergenceDelta(0.01).maxEpochs(8)
      .targetRule(TargetRule.NOISE).epsilon(0.05)
      .evalEvery(4).patience(6).budgetFraction(1.0).scratch(false)
      .build();

  /**
   * The depth-needing task: the in-context bigram language (V = 6, α = 0.3 fixed in the
   * engine, strings of 33 tokens), batches of 32 strings, peak rate 3e-3 after 32 warmup steps,
   * at most 8 epochs of S = 4096. The convergence rule is stricter than quick's (0.002 nats over
   * 8 evaluations): the loss of this task plateaus for a few hundred steps before the induction
   * circuit forms, and quick's rule would stop training on that plateau. ε = 0.02 nats (with
   * the noise rule, L* + max(ε, 2σ)).
   */
  private static final TrainingSettings BIGRAM_TRAINING = TrainingSettings.builder()
      .task(Task.BIGRAM).vocab(6).seqLen(32).strings(4096).batchSize(32)
      .peakRate(3e-3).warmupSteps(32).recoveryWarmup(8)
      .originalEvalEvery(16).convergenceWindow(8).convergenceDelta(0.002).maxEpochs(8)
      .targetRule(TargetRule.NOISE).epsilon(0.02)
      .evalEvery(8).patience(8).budgetFraction(1.0).scratch(false) // T_orig instead
      .build();

  /**
   * The aside's task: translating a first-order Markov source of 8 symbols (vocabulary 17),
   * strings of 12 tokens, so the target side has structure a decoder alone can model.
   */
  private static final TrainingSettings TRANSLATE_TRAINING = TrainingSettings.builder()
      .task(Task.TRANSLATE).vocab(17).seqLen(12).strings(4096).batchSize(32)
      .peakRate(3e-3).warmupSteps(32).recoveryWarmup(8)
      .originalEvalEvery(16).convergenceWindow(8).convergenceDelta(0.002).maxEpochs(8)
      .targetRule(TargetRule.NOISE).epsilon(0.02)
      .evalEvery(8).patience(8).budgetFraction(1.0).scratch(true)
      .build();

  private static final TrainingSettings FULL_TRAINING =
      BIGRAM_TRAINING.toBuilder().strings(16384).build();

  private static final List<Long> FIVE_SEEDS = List.of(1L, 2L, 3L, 4L, 5L);

  private static final List<ReinitScheme> FRESH_AND_ZERO =
      List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput());

  private static final List<ReinitScheme> THREE_SCHEMES = List.of(ReinitScheme.fresh(),
      ReinitScheme.restoreInitial(), ReinitScheme.zeroOutput());

  /**
   * The smoke test: one small decoder on the Markov language, every layer, the question's
   * policy. What it costs is measured in docs/performance.md's dated table, not stated here.
   */
  public static final Preset QUICK = new Preset("quick",
      "markov, decoder N=2 D=32, every layer, FRESH+ZERO_OUTPUT, onlyWiped, seeds 1-5",
      StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2)).widths(List.of(32))
          .heads(4).wipe(List.of()).schemes(FRESH_AND_ZERO)
          .policies(List.of(FreezePolicy.onlyWiped())).seeds(FIVE_SEEDS)
          .training(QUICK_TRAINING).recoveryLr(List.of(1.0)).kinds(List.of(WipeKind.BLOCK))
          .design(Design.FACTORIAL).build());

  /**
   * The depth-needing task at one shape: N = 4 (and the N − 1 = 3 baseline trained from
   * scratch), every block, three schemes, the question's policy, five seeds (its cost:
   * docs/performance.md's dated table).
   */
  public static final Preset DEFAULT = new Preset("default",
      "bigram, decoder N=3,4 D=64, every block, FRESH+RESTORE_INITIAL+ZERO_OUTPUT, onlyWiped, "
          + "seeds 1-5",
      StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(3, 4))
          .widths(List.of(64)).heads(4).wipe(List.of()).schemes(THREE_SCHEMES)
          .policies(List.of(FreezePolicy.onlyWiped())).seeds(FIVE_SEEDS)
          .training(BIGRAM_TRAINING).recoveryLr(List.of(1.0)).kinds(List.of(WipeKind.BLOCK))
          .design(Design.FACTORIAL).build());

  /**
   * The findings run, sized for the 2-core machine (its cost: docs/performance.md's dated
   * table). The question's arm (a whole
   * block, {@code FRESH}, only it trainable) at every block of N = 2, 3, 4, 8 and D = 32, 128;
   * at N = 4 also {@code RESTORE_INITIAL}, {@code ZERO_OUTPUT} and the attention, MLP and norms
   * sublayers alone, one factor at a time ({@link Design.OneAtATime}); N = 3 is N = 4's
   * (N − 1)-layer baseline. Five seeds. The full factorial of these axes (and the
   * everything-trainable control) is the {@code full} preset's: about ten times the compute.
   */
  public static final Preset STANDARD = new Preset("standard",
      "bigram, decoder N=2,3,4,8 D=32,128, every block FRESH onlyWiped; at N=4 also "
          + "RESTORE_INITIAL, ZERO_OUTPUT, attn/mlp/norms (one at a time); seeds 1-5",
      StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2, 3, 4, 8))
          .widths(List.of(32, 128)).heads(4).wipe(List.of()).schemes(THREE_SCHEMES)
          .policies(List.of(FreezePolicy.onlyWiped())).seeds(FIVE_SEEDS)
          .training(BIGRAM_TRAINING).recoveryLr(List.of(1.0)).kinds(WipeKind.SUBLAYERS)
          .design(Design.oneAtATime(List.of(4))).build());

  /** Everything: for a cluster. */
  public static final Preset FULL = new Preset("full",
      "bigram, decoder N=2..8 D=32,64,128, blocks+sublayers, four schemes, 5 policies, "
          + "seeds 1-5; a cluster",
      StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2, 3, 4, 5, 6, 7, 8))
          .widths(List.of(32, 64, 128)).heads(4).wipe(List.of())
          .schemes(List.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(),
              ReinitScheme.zeroOutput(), ReinitScheme.shrinkPerturb(0.5, 0.01)))
          .policies(List.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
              FreezePolicy.wipedPlusNeighbours(1), FreezePolicy.wipedPlusHead(),
              FreezePolicy.allTrainable()))
          .seeds(FIVE_SEEDS).training(FULL_TRAINING).recoveryLr(List.of(1.0))
          .kinds(WipeKind.SUBLAYERS).design(Design.FACTORIAL).build());

  /**
   * The question's aside on a task whose target side has structure: each decoder block, all
   * cross-attention, one cross-attention sublayer, a trained encoder of another width with
   * wiped cross-attention, and the same encoder stitched in (only the projection trains).
   */
  public static final Preset ENCDEC = new Preset("encdec",
      "translate, encdec N=2 D=32: each decoder block, all cross-attention, each "
          + "cross-attention, a trained encoder of width 16 (cross-attention wiped / kept: "
          + "stitching); FRESH, onlyWiped, seeds 1-5",
      StudyPlan.builder().archs(List.of(Architecture.ENCODER_DECODER)).depths(List.of(2))
          .widths(List.of(32)).heads(4).wipe(List.of()).schemes(List.of(ReinitScheme.fresh()))
          .policies(List.of(FreezePolicy.onlyWiped())).seeds(FIVE_SEEDS)
          .training(TRANSLATE_TRAINING).recoveryLr(List.of(1.0)).kinds(WipeKind.ASIDE)
          .design(Design.FACTORIAL).build());

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

  /**
   * One line per preset, for {@code --help}: what it runs, never how long it takes (a duration
   * here went stale with every change of speed; the measured ones live in docs/performance.md).
   */
  public static String describe() {
    return ALL.stream().map(p -> String.format(java.util.Locale.ROOT, "  %-8s %s",
        p.name(), p.description())).collect(Collectors.joining("%n"));
  }
}
