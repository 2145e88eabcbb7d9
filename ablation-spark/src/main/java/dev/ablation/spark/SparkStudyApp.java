package dev.ablation.spark;

import dev.ablation.study.PlanOptions;
import dev.ablation.study.Presets;
import dev.ablation.study.ResultStore;
import dev.ablation.study.StudyPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit ... ablation-spark-app.jar [options]}: the {@code study} command of
 * {@code ablation.jar} on a Spark cluster. The options are the study's own (same names, same
 * presets, same checks, through {@link PlanOptions}), plus {@code --master} for running without
 * {@code spark-submit}'s own {@code --master}.
 */
@Command(name = "ablation-spark", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The ablation study on Apache Spark: originals, then recoveries grouped per "
        + "original, as Spark tasks writing into --out, which must be on a filesystem the "
        + "driver and every executor see at the same path.",
        "Submitted again with --resume, it runs only what is missing."})
public final class SparkStudyApp implements Callable<Integer> {

  private final EngineFactory engines;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--master", paramLabel = "URL",
      description = "the Spark master (local[4], spark://host:7077, yarn, k8s://...); "
          + "default: what spark-submit --master set")
  String master;

  @Option(names = "--runs-per-task", paramLabel = "N",
      description = "split an original's runs into tasks of at most N runs (more tasks than "
          + "originals, for clusters with more task slots; each task loads its original); "
          + "default: all of an original's runs in one task")
  Integer runsPerTask;

  @Option(names = PlanOptions.PRESET, paramLabel = "NAME",
      defaultValue = PlanOptions.DEFAULT_PRESET,
      description = "quick, default, full or encdec (see below); default: ${DEFAULT-VALUE}")
  String preset;

  @Option(names = PlanOptions.OUT, paramLabel = "DIR", required = true,
      description = "output directory on a filesystem shared by the driver and every executor")
  Path out;

  @Option(names = PlanOptions.RESUME,
      description = "finish the study already in --out, skipping done runs")
  boolean resume;

  @Option(names = PlanOptions.ARCH, split = ",", paramLabel = "ARCH",
      description = "architectures: decoder, encoder, encdec")
  List<String> archs;

  @Option(names = PlanOptions.LAYERS, split = ",", paramLabel = "N",
      description = "depths n_layers")
  List<Integer> depths;

  @Option(names = PlanOptions.WIDTHS, split = ",", paramLabel = "D",
      description = "widths d_model")
  List<Integer> widths;

  @Option(names = PlanOptions.HEADS, paramLabel = "H",
      description = "attention heads (d_model must be a multiple)")
  Integer heads;

  @Option(names = PlanOptions.WIPE, split = ",", paramLabel = "L",
      description = "wipe only these block indices (0-based, each < every N); default: all")
  List<Integer> wipe;

  @Option(names = PlanOptions.SCHEMES, split = PlanOptions.LIST_SPLIT, splitSynopsisLabel = ",",
      paramLabel = "SCHEME", description = "FRESH, RESTORE_INITIAL, ZERO_OUTPUT, "
          + "SHRINK_PERTURB(lambda,sigma), COPY_FROM(blocks.i)")
  List<String> schemes;

  @Option(names = PlanOptions.POLICIES, split = PlanOptions.LIST_SPLIT,
      splitSynopsisLabel = ",", paramLabel = "POLICY",
      description = "onlyWiped, wipedPlusLayerNorms, wipedPlusNeighbours(k), wipedPlusHead, "
          + "allTrainable")
  List<String> policies;

  @Option(names = PlanOptions.SEEDS, split = ",", paramLabel = "SEED",
      description = "master seeds")
  List<Long> seeds;

  @Option(names = PlanOptions.EVAL_EVERY, paramLabel = "K",
      description = "evaluate every K recovery steps")
  Integer evalEvery;

  @Option(names = PlanOptions.EPSILON, paramLabel = "NATS",
      description = "recovered at L* + NATS")
  Double epsilon;

  @Option(names = PlanOptions.TARGET, paramLabel = "RULE",
      description = "nats: L* + EPS; noise: L* + max(EPS, 2 sigma) (default); damage: EPS of the "
          + "step-0 damage undone")
  String target;

  @Option(names = PlanOptions.RECOVERY_LR, split = ",", paramLabel = "Mx",
      description = "recovery peak learning rates as multiples of the original's, e.g. "
          + "0.3x,1x,3x (default 1x)")
  List<String> recoveryLr;

  @Option(names = PlanOptions.BUDGET, paramLabel = "F",
      description = "a recovery may spend at most F x S x E examples")
  Double budget;

  @Option(names = PlanOptions.STRINGS, paramLabel = "S",
      description = "training strings of an original")
  Long strings;

  @Option(names = PlanOptions.EPOCHS, paramLabel = "E", description = "epochs of an original")
  Integer epochs;

  @Option(names = PlanOptions.SCRATCH, negatable = true,
      description = "measure T_scratch (training from a fresh init to the same target)")
  Boolean scratch;

  @Option(names = PlanOptions.TASK, paramLabel = "TASK",
      description = "what the originals learn: markov, bigram, hops, text, dyck; reverse, "
          + "translate (encdec)")
  String task;

  @Option(names = PlanOptions.VOCAB, paramLabel = "V", description = "synthetic vocabulary")
  Integer vocab;

  @Option(names = PlanOptions.SEQ_LEN, paramLabel = "T", description = "tokens per string")
  Integer seqLen;

  @Option(names = "--design", paramLabel = "DESIGN",
      description = "factorial (every kind x scheme x policy x rate; default of most presets) "
          + "or one-at-a-time (the first of each list everywhere, the others varied one at a "
          + "time)")
  String design;

  @Option(names = "--arms-at", split = ",", paramLabel = "N",
      description = "one-at-a-time: the depths at which the other arms run (default: all)")
  List<Integer> armsAt;

  @Option(names = PlanOptions.WIPE_KINDS, split = ",", paramLabel = "KIND",
      description = "block, attn, mlp, norms, cross_attn, all_cross_attn, fresh_encoder, "
          + "trained_encoder, stitched_encoder")
  List<String> kinds;

  /** The application on {@code engines} (the SameDiff engine in {@link #main}). */
  public SparkStudyApp(EngineFactory engines) {
    this.engines = Objects.requireNonNull(engines, "engines");
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(execute(EngineFactory.sameDiff(), args));
  }

  /** Runs the command line on {@code engines}; returns the exit status (for tests). */
  public static int execute(EngineFactory engines, String... args) {
    return commandLine(engines).execute(args);
  }

  /** The command line on {@code engines}, ready to execute. */
  static CommandLine commandLine(EngineFactory engines) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // plots render without a display
    }
    CommandLine cl = new CommandLine(new SparkStudyApp(engines));
    cl.getCommandSpec().usageMessage().footer(
        "%nPresets (data in dev.ablation.study.Presets):%n" + Presets.describe()
            + "%n%nOptions given with a preset replace that preset's value. Spark settings "
            + "(executor cores, memory, spark.task.cpus, OMP_NUM_THREADS) go to spark-submit: "
            + "see docs/distributed.md.");
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("error: " + ex.getMessage());
      return 1;
    });
    return cl;
  }

  @Override
  public Integer call() throws IOException {
    StudyPlan plan = validatedPlan();
    SparkConf conf = sparkConf();
    PrintWriter o = spec.commandLine().getOut();
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      new SparkStudy(sc, plan, out, resume, engines,
          runsPerTask == null ? Integer.MAX_VALUE : runsPerTask, o).run();
    }
    return 0;
  }

  /** The Spark configuration: spark-submit's, with {@code --master} when it set none. */
  SparkConf sparkConf() {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.app.name")) { // spark-submit --name wins
      conf.setAppName("ablation study " + out.getFileName());
    }
    String launcherMaster = conf.get("spark.master", null);
    if (master != null && launcherMaster != null && !launcherMaster.equals(master)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--master " + master
          + " contradicts spark.master=" + launcherMaster + " from spark-submit; give one");
    }
    if (master != null) {
      conf.setMaster(master);
    } else if (launcherMaster == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no Spark master: run "
          + "through spark-submit --master URL, or pass --master (e.g. local[2])");
    }
    // one attempt of each task at a time: two attempts would train the same original into
    // the same cache directory
    conf.set("spark.speculation", "false");
    return conf;
  }

  /** The plan the options ask for, or a usage error naming every bad value. */
  StudyPlan validatedPlan() {
    PlanOptions p = new PlanOptions();
    p.preset = preset;
    p.archs = archs;
    p.depths = depths;
    p.widths = widths;
    p.heads = heads;
    p.wipe = wipe;
    p.schemes = schemes;
    p.policies = policies;
    p.seeds = seeds;
    p.evalEvery = evalEvery;
    p.epsilon = epsilon;
    p.budget = budget;
    p.strings = strings;
    p.epochs = epochs;
    p.scratch = scratch;
    p.task = task;
    p.vocab = vocab;
    p.seqLen = seqLen;
    p.kinds = kinds;
    p.design = design;
    p.armsAt = armsAt;
    p.target = target;
    p.recoveryLr = recoveryLr;
    List<String> errors = new ArrayList<>();
    StudyPlan plan = p.plan(errors);
    if (runsPerTask != null && runsPerTask < 1) {
      errors.add("--runs-per-task " + runsPerTask + " must be >= 1");
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      errors.add("--out " + out + " is a file, not a directory");
    } else if (!resume && ResultStore.holdsResults(out)) {
      errors.add("--out " + out + " already holds study results; add --resume to finish them, "
          + "or choose another --out");
    }
    if (!errors.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "invalid options (nothing was trained):\n  - " + String.join("\n  - ", errors));
    }
    return plan;
  }
}
