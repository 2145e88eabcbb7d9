package dev.ablation.cli.bench;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.train.RecoveryStepper;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The step-time and memory benchmark behind {@code ablation.jar bench}: for each decoder-only
 * configuration at batch 32, median milliseconds of a full training step (Adam, every
 * parameter), of a recovery step for each wiped block ({@code onlyWiped}, as the recovery loop
 * runs it, and on the plain whole-graph path for comparison), and of an evaluation batch; then
 * the resident set size before and after a long run of recovery steps. Prints one
 * {@code name=value} per line, names prefixed with the configuration
 * ({@code n4_d64_t64.full_step_ms=...}). Warm-up steps (JIT, gradient-graph creation) are not
 * timed.
 */
public final class Bench {
  /** The two configurations benchmarked: N/D/T, 4 heads, vocabulary 32. */
  public static final List<Shape> SHAPES = List.of(new Shape(4, 64, 64), new Shape(2, 32, 32));

  /** A decoder-only shape: {@code n} blocks, width {@code d}, context {@code t}. */
  public record Shape(int n, int d, int t) {
    String prefix() {
      return "n" + n + "_d" + d + "_t" + t;
    }

    TransformerConfig config() {
      return TransformerConfig.decoderOnly(n, d, 4, 32, t, 1);
    }
  }

