package dev.ablation.cli;

import dev.ablation.cli.bench.Bench;
import dev.ablation.cli.bench.StudyBench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: step times, recovery-step times per wiped layer, evaluation time and memory of
 * the reference decoder at batch 32, one {@code name=value} per line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Median ms per training step, per recovery step for each wiped block "
        + "(onlyWiped; the fast path and the plain whole-graph path), per evaluation batch, and "
        + "RSS before and after a long run, for N=4/D=64/T=64 and N=2/D=32/T=32 at batch 32; "
        + "then the study's wall time on the quick preset with 1 and 2 workers, the speed-up, "
        + "and machine_parallel_ceiling: the throughput of two single-worker processes over one.",
        "Threads: set OMP_NUM_THREADS before the JVM starts (1 is the steady choice on 2 shared "
            + "cores); --threads overrides ND4J's thread count at run time."})
public final class BenchCommand implements Callable<Integer> {

  private final String mainClass;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * The command, told how {@code --memory} starts its child JVMs.
   *
   * @param mainClass the class whose {@code main} is {@code ablation.jar}'s command line, which
   *     {@code --memory} runs {@code study} through in child JVMs
   */
  public BenchCommand(String mainClass) {
    this.mainClass = mainClass;
  }

  @Option(names = "--steps", paramLabel = "N", defaultValue = "500",
      description = "recovery steps of the memory run; RSS is printed after N/10 and after N "
          + "(default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--timed", paramLabel = "N", defaultValue = "21",
      description = "timed steps per figure, median printed (default: ${DEFAULT-VALUE})")
  int timed;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "8",
      description = "untimed steps before each figure (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--threads", paramLabel = "N",
      description = "ND4J/OpenMP threads for this run (default: the environment's)")
  Integer threads;

  @Option(names = "--full-step-only",
      description = "time the full training step only (figures for comparing native builds and "
          + "peers; no study figures)")
  boolean fullStepOnly;

  @Option(names = "--study",
      description = "only the study figures: the quick preset's wall time on 1 and 2 workers, "
          + "the speed-up, and the machine's ceiling (2 single-worker processes over 1)")
  boolean studyOnly;

  @Option(names = "--skip-study", description = "only the step figures (the study figures take "
      + "minutes: five quick studies, three in child JVMs)")
  boolean skipStudy;

  @Option(names = "--memory",
      description = "only the memory figures: a slice of the default preset (seed 1) in child "
          + "JVMs at -Xmx1g on 2 workers and on 1 — peak RSS, user CPU, wall time and the CPU "
          + "ratio of 2 workers over 1 (minutes)")
  boolean memoryOnly;

  @Option(names = "--exactness",
      description = "only the T_ε exactness check: every run of the default preset's seed-1 "
          + "slice twice, on the study's sparse schedule (searched to the step) and evaluated "
          + "after every step; prints each pair and whether at most 2 %% differ, each by at most "
          + "2 steps (originals cached under --cache)")
  boolean exactnessOnly;

  @Option(names = "--cache", paramLabel = "DIR", defaultValue = "bench-originals",
      description = "where --exactness trains or finds its originals (default: ${DEFAULT-VALUE})")
  java.nio.file.Path cache;

  @Option(names = "--config", split = ",", paramLabel = "NxDxT",
      description = "configurations, e.g. 4x64x64,2x32x32 (default: both)")
  List<String> configs;

  @Override
  public Integer call() {
    if (studyOnly && skipStudy) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--study and --skip-study exclude each other");
    }
    if (memoryOnly && (studyOnly || skipStudy || fullStepOnly)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--memory runs only the memory figures: leave out --study, --skip-study and "
              + "--full-step-only");
    }
    if (memoryOnly) {
      new dev.ablation.cli.bench.MemoryBench(mainClass, spec.commandLine().getOut()).run();
      return 0;
    }
    if (exactnessOnly) {
      dev.ablation.study.plan.StudyPlan slice = dev.ablation.study.plan.Presets.DEFAULT.plan()
          .toBuilder().seeds(List.of(1L)).build();
      return dev.ablation.study.engine.ExactnessCheck.run(slice, cache,
          spec.commandLine().getOut()).passes() ? 0 : 1;
    }
    List<Bench.Shape> shapes = new ArrayList<>();
    if (configs == null) {
      shapes.addAll(Bench.SHAPES);
    } else {
      for (String s : configs) {
        String[] f = s.split("x");
        try {
          shapes.add(new Bench.Shape(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
              Integer.parseInt(f[2])));
        } catch (RuntimeException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--config '" + s
              + "' is not NxDxT (blocks x width x context), e.g. 4x64x64");
        }
      }
    }
    Bench.Options options;
    try {
      options = new Bench.Options(shapes, 32, warmup, timed, steps, fullStepOnly);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (threads != null) {
      if (threads < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--threads must be >= 1, got " + threads);
      }
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
    }
    if (!studyOnly) {
      new Bench(options, spec.commandLine().getOut()).run();
      new dev.ablation.cli.bench.StepsBench(options, spec.commandLine().getOut()).run();
    }
    if (!skipStudy && !fullStepOnly) {
      new StudyBench(spec.commandLine().getOut()).run();
    }
    return 0;
  }
}
