package dev.ablation.spark;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, once per executor JVM, that the executor is set up the way
 * {@code docs/distributed.md} asks, and says in the executor's log what to change.
 *
 * <p>Threads: the SameDiff engine limits the thread that opens it (the task's) to one native
 * thread, from code ({@code NativeThreads}), so a task uses one core whatever
 * {@code OMP_NUM_THREADS} says; {@code spark.task.cpus} above 1 would leave cores idle. Cache:
 * JavaCPP extracts its libraries into {@code ~/.javacpp/cache} unless
 * {@code org.bytedeco.javacpp.cachedir} names another directory; a task cannot change that any
 * more (it is read at the first extraction), so it only says so.
 */
final class ExecutorNatives {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorNatives.class);
  private static final AtomicBoolean CHECKED = new AtomicBoolean();

  /** The JavaCPP system property naming its cache directory. */
  static final String CACHE_DIR = "org.bytedeco.javacpp.cachedir";

  private ExecutorNatives() {}

  /** Logs what is off; does nothing after the first call in this JVM. */
  static void check() {
    if (!CHECKED.compareAndSet(false, true)) {
      return;
    }
    TaskContext tc = TaskContext.get();
    int cpus = tc == null ? 1 : tc.cpus();
    if (cpus != 1) {
      LOG.warn("spark.task.cpus={}, but a study task runs one native thread: {} of its cores "
          + "stay idle; set spark.task.cpus=1 and let spark.executor.cores run that many tasks",
          cpus, cpus - 1);
    }
    if (System.getProperty(CACHE_DIR) == null) {
      LOG.info("{} is not set: JavaCPP extracts the native libraries into ~/.javacpp/cache, "
          + "shared by every executor of this user on this host; see docs/distributed.md",
          CACHE_DIR);
    }
  }
}
