package dev.ablation.spark;

import dev.ablation.cli.ErrorMessages;
import dev.ablation.cli.StudyOptions;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.plan.StudyPlan;
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
 * {@code ablation.jar} on a Spark cluster. The options are the study's own (the same
 * {@link StudyOptions} mixin: same names, help, presets and checks), plus {@code --master} for
 * running without {@code spark-submit}'s own {@code --master}.
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

  @Option(names = "--out", paramLabel = "DIR", required = true,
      description = "output directory on a filesystem shared by the driver and every executor")
  Path out;

  @CommandLine.Mixin
  StudyOptions options = new StudyOptions();

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
    cl.getCommandSpec().usageMessage().footer(StudyOptions.presetsFooter()
            + "%n%nSpark settings "
            + "(executor cores, memory, spark.task.cpus, OMP_NUM_THREADS) go to spark-submit: "
            + "see docs/distributed.md.");
    cl.setExecutionExceptionHandler(ErrorMessages.handler());
    return cl;
  }

  @Override
  public Integer call() throws IOException {
    StudyPlan plan = validatedPlan();
    SparkConf conf = sparkConf();
    PrintWriter o = spec.commandLine().getOut();
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      new SparkStudy(sc, plan, out, options.resume(), engines,
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
    List<String> errors = new ArrayList<>();
    StudyPlan plan = options.plan(errors);
    if (runsPerTask != null && runsPerTask < 1) {
      errors.add("--runs-per-task " + runsPerTask + " must be >= 1");
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      errors.add("--out " + out + " is a file, not a directory");
    } else if (!options.resume() && ResultStore.holdsResults(out)) {
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
