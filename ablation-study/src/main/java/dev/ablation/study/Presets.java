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
   * The same language and training as quick (so quick's originals are reused), over four
   * shapes. Measured on the 2-core machine: see the README for the wall time.
   */
  private static final TrainingSettings DEFAULT_TRAINING = QUICK_TRAINING;

  private static final TrainingSettings FULL_TRAINING = new TrainingSettings(
      16, 32, 32, 16384, 16, 1e-3, 16, 0.02, 12, 1.0, true, 100, 32, 5, 0.005,
      TargetRule.NOISE, 16);

  private static final List<Long> FIVE_SEEDS = List.of(1L, 2L, 3L, 4L, 5L);

  private static final List<ReinitScheme> FRESH_AND_ZERO =
      List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput());

  /** Under 2 minutes: one small decoder, every layer, both main schemes, the question's policy. */
  public static final Preset QUICK = new Preset("quick",
      "decoder N=2 D=32, every layer, FRESH+ZERO_OUTPUT, onlyWiped, seeds 1-5; < 2 min",
      new StudyPlan(List.of(Arch.DECODER), List.of(2), List.of(32), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped()), FIVE_SEEDS,
          QUICK_TRAINING));

  /** Under 15 minutes: two depths, two widths, both schemes, question and control, 3 seeds. */
  public static final Preset DEFAULT = new Preset("default",
      "decoder N=2,4 D=32,64, every layer, FRESH+ZERO_OUTPUT, onlyWiped+allTrainable, "
          + "seeds 1-5; < 15 min",
      new StudyPlan(List.of(Arch.DECODER), List.of(2, 4), List.of(32, 64), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable()),
          FIVE_SEEDS, DEFAULT_TRAINING));

  /** Everything: for a bigger machine or a GPU. */
  public static final Preset FULL = new Preset("full",
      "decoder+encdec N=2,4,6 D=32,64,128, every layer, all schemes, 5 policies, seeds 1-5; "
          + "hours on a CPU",
      new StudyPlan(List.of(Arch.DECODER, Arch.ENCODER_DECODER), List.of(2, 4, 6),
          List.of(32, 64, 128), 4, List.of(),
          List.of(ReinitScheme.fresh(), ReinitScheme.restoreInitial(), ReinitScheme.zeroOutput(),
              ReinitScheme.shrinkPerturb(0.5, 0.01)),
          List.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
              FreezePolicy.wipedPlusNeighbours(1), FreezePolicy.wipedPlusHead(),
              FreezePolicy.allTrainable()),
          FIVE_SEEDS, FULL_TRAINING));

  /** The question's aside: an encoder-decoder, one decoder layer vs all cross-attention vs a new encoder. */
  public static final Preset ENCDEC = new Preset("encdec",
      "encdec N=2 D=32: each decoder block, all cross-attention, a fresh encoder of another "
          + "width; FRESH+ZERO_OUTPUT, onlyWiped, seeds 1-5",
      new StudyPlan(List.of(Arch.ENCODER_DECODER), List.of(2), List.of(32), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped()), FIVE_SEEDS,
          DEFAULT_TRAINING));

  /** Every preset, in the order help lists them. */
  public static final List<Preset> ALL = List.of(QUICK, DEFAULT, FULL, ENCDEC);

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
