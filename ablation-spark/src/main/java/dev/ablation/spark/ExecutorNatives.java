package dev.ablation.spark;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, once per executor JVM, that the native libraries are set up the way
 * {@code docs/distributed.md} asks: as many native (OpenMP) threads per task as the task has
 * CPUs ({@code spark.task.cpus}), and a JavaCPP cache directory of the executor's own.
 *
 * <p>Why it only warns: both are fixed before the task starts (OpenMP reads
 * {@code OMP_NUM_THREADS} when ND4J loads, JavaCPP reads its cache directory when it first
 * extracts a library), so a task can no longer change them; it can say what is wrong and how
 * to set it ({@code spark.executorEnv.OMP_NUM_THREADS},
 * {@code spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.cachedir=...}). Too many
 * threads oversubscribe the executor's cores (measured on this project's 2-core machine: a
 * step 10x slower when spinning OpenMP threads share a core).
 */
final class ExecutorNatives {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorNatives.class);
  private static final AtomicBoolean CHECKED = new AtomicBoolean();

  /** The JavaCPP system property naming its cache directory. */
  static final String CACHE_DIR = "org.bytedeco.javacpp.cachedir";

  private ExecutorNatives() {}

  /** Logs a warning for each setting that is off; does nothing after the first call. */
  static void check() {
    if (!CHECKED.compareAndSet(false, true)) {
      return;
    }
    TaskContext tc = TaskContext.get();
    int cpus = tc == null ? 1 : tc.cpus();
    String omp = System.getenv("OMP_NUM_THREADS");
    if (omp == null || !omp.strip().equals(Integer.toString(cpus))) {
      LOG.warn("OMP_NUM_THREADS is {} on this executor but a task has spark.task.cpus={}: set "
          + "spark.executorEnv.OMP_NUM_THREADS={} so each task's native ops use exactly its "
          + "cores", omp == null ? "unset (one thread per core)" : omp, cpus, cpus);
    }
    if (System.getProperty(CACHE_DIR) == null) {
      LOG.info("{} is not set: JavaCPP extracts the native libraries into ~/.javacpp/cache, "
          + "shared by every executor of this user on this host; see docs/distributed.md",
          CACHE_DIR);
    }
  }
}
