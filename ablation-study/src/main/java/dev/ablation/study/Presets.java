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

  private static final TrainingSettings QUICK_TRAINING = new TrainingSettings(
      /* vocab */ 8, /* seqLen */ 16, /* batch */ 16, /* S */ 2048, /* E */ 2,
      /* lr */ 3e-3, /* evalEvery */ 4, /* eps */ 0.05, /* patience */ 6, /* budget */ 1.0,
      /* scratch */ true);

  /**
   * The same language and training as quick (so quick's originals are reused), over four
   * shapes. Measured on the 2-core machine: see the README for the wall time.
   */
  private static final TrainingSettings DEFAULT_TRAINING = QUICK_TRAINING;

  private static final TrainingSettings FULL_TRAINING = new TrainingSettings(
      16, 32, 32, 16384, 4, 1e-3, 16, 0.02, 12, 1.0, true);

  private static final List<ReinitScheme> FRESH_AND_ZERO =
      List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput());

  /** Under 2 minutes: one small decoder, every layer, both main schemes, the question's policy. */
  public static final Preset QUICK = new Preset("quick",
      "decoder N=2 D=32, every layer, FRESH+ZERO_OUTPUT, onlyWiped, seeds 1-3; < 2 min",
      new StudyPlan(List.of(Arch.DECODER), List.of(2), List.of(32), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped()), List.of(1L, 2L, 3L),
          QUICK_TRAINING));

  /** Under 15 minutes: two depths, two widths, both schemes, question and control, 3 seeds. */
  public static final Preset DEFAULT = new Preset("default",
      "decoder N=2,4 D=32,64, every layer, FRESH+ZERO_OUTPUT, onlyWiped+allTrainable, "
          + "seeds 1-3; < 15 min",
      new StudyPlan(List.of(Arch.DECODER), List.of(2, 4), List.of(32, 64), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable()),
          List.of(1L, 2L, 3L), DEFAULT_TRAINING));

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
          List.of(1L, 2L, 3L, 4L, 5L), FULL_TRAINING));

  /** The question's aside: an encoder-decoder, one decoder layer vs all cross-attention vs a new encoder. */
  public static final Preset ENCDEC = new Preset("encdec",
      "encdec N=2 D=32: each decoder block, all cross-attention, a fresh encoder of another "
          + "width; FRESH+ZERO_OUTPUT, onlyWiped, seeds 1-3",
      new StudyPlan(List.of(Arch.ENCODER_DECODER), List.of(2), List.of(32), 4, List.of(),
          FRESH_AND_ZERO, List.of(FreezePolicy.onlyWiped()), List.of(1L, 2L, 3L),
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
