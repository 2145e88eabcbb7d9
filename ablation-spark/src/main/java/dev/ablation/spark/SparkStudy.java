package dev.ablation.spark;

import dev.ablation.api.Architecture;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.report.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A study on a Spark cluster, run from the driver in two stages.
 *
 * <ol>
 *   <li><b>Originals</b>: one task per original that still has runs to do. It trains the
 *       original (or finds it in {@code <out>/originals}, the engine's cache) and measures its
 *       {@code T_scratch}, leaving both as files under {@code --out}.
 *   <li><b>Recoveries</b>: one task per original with its runs still to do, so each task loads
 *       its original once (or tasks of at most {@code runsPerTask} of its runs). Each run, when it ends, is written by the executor as its own record
 *       file ({@code <out>/runs/<hash>.json}, written under a unique temporary name and renamed,
 *       so a killed or retried task never leaves half a record). A run that throws is written as
 *       a {@code FAILED} row with the error; the job goes on.
 * </ol>
 *
 * <p>Only the driver writes {@code results.csv}, {@code results.json} and the report, after
 * both stages, from the record files. A second submit finds every run's record and runs
 * nothing. Only specs ({@link OriginalSpec}, {@link RecoveryRequest}) and the output path cross
 * the wire; each task opens its own engine. {@code --out} must be on a filesystem that the
 * driver and every executor see at the same path (NFS, a cluster filesystem mount, a
 * Kubernetes ReadWriteMany volume): see {@code docs/distributed.md}.
 */
public final class SparkStudy {

  private final JavaSparkContext sc;
  private final StudyPlan plan;
  private final Path out;
  private final boolean resume;
  private final EngineFactory engines;
  private final int runsPerTask;
  private final PrintWriter log;

  /**
   * A study of {@code plan} into {@code out} on {@code sc}.
   *
   * @param resume whether {@code out} may already hold runs of this study (they are skipped)
   * @param engines opens an engine in each task
   * @param log where the driver reports its stages
   */
  public SparkStudy(JavaSparkContext sc, StudyPlan plan, Path out, boolean resume,
      EngineFactory engines, PrintWriter log) {
    this(sc, plan, out, resume, engines, Integer.MAX_VALUE, log);
  }

  /**
   * A study whose stage 2 splits an original's runs into tasks of at most
   * {@code runsPerTask} runs: more tasks than originals, for clusters with more task slots
   * than the plan has originals, at the price of loading an original once per task.
   *
   * @throws IllegalArgumentException if {@code runsPerTask < 1}
   */
  public SparkStudy(JavaSparkContext sc, StudyPlan plan, Path out, boolean resume,
      EngineFactory engines, int runsPerTask, PrintWriter log) {
    if (runsPerTask < 1) {
      throw new IllegalArgumentException("runs per task must be >= 1, got " + runsPerTask);
    }
    this.runsPerTask = runsPerTask;
    this.sc = Objects.requireNonNull(sc, "sc");
    this.plan = Objects.requireNonNull(plan, "plan");
    this.out = Objects.requireNonNull(out, "out").toAbsolutePath().normalize();
    this.resume = resume;
    this.engines = Objects.requireNonNull(engines, "engines");
    this.log = Objects.requireNonNull(log, "log");
  }

  /**
   * What one submit did.
   *
   * @param total runs in the plan
   * @param alreadyDone runs whose records were there before this submit
   * @param ran runs this submit ran (including failed ones)
   * @param failed runs that ended {@code FAILED} in this submit
   * @param originals originals stage 1 worked on
   */
  public record Submission(int total, int alreadyDone, int ran, int failed, int originals) {}

  /** Runs what is not done yet, then writes the results and the report. */
  public Submission run() throws IOException {
    ResultStore store = ResultStore.open(out, plan, resume);
    Map<OriginalSpec, List<RecoveryRequest>> todo = new LinkedHashMap<>();
    int total = 0;
    int done = 0;
    for (OriginalSpec o : plan.originals()) {
      for (RecoveryRequest r : plan.runs(o)) {
        total++;
        if (store.isDone(RunKey.of(o, r))) {
          done++;
        } else {
          todo.computeIfAbsent(o, x -> new ArrayList<>()).add(r);
        }
      }
    }
    log.printf(Locale.ROOT, "%d runs in the plan, %d done before; %d to run on %d originals%n",
        total, done, total - done, todo.size());
    log.flush();
    int ran = 0;
    int failed = 0;
    if (!todo.isEmpty()) {
      String dir = out.toString();
      // largest first: Spark starts partitions in order, and the tasks differ in size by two
      // orders of magnitude, so a large one started last would make the tail
      Comparator<Map.Entry<OriginalSpec, List<RecoveryRequest>>> largestFirst =
          Comparator.comparingDouble(e -> -cost(e.getKey()) * e.getValue().size());
      List<Map.Entry<OriginalSpec, List<RecoveryRequest>>> order = todo.entrySet().stream()
          .sorted(largestFirst).toList();
      List<OriginalTask> stage1 = order.stream().map(e -> new OriginalTask(e.getKey(), dir))
          .toList();
      EngineFactory f = engines;
      sc.setJobGroup("ablation-originals", "train " + stage1.size() + " originals", false);
      List<TaskReport> trained = sc.parallelize(stage1, stage1.size())
          .map(t -> SparkTasks.original(f, t)).collect();
      Map<String, String> errors = new HashMap<>();
      for (TaskReport r : trained) {
        log.printf(Locale.ROOT, "  original %s: %s (%.1f s)%n", r.original(),
            r.failure().map(e -> "FAILED, " + e).orElse("ready"), r.seconds());
        r.failure().ifPresent(e -> errors.put(r.contentHash(), e));
      }
      List<RecoveryTask> stage2 = new ArrayList<>();
      for (Map.Entry<OriginalSpec, List<RecoveryRequest>> e : order) {
        List<RecoveryRequest> runs = e.getValue();
        for (int i = 0; i < runs.size(); i += runsPerTask) {
          stage2.add(new RecoveryTask(e.getKey(),
              runs.subList(i, Math.min(runs.size(), i + runsPerTask)), dir,
              errors.get(e.getKey().contentHash())));
        }
      }
      sc.setJobGroup("ablation-recoveries", "recover " + (total - done) + " runs", false);
      List<TaskReport> recovered = sc.parallelize(stage2, stage2.size())
          .map(t -> SparkTasks.recoveries(f, t)).collect();
      for (TaskReport r : recovered) {
        ran += r.ran();
        failed += r.failed();
        log.printf(Locale.ROOT, "  recoveries of %s: %d run, %d failed, %d already written "
            + "(%.1f s)%n", r.original(), r.ran(), r.failed(), r.skipped(), r.seconds());
      }
      sc.clearJobGroup();
    }
    // the records the executors wrote are the truth: reopen to read them all
    ResultStore all = ResultStore.open(out, plan, true);
    all.writeResults();
    Report.write(out, all.records(), all.failures(), Report.criterion(plan.training()));
    log.printf(Locale.ROOT, "%d runs in %s (%d run now, %d failed); see %s%n",
        all.records().size() + all.failures().size(), out, ran, failed,
        out.resolve(Report.FILE));
    log.flush();
    return new Submission(total, done, ran, failed, todo.size());
  }

  /** A step's relative cost: blocks × D² (twice the blocks for an encoder-decoder). */
  static double cost(OriginalSpec o) {
    double d = o.model().dModel();
    int stacks = o.model().arch() == Architecture.ENCODER_DECODER ? 2 : 1;
    return stacks * o.model().nLayers() * d * d;
  }
}
