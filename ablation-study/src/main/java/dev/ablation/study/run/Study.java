package dev.ablation.study.run;

import dev.ablation.api.recovery.CpuAccount;

import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.store.PopulationChoice;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.store.StudyBuild;
import dev.ablation.study.store.StudyLock;
import dev.ablation.study.plan.StudyPlan;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Runs a plan on one or more workers. Each original is trained once (or loaded from the
 * engine's cache); its {@code T_scratch} measurement and its recovery runs wait for it and then
 * run concurrently, one job per worker, each worker on an engine of its own. Every run is
 * stored as it finishes; runs already in the store are skipped, so a killed study resumes
 * where it stopped.
 *
 * <p>Results do not depend on scheduling: a job's numbers depend only on its spec and request
 * (the {@link StudyEngine} contract), a run's row waits for its original's {@code T_scratch},
 * and the store writes its files in key order. Workers take the earliest ready job in plan
 * order, so the originals of a study finish one after another rather than all at the end.
 */
public final class Study {
  private final StudyPlan plan;
  private final ResultStore store;
  private final Progress progress;
  private final int workers;
  private final Engines engines;

  /**
   * Where a study's engines come from: one the caller opened and keeps (one worker, the
   * calling thread), or one per worker opened from a factory on the worker's thread. One field
   * of this type replaces two nullable ones, so neither constructor leaves a field null.
   */
  private sealed interface Engines {
    /** The caller's engine, used on the calling thread and left open. */
    record Given(StudyEngine engine) implements Engines {}

    /** A factory and the folder its engines cache originals in (shared by the workers). */
    record Opened(StudyEngine.Factory factory, Path cacheDir) implements Engines {}
  }

  /**
   * A study of {@code plan} on {@code engine}, one job at a time on the calling thread,
   * storing into {@code store}. The engine stays open: the caller closes it.
   */
  public Study(StudyPlan plan, StudyEngine engine, ResultStore store, Progress progress) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.engines = new Engines.Given(Objects.requireNonNull(engine, "engine"));
    this.store = Objects.requireNonNull(store, "store");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.workers = 1;
  }

  /**
   * A study of {@code plan} on {@code workers} threads, each opening its own engine from
   * {@code engines} (on that thread, which alone then uses it) and closing it at the end.
   *
   * @param cacheDir where engines may cache originals (shared by the workers)
   * @param workers jobs at once, ≥ 1; {@link #defaultWorkers()} uses every core
   * @throws IllegalArgumentException if {@code workers < 1}
   */
  public Study(StudyPlan plan, StudyEngine.Factory engines, Path cacheDir, int workers,
      ResultStore store, Progress progress) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    this.plan = Objects.requireNonNull(plan, "plan");
    this.engines = new Engines.Opened(Objects.requireNonNull(engines, "engines"),
        Objects.requireNonNull(cacheDir, "cacheDir"));
    this.store = Objects.requireNonNull(store, "store");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.workers = workers;
  }

  /**
   * How {@link #runInto} runs a study.
   *
   * @param workers jobs at once, ≥ 1
   * @param resume whether to finish the study already in the directory (else it must hold none)
   * @param progress what the person watching sees
   * @param force resume even a study made by another build (see {@link StudyBuild})
   */
  public record Options(int workers, boolean resume, Progress progress, boolean force) {
    /** Validates. */
    public Options {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, got " + workers);
      }
      Objects.requireNonNull(progress, "progress");
    }

    /** Options that refuse to resume a study made by another build. */
    public Options(int workers, boolean resume, Progress progress) {
      this(workers, resume, progress, false);
    }

    /** These options resuming (or not) a study made by another build. */
    public Options withForce(boolean f) {
      return new Options(workers, resume, progress, f);
    }

    /** Every core ({@link #defaultWorkers()}), a fresh directory, no progress output. */
    public static Options defaults() {
      return new Options(defaultWorkers(), false, Progress.none());
    }

    /** These options with {@code n} workers. */
    public Options withWorkers(int n) {
      return new Options(n, resume, progress, force);
    }

    /** These options resuming (or not) the study in the directory. */
    public Options withResume(boolean r) {
      return new Options(workers, r, progress, force);
    }

    /** These options reporting to {@code p}. */
    public Options withProgress(Progress p) {
      return new Options(workers, resume, p, force);
    }
  }

  /**
   * What {@link #runInto} did.
   *
   * @param dir the study's directory
   * @param ran recovery runs this call ran
   * @param records every run in the directory, in key order
   * @param tornBytesDropped bytes of a torn last CSV line a previous kill left (0 if none)
   * @param notices what opening the directory found worth telling (a stale lock taken over, a
   *     resume on another build)
   */
  public record Outcome(Path dir, int ran, List<RunRecord> records, long tornBytesDropped,
      List<String> notices) {
    /** Copies the lists. */
    public Outcome {
      records = List.copyOf(records);
      notices = List.copyOf(notices);
    }

    /** An outcome without notices. */
    public Outcome(Path dir, int ran, List<RunRecord> records, long tornBytesDropped) {
      this(dir, ran, records, tornBytesDropped, List.of());
    }
  }

  /**
   * Runs {@code plan} into {@code dir}, start to finish: opens the store (resuming when asked),
   * runs what is left on {@link Options#workers()} workers with engines from {@code engines}
   * (originals cached under {@code dir/originals}), then writes {@code results.csv} and
   * {@code results.json}. {@code Report.write} turns the outcome into {@code report.md}. One
   * engine is opened and closed first, so an engine that cannot open leaves {@code dir} as it
   * was.
   *
   * <p>One writer per directory: the study holds {@code dir}'s {@link StudyLock} throughout,
   * so a second study on the same directory is refused with the holder named.
   *
   * @throws StudyLock.LockedException if another live study holds {@code dir}
   * @throws IllegalStateException if {@code dir} holds results and resume is off, or holds
   *     results of other settings, or of another build without {@link Options#force()}
   */
  public static Outcome runInto(Path dir, StudyPlan plan, StudyEngine.Factory engines,
      Options options) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    try (StudyLock lock = StudyLock.acquire(dir)) {
      List<String> notices = new ArrayList<>();
      lock.tookOverFrom().ifPresent(h -> notices.add("took over the lock of a study that is "
          + "gone (" + h + ")"));
      // an engine that cannot open fails here, before the directory is touched
      StudyBuild build;
      try (StudyEngine first = engines.open(dir.resolve(ORIGINALS))) {
        build = StudyBuild.of(first.build());
      }
      ResultStore store = ResultStore.open(dir, plan, options.resume(), build, options.force());
      notices.addAll(store.notices());
      notices.forEach(n -> LOG.log(System.Logger.Level.WARNING, n));
      CpuAccount.Snapshot start = CpuAccount.snapshot();
      int ran = new Study(plan, engines, dir.resolve(ORIGINALS), options.workers(), store,
          options.progress()).run();
      store.writeResults();
      CpuAccount.Snapshot account = CpuAccount.snapshot().minus(start);
      ResultStore.writeAccount(dir, account);
      account.lines().forEach(line -> LOG.log(System.Logger.Level.INFO, "cpu account:" + line));
      return new Outcome(dir, ran, store.records(), store.tornBytesDropped(), notices);
    }
  }

  private static final System.Logger LOG = System.getLogger(Study.class.getName());

  /** The folder of a study's directory where engines cache trained originals. */
  public static final String ORIGINALS = "originals";

  /** One worker per core this JVM may use: the default of {@code --workers}. */
  public static int defaultWorkers() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Runs everything not yet done. If a job throws, the other workers finish the job they are
   * on (and store it), take no more, and the first failure is rethrown; what was stored stays,
   * so a rerun with resume finishes the rest.
   *
   * @return how many recovery runs this call ran and stored
   */
  public int run() {
    List<StudyJob> jobs = StudyJobs.pending(plan, store);
    int total = plan.totalRuns();
    int left = (int) jobs.stream().filter(j -> j instanceof StudyJob.Recover).count();
    StudyScheduler s = new StudyScheduler(jobs, store, progress);
    progress.start(total, total - left, workers);
    try {
      if (engines instanceof Engines.Given given) {
        work(s, given.engine());
      } else {
        Engines.Opened opened = (Engines.Opened) engines;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
          Thread t = new Thread(() -> {
            try (StudyEngine e = opened.factory().open(opened.cacheDir())) {
              work(s, e);
            } catch (Throwable ex) {
              s.fail(ex); // opening or closing the engine failed
            }
          }, "study-worker-" + i);
          threads.add(t);
          t.start();
        }
        for (Thread t : threads) {
          joinUninterruptibly(t);
        }
      }
    } finally {
      progress.finish();
    }
    s.rethrow();
    return s.ran;
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One worker: take the next ready job, run it on this worker's engine, report it. */
  private static void work(StudyScheduler s, StudyEngine engine) {
    StudyJob job;
    while ((job = s.take()) != null) {
      long t0 = System.nanoTime();
      try {
        if (job instanceof StudyJob.TrainOriginal) {
          OriginalRecord o = StudyJobs.original(engine, job.original());
          PopulationChoice choice = engine.choosePopulation(o, s.waiting(job.original()));
          s.originalDone(job, o, choice, since(t0));
        } else if (job instanceof StudyJob.MeasureScratch) {
          OptionalLong t = StudyJobs.scratch(engine, s.original(job.original()));
          s.scratchDone(job, t, since(t0));
        } else {
          StudyJob.Recover r = (StudyJob.Recover) job;
          List<StudyJob.Recover> group = s.withMates(r);
          if (group.size() == 1) {
            RecoveryResult result = StudyJobs.recover(engine, s.original(r.original()),
                r.request(), RecoveryListener.none());
            s.recoverDone(r, result, since(t0));
          } else {
            // a population: each member is stored as soon as it is decided (resume-safe)
            List<RecoveryRequest> requests = group.stream().map(StudyJob.Recover::request)
                .toList();
            engine.recoverAll(s.original(r.original()), requests, RecoveryListener.none(),
                (i, result) -> s.recoverDone(group.get(i), result, since(t0)));
          }
        }
      } catch (Throwable e) {
        s.fail(e);
        return;
      }
    }
  }

  /** The log line of a population choice. */
  static String describe(PopulationChoice c) {
    String ratio = Double.isNaN(c.ratio()) ? "not measured"
        : String.format(java.util.Locale.ROOT, "population/single speed %.2f", c.ratio());
    return (c.chosen() ? "recoveries in populations of " + c.size()
        : "recoveries one at a time") + " (" + ratio + "; " + c.reason() + ")";
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
