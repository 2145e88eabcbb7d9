package dev.ablation.cli.bench;

import dev.ablation.cli.console.Logs;
import dev.ablation.study.plan.Preset;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.run.Progress;
import dev.ablation.study.run.Study;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.engine.SameDiffStudyEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The study's parallel figures behind {@code bench --study}: the wall time of the quick preset
 * on one worker and on two, and what the machine itself allows — the throughput of two
 * independent single-worker processes over one, measured the same way. On a 2-core machine
 * memory-bound kernels share the cache and the memory bus, so two workers cannot give 2×;
 * {@code study_speedup_workers2} is to be read against {@code machine_parallel_ceiling}.
 *
 * <p>The same way everywhere: every timed study runs the whole quick preset ({@code T_scratch}
 * and every recovery) into a fresh directory, on originals trained once before (loaded from a
 * shared cache, as a resumed study would), after an untimed warm-up study in the same JVM
 * (the JIT, the native library, the gradient graphs). Prints {@code name=value} lines.
 */
public final class StudyBench {
  /** The preset the figures are measured on. */
  public static final Preset PRESET = Presets.QUICK;

  private final StudyPlan plan;
  private final PrintWriter out;

  /** Figures of {@link #PRESET} printed to {@code out}. */
  public StudyBench(PrintWriter out) {
    this(PRESET.plan(), out);
  }

  /** Figures of {@code plan} (tests use a tiny one) printed to {@code out}. */
  public StudyBench(StudyPlan plan, PrintWriter out) {
    this.plan = plan;
    this.out = out;
  }

  /** Runs the three study figures and the ceiling, printing each as it is measured. */
  public void run() {
    Path root;
    try {
      root = Files.createTempDirectory("ablation-study-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path cache = root.resolve("originals");
      print("study_runs", Integer.toString(plan.totalRuns()));
      Path planFile = root.resolve("plan.ser");
      try (ObjectOutputStream o = new ObjectOutputStream(Files.newOutputStream(planFile))) {
        o.writeObject(plan);
      }
      warmUp(plan, cache, root.resolve("warmup"));
      double w1 = timedStudy(plan, cache, root.resolve("workers1"), 1);
      print("study_wall_s_workers1", fmt(w1));
      dev.ablation.api.recovery.CpuAccount.Snapshot before =
          dev.ablation.api.recovery.CpuAccount.snapshot();
      double w2 = timedStudy(plan, cache, root.resolve("workers2"), 2);
      print("study_wall_s_workers2", fmt(w2));
      // every validation pass's thread CPU over the process's user + system CPU, during the
      // two-worker study (target <= 0.15 on the default preset, docs/performance.md)
      print("study_eval_cpu_share", String.format(Locale.ROOT, "%.3f",
          dev.ablation.api.recovery.CpuAccount.snapshot().minus(before).evaluationShare()));
      print("study_speedup_workers2", fmt(w1 / w2));
      double alone = children(planFile, cache, root.resolve("alone"), 1).get(0);
      print("process_wall_s_alone", fmt(alone));
      List<Double> pair = children(planFile, cache, root.resolve("pair"), 2);
      double pairMean = pair.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      print("process_wall_s_pair", fmt(pairMean));
      print("machine_parallel_ceiling", fmt(2 * alone / pairMean));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(root);
    }
    out.flush();
  }

  /**
   * The warm-up: every original of the preset trained into {@code cache}, and one recovery of
   * each, untimed (it also warms the JIT and the native library).
   */
  static void warmUp(StudyPlan plan, Path cache, Path dir) {
    StudyPlan small = plan.toBuilder().wipe(List.of(0))
        .schemes(List.of(plan.schemes().get(0)))
        .training(plan.training().toBuilder().scratch(false).build()).build();
    study(cache, dir, small, 1);
  }

  /** Wall seconds of the whole preset on {@code workers} workers, originals from the cache. */
  static double timedStudy(StudyPlan plan, Path cache, Path dir, int workers) {
    long t0 = System.nanoTime();
    study(cache, dir, plan, workers);
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void study(Path cache, Path dir, StudyPlan plan, int workers) {
    StudyEngine.Factory shared = ignored -> new SameDiffStudyEngine(cache);
    try {
      Study.runInto(dir, plan, shared,
          new Study.Options(workers, false, Progress.none()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code n} child JVMs at once (this JVM's java, options and class path), each warming
   * up and then timing one single-worker study, and returns their timed wall seconds.
   */
  private List<Double> children(Path planFile, Path cache, Path dir, int n) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<Process> ps = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StudyBench.class.getName());
        cmd.add(planFile.toString());
        cmd.add(cache.toString());
        cmd.add(dir.resolve("child" + i).toString());
        ps.add(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start());
      }
      List<Double> walls = new ArrayList<>();
      for (Process p : ps) {
        walls.add(readWall(p));
      }
      return walls;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a child JVM: " + e.getMessage(), e);
    } finally {
      ps.forEach(Process::destroyForcibly);
    }
  }

  private static double readWall(Process p) throws IOException {
    Double wall = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(CHILD_FIGURE + "=")) {
          wall = Double.parseDouble(line.substring(CHILD_FIGURE.length() + 1));
        }
      }
    }
    try {
      if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0 || wall == null) {
        throw new IllegalStateException("child study failed: exit " + p.exitValue()
            + ", no " + CHILD_FIGURE + " line");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for a child study", e);
    }
    return wall;
  }

  private static final String CHILD_FIGURE = "child_study_wall_s";

  /**
   * A child process: warm up, then time one single-worker study of the preset.
   *
   * @param args the serialised plan, the originals cache and this child's directory
   */
  public static void main(String[] args) throws Exception {
    Logs.quiet();
    StudyPlan plan;
    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
      plan = (StudyPlan) in.readObject();
    }
    Path cache = Path.of(args[1]);
    Path dir = Path.of(args[2]);
    warmUp(plan, cache, dir.resolve("warmup"));
    double wall = timedStudy(plan, cache, dir.resolve("timed"), 1);
    System.out.println(CHILD_FIGURE + "=" + fmt(wall));
    System.out.flush();
    System.exit(0);
  }

  private void print(String name, String value) {
    out.println(name + "=" + value);
    out.flush();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: best effort
    }
  }
}