  /**
   * What to run.
   *
   * @param shapes configurations
   * @param batch sequences per batch
   * @param warmup untimed steps before each timed series
   * @param timed timed steps per series (the median is printed)
   * @param steps recovery steps of the memory run (RSS is read after a tenth and after all)
   * @param fullStepOnly time the full training step and nothing else (for comparing builds)
   */
  public record Options(List<Shape> shapes, int batch, int warmup, int timed, int steps,
      boolean fullStepOnly) {
    /** Validates. */
    public Options {
      if (shapes == null || shapes.isEmpty() || batch < 1 || warmup < 0 || timed < 1
          || steps < 10) {
        throw new IllegalArgumentException("bench needs shapes, batch >= 1, warmup >= 0, "
            + "timed >= 1 and steps >= 10; got " + shapes + ", " + batch + ", " + warmup + ", "
            + timed + ", " + steps);
      }
      shapes = List.copyOf(shapes);
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * This thread's CPU, the wall clock and the collectors' time from one moment on: what the
   * timed steps and the long run report as wall over CPU and time paused.
   */
  private record Window(long cpu0, long wall0, long gc0) {
    static Window start() {
      return new Window(THREADS.getCurrentThreadCpuTime(), System.nanoTime(), gcMillis());
    }

    /** Wall time over this thread's CPU time since the start; NaN before any CPU is charged. */
    double wallOverCpu() {
      long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
      return cpu > 0 ? (System.nanoTime() - wall0) / (double) cpu : Double.NaN;
    }

    /** Milliseconds the collectors spent since the start. */
    long gcMs() {
      return gcMillis() - gc0;
    }

    /** The share of the wall time since the start that the collectors spent. */
    double gcFraction() {
      return gcMs() * 1e6 / (System.nanoTime() - wall0);
    }
  }

  private final Options options;
  private final PrintWriter out;
  private double lastMean;
  private double lastWallOverCpu;
  private long lastGcMs;

  public Bench(Options options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /** Runs every configuration and prints its figures. */
  public void run() {
    print("java", System.getProperty("java.version"));
    print("cores", Runtime.getRuntime().availableProcessors());
    print("heap_max_mb", Runtime.getRuntime().maxMemory() >> 20);
    print("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    print("nd4j_max_threads", org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads());
    print("native_build", SameDiffEnvironment.nativeBuild());
    print("collectors", String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).toList()).replace(' ', '_'));
    print("step_arena", System.getProperty("ablation.stepArena", "true"));
    print("load_avg_1m_start", loadAverage());
    for (Shape s : options.shapes()) {
      run(s);
    }
    print("load_avg_1m_end", loadAverage());
  }

  private void run(Shape shape) {
    String p = shape.prefix() + ".";
    TransformerConfig c = shape.config();
    ReferenceModel m = ReferenceModel.build(c);
    List<Example> data = new MarkovChain(c.vocab(), 2, 2.0, 1)
        .sample(options.batch() * 8, c.context() + 1, 2);
    List<Batch> batches = ReferenceBatches.of(m).batches(data, options.batch());
    AdamSettings adam = AdamSettings.of(1e-3);

    AdamStepper full = new AdamStepper(m.model(), m.parameterVariables(), adam);
    double fullMs = median(batches, full::step);
    full.close();
    print(p + "full_step_ms", fullMs);
    // the median hides the steps that pay for garbage collection and freeing native buffers;
    // the mean is what a long run pays per step
    print(p + "full_step_ms_mean", lastMean);
    // wall over this thread's CPU across the timed steps: 1 when the step is all computation on
    // this thread; above it, time spent waiting (the collector, freeing native memory, other
    // processes). Target <= 1.05 on one native thread (docs/performance.md).
    print(p + "step_wall_over_cpu", lastWallOverCpu);
    // the collectors' time inside those timed steps: a collection comes every second or two,
    // so ~2 s of steps hold none, one or two whole pauses, and the ratio above jumps with them;
    // long_run_wall_over_cpu below is the figure that averages over many collections
    print(p + "step_gc_ms", lastGcMs);
    double flops = trainingFlops(c, options.batch());
    print(p + "gflop_per_step", flops / 1e9);
    print(p + "full_step_gflops", flops / 1e9 / (fullMs / 1e3));
    if (options.fullStepOnly()) {
      return;
    }

    LossEvaluator eval = new LossEvaluator(m.model());
    print(p + "eval_ms_per_batch", median(batches, eval::loss));

    double top = 0;
    for (int i = 0; i < c.nLayers(); i++) {
      List<String> names = onlyWiped(m, i);
      try (RecoveryStepper fast = RecoveryStepper.create(m.model(), names, adam)) {
        top = median(batches, fast::tryStep);
      }
      print(p + "recovery_step_ms_L" + i, top);
      try (RecoveryStepper plain = RecoveryStepper.plain(m.model(), names, adam)) {
        print(p + "recovery_step_ms_L" + i + "_plain", median(batches, plain::tryStep));
      }
    }
    print(p + "recovery_over_full_L" + (c.nLayers() - 1), top / fullMs);

    // memory: the study's long runs are recovery steps plus an evaluation now and then
    try (RecoveryStepper longRun = RecoveryStepper.create(m.model(), onlyWiped(m, 0), adam)) {
      longRun(p, m, batches, eval, longRun);
    }
  }

  private void longRun(String p, ReferenceModel m, List<Batch> batches, LossEvaluator eval,
      RecoveryStepper longRun) {
    long first = Math.max(1, options.steps() / 10);
    long afterFirst = -1;
    print(p + "rss_mb_start", rssMb());
    Window window = Window.start();
    for (int i = 1; i <= options.steps(); i++) {
      longRun.tryStep(batches.get(i % batches.size()));
      if (i % 100 == 0) {
        eval.loss(batches.get(0));
      }
      if (i == first) {
        afterFirst = rssMb();
        print(p + "rss_mb_after_" + first + "_steps", afterFirst);
      }
    }
    // target <= 1.05 (docs/performance.md): wall over this thread's CPU across the whole long
    // run, which spans many collections, and the share of that wall the collectors paused
    print(p + "long_run_wall_over_cpu", window.wallOverCpu());
    print(p + "long_run_gc_pause_fraction", window.gcFraction());
    long end = rssMb();
    print(p + "rss_mb_after_" + options.steps() + "_steps", end);
    // what the long run kept after its first tenth: ~0 when every step frees what it made
    print(p + "rss_growth_mb_" + options.steps() + "_steps", end - afterFirst);
  }

  /** Milliseconds every collector has spent collecting since the JVM started. */
  private static long gcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, b.getCollectionTime());
    }
    return ms;
  }

  private List<String> onlyWiped(ReferenceModel m, int block) {
    List<String> names = new ArrayList<>();
    for (ParameterPath q : FreezePolicy.onlyWiped().resolve(m.layers().layout(),
        List.of(LayerPath.block(block)), 0)) {
      names.add(m.layers().variable(q));
    }
    return names;
  }

  private double median(List<Batch> batches, ToDoubleFunction<Batch> step) {
    for (int i = 0; i < options.warmup(); i++) {
      step.applyAsDouble(batches.get(i % batches.size()));
    }
    double[] ms = new double[options.timed()];
    Window window = Window.start();
    for (int i = 0; i < ms.length; i++) {
      Batch b = batches.get(i % batches.size());
      long t0 = System.nanoTime();
      step.applyAsDouble(b);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    lastWallOverCpu = window.wallOverCpu();
    lastGcMs = window.gcMs();
    lastMean = Arrays.stream(ms).average().orElseThrow();
    Arrays.sort(ms);
    return ms.length % 2 == 1 ? ms[ms.length / 2]
        : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  }

  /**
   * Multiply-add FLOPs of one training step (forward + backward ≈ 3 × forward): per position,
   * per block {@code 2·(4d² + 2·d·d_ff) + 4·t·d} (projections, MLP, scores and weighted sum over
   * all t keys, as the graph computes them), plus one-hot embedding and unembedding
   * {@code 2·2·d·V}.
   */
  static double trainingFlops(TransformerConfig c, int batch) {
    double d = c.dModel();
    double perBlock = 2 * (4 * d * d + 2 * d * c.dFf()) + 4.0 * c.context() * d;
    double forward = batch * (double) c.context()
        * (c.nLayers() * perBlock + 4 * d * c.vocab());
    return 3 * forward;
  }

  /** Resident set size of this process, MiB, from {@code /proc/self/status}; -1 elsewhere. */
  static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"),
          StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private void print(String name, Object value) {
    String v = value instanceof Double x ? String.format(Locale.ROOT, "%.3f", x)
        : String.valueOf(value);
    out.println(name + "=" + v);
    out.flush();
  }
}
