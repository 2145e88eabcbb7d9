package dev.ablation.study.plan;

import dev.ablation.api.recovery.RecoveryMonitor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of a study, described once: its name in words, the command-line flag that
 * sets it (none for the few only a preset sets) and, for the settings of
 * {@link TrainingSettings}, its key in manifests and in an original's content hash. Why one
 * place: the same setting was named three or four ways (a flag, a builder method, a manifest
 * key, words in an error message) and the copies drifted. The records' checks name a bad value
 * by {@link #label()}, {@link TrainingSettings#asMap()} writes {@link #key()}, the command line
 * declares its options with {@link Flags}, and tests fail when a setting is described in one
 * place but not the others ({@code SettingTest}, {@code StudyOptionsTest}).
 */
public enum Setting {
  // --- TrainingSettings, in the order of its manifest (an original's content hash depends on it)
  /** Vocabulary of the synthetic corpus. */
  VOCAB("vocab", Flags.VOCAB, "vocab"),
  /** Tokens per training string. */
  SEQ_LEN("seq-len", Flags.SEQ_LEN, "seq_len"),
  /** Strings per optimiser step; a preset's choice. */
  BATCH_SIZE("batch-size", null, "batch_size"),
  /** S: training strings per epoch. */
  STRINGS("strings", Flags.STRINGS, "strings"),
  /** The cap on an original's epochs. */
  EPOCHS("epochs", Flags.EPOCHS, "epochs"),
  /** The original's peak Adam rate; recoveries use multiples of it. */
  PEAK_RATE("peak learning rate", Flags.PEAK_LR, "learning_rate"),
  /** A recovery's patience unit and least evaluation gap, in steps. */
  EVAL_EVERY("eval-every", Flags.EVAL_EVERY, "eval_every"),
  /**
   * The target's tolerance ε: nats, written {@code epsilon_nats}; under the damage rule a
   * fraction, written {@link #EPSILON_FRACTION_KEY} (a key must say its unit).
   */
  EPSILON("epsilon", Flags.EPSILON, "epsilon_nats"),
  /** Evaluations without improvement before a plateau; a preset's choice. */
  PATIENCE("patience", null, "patience"),
  /** What a recovery may spend, as a multiple of S × E. */
  BUDGET("budget", Flags.BUDGET, "budget_fraction"),
  /** Whether T_scratch is measured. */
  SCRATCH("scratch", Flags.SCRATCH, "scratch"),
  /** The original's linear warm-up, steps. */
  WARMUP("original warm-up", Flags.WARMUP, "warmup_steps"),
  /** Steps between the original's evaluations; a preset's choice. */
  ORIGINAL_EVAL_EVERY("original eval-every", null, "original_eval_every"),
  /** k: evaluations in the convergence window, and the evaluations σ spans. */
  CONVERGENCE_WINDOW("convergence window", Flags.CONVERGE_K, "convergence_window"),
  /** δ: the improvement below which an original has converged. */
  CONVERGENCE_DELTA("convergence delta", Flags.CONVERGE_DELTA, "convergence_delta"),
  /** How the target is set from L* (nats, noise, damage). */
  TARGET_RULE("target rule", Flags.TARGET, "target_rule"),
  /** A recovery's linear warm-up, steps. */
  RECOVERY_WARMUP("recovery warm-up", Flags.RECOVERY_WARMUP, "recovery_warmup"),
  /** What the originals learn. */
  TASK("task", Flags.TASK, "task"),
  /** A fixed length for every original, steps (absent: until converged). */
  TRAIN_STEPS("train steps", Flags.TRAIN_STEPS, "train_steps"),
  /** Steps a recovery trains past its target (absent: it stops there). */
  HORIZON("horizon", Flags.PAST_TARGET, RecoveryMonitor.HORIZON_KEY),

  // --- StudyPlan: what is run, not how (no manifest key of their own)
  /** Architectures. */
  ARCHS("architectures", Flags.ARCH, null),
  /** Depths n_layers. */
  DEPTHS("n_layers", Flags.LAYERS, null),
  /** Widths d_model. */
  WIDTHS("d_model", Flags.WIDTHS, null),
  /** Attention heads. */
  HEADS("heads", Flags.HEADS, null),
  /** The block indices wiped. */
  WIPE("wiped blocks", Flags.WIPE, null),
  /** Factorial or one at a time. */
  DESIGN("design", Flags.DESIGN, null),
  /** One-at-a-time: the depths at which the other arms run. */
  ARMS_AT("arm depths", Flags.ARMS_AT, null),
  /** What is wiped: blocks, sublayers, encoders. */
  WIPE_KINDS("wipe kinds", Flags.WIPE_KINDS, null),
  /** Re-initialisation schemes. */
  SCHEMES("schemes", Flags.SCHEMES, null),
  /** Freeze policies. */
  POLICIES("policies", Flags.POLICIES, null),
  /** Master seeds. */
  SEEDS("seeds", Flags.SEEDS, null),
  /** Recovery rates as multiples of the original's. */
  RECOVERY_LR("recovery rates", Flags.RECOVERY_LR, null);

  /**
   * The flags, as constants an annotation can take ({@code @Option(names = Flags.PEAK_LR)}),
   * so the command line declares each option with the name its setting has here.
   */
  public static final class Flags {
    private Flags() {}

    public static final String TASK = "--task";
    public static final String VOCAB = "--vocab";
    public static final String SEQ_LEN = "--seq-len";
    public static final String STRINGS = "--strings";
    public static final String EPOCHS = "--epochs";
    public static final String PEAK_LR = "--peak-lr";
    public static final String EVAL_EVERY = "--eval-every";
    public static final String EPSILON = "--epsilon";
    public static final String BUDGET = "--budget";
    public static final String SCRATCH = "--scratch";
    public static final String WARMUP = "--warmup";
    public static final String CONVERGE_K = "--converge-k";
    public static final String CONVERGE_DELTA = "--converge-delta";
    public static final String TARGET = "--target";
    public static final String RECOVERY_WARMUP = "--recovery-warmup";
    public static final String TRAIN_STEPS = "--train-steps";
    public static final String PAST_TARGET = "--past-target";
    public static final String ARCH = "--arch";
    public static final String LAYERS = "--layers";
    public static final String WIDTHS = "--widths";
    public static final String HEADS = "--heads";
    public static final String WIPE = "--wipe";
    public static final String DESIGN = "--design";
    public static final String ARMS_AT = "--arms-at";
    public static final String WIPE_KINDS = "--wipe-kinds";
    public static final String SCHEMES = "--schemes";
    public static final String POLICIES = "--policies";
    public static final String SEEDS = "--seeds";
    public static final String RECOVERY_LR = "--recovery-lr";
  }

  /**
   * The key of {@link #EPSILON} when ε is a fraction of the step-0 damage
   * ({@link TargetRule#DAMAGE}), not nats. The other rules keep {@code epsilon_nats}, so their
   * originals keep their content hashes.
   */
  public static final String EPSILON_FRACTION_KEY = "epsilon_fraction";

  private final String words;
  private final String flag;
  private final String key;

  Setting(String words, String flag, String key) {
    this.words = words;
    this.flag = flag;
    this.key = key;
  }

  /** The setting in words, e.g. {@code peak learning rate}. */
  public String words() {
    return words;
  }

  /** The command-line flag that sets it, e.g. {@code --peak-lr}; empty if only a preset does. */
  public Optional<String> flag() {
    return Optional.ofNullable(flag);
  }

  /**
   * Its key in manifests and the content hash ({@link TrainingSettings#asMap()}), e.g.
   * {@code learning_rate}; empty for a setting of the plan, which names runs, not originals.
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** How an error message names it: the words and, if it has one, the flag. */
  public String label() {
    return flag == null ? words : words + " (" + flag + ")";
  }

  /** The settings {@link TrainingSettings} holds, in the order of its manifest. */
  public static List<Setting> training() {
    return Arrays.stream(values()).filter(s -> s.key != null).toList();
  }
}
