package dev.ablation.api.recovery;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a process's CPU goes, by phase of the work: thread CPU time (user + system of the
 * calling thread) charged to the innermost open {@link Phase}, summed over every thread. A study
 * prints it at the end so that "the study is slow" becomes "evaluations are 40 % of it".
 *
 * <p>Why thread CPU and a per-thread stack: a study runs one worker per core, each with one
 * native thread, so each phase's work happens on the thread that opened it; wall time would
 * count a worker's waits and the other worker's load. Phases nest: an evaluation inside a
 * recovery is charged to the evaluation, and the recovery's clock resumes when it ends, so
 * every nanosecond is charged once. A {@link Phase#absorbing() absorbing} phase
 * ({@link Phase#SCRATCH}) keeps what runs inside it: {@code T_scratch} reuses the recovery loop,
 * yet it is its own line of the account.
 *
 * <p>The totals are process-wide (one account per JVM): take a {@link #snapshot()} before and
 * after and subtract. CPU outside every phase (the JIT, the collector, loading, the main thread)
 * is not charged; compare with {@link #processCpuNanos()} to see it.
 *
 * <pre>{@code
 * try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.RECOVERY_EVALUATION)) {
 *   loss = evaluator.meanLoss(validation);
 * }
 * }</pre>
 */
public final class CpuAccount {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final LongAdder[] TOTALS = new LongAdder[Phase.values().length];
  private static final ThreadLocal<Deque<Frame>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

  static {
    for (int i = 0; i < TOTALS.length; i++) {
      TOTALS[i] = new LongAdder();
    }
  }

  private CpuAccount() {}

  /** A phase of a study's work; its {@link #key()} is the name in results.json. */
  public enum Phase {
    /** The originals' optimiser steps. */
    ORIGINAL_TRAINING("original_training", false),
    /** The originals' validation passes (their curve, L*, σ, T_orig). */
    ORIGINAL_EVALUATION("original_evaluation", true),
    /** A recovery's set-up and tear-down: wipe, freeze, graphs, optimiser state, restore. */
    RECOVERY_SETUP("recovery_setup", false),
    /**
     * A recovery's first optimiser step: the step itself plus what its first call builds (the
     * gradient function, the fast path's check), the fixed cost of a run.
     */
    RECOVERY_FIRST_STEP("recovery_first_step", false),
    /** A recovery's optimiser steps after the first. */
    RECOVERY_STEPS("recovery_steps", false),
    /** A recovery's scheduled validation passes. */
    RECOVERY_EVALUATION("recovery_evaluation", true),
    /** Validation passes on kept copies of the weights, resolving T_ε to the step. */
    RECOVERY_SEARCH("recovery_search", true),
    /** The step-0 damage: the original's loss, L₀ and the loss with the layer deleted. */
    DAMAGE("damage", true),
    /** Agreement with the original at the end of a recovery. */
    FIDELITY("fidelity", true),
    /** {@code T_scratch}: a fresh model trained to the target, evaluations included. */
    SCRATCH("scratch", false) {
      @Override
      public boolean absorbing() {
        return true;
      }
    },
    /** Writing the report and its plots. */
    REPORT("report", false);

    private final String key;
    private final boolean evaluation;

    Phase(String key, boolean evaluation) {
      this.key = key;
      this.evaluation = evaluation;
    }

    /** The phase's name in files. */
    public String key() {
      return key;
    }

    /** Whether the phase is validation passes (forward only, no gradient). */
    public boolean evaluation() {
      return evaluation;
    }

    /** Whether phases opened inside this one are charged to it. */
    public boolean absorbing() {
      return false;
    }
  }

  /** An open phase; closing it charges its CPU and resumes the enclosing phase's clock. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  private static final class Frame implements Scope {
    private final Phase phase;
    private final Deque<Frame> stack;
    private long since;
    private boolean closed;

    Frame(Phase phase, Deque<Frame> stack, long since) {
      this.phase = phase;
      this.stack = stack;
      this.since = since;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (stack.peek() != this) {
        throw new IllegalStateException("CpuAccount scope " + phase
            + " closed out of order (open: " + stack + ")");
      }
      closed = true;
      long now = threadCpu();
      TOTALS[phase.ordinal()].add(now - since);
      stack.pop();
      Frame outer = stack.peek();
      if (outer != null) {
        outer.since = now;
      }
    }

    @Override
    public String toString() {
      return phase.key();
    }
  }

  /** Opens {@code phase} on this thread until the returned scope is closed. */
  public static Scope enter(Phase phase) {
    Deque<Frame> stack = STACK.get();
    long now = threadCpu();
    Frame outer = stack.peek();
    Phase charged = phase;
    if (outer != null) {
      TOTALS[outer.phase.ordinal()].add(now - outer.since);
      outer.since = now;
      if (outer.phase.absorbing()) {
        charged = outer.phase;
      }
    }
    Frame f = new Frame(charged, stack, now);
    stack.push(f);
    return f;
  }

  /** The CPU charged to each phase so far, process-wide. */
  public static Snapshot snapshot() {
    EnumMap<Phase, Long> m = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      m.put(p, TOTALS[p.ordinal()].sum());
    }
    return new Snapshot(m, processCpuNanos());
  }

  /** User + system CPU of the whole process so far (nanoseconds), or -1 if unavailable. */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static long threadCpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /**
   * CPU per phase and of the whole process at one moment, or (from {@link #minus}) between two.
   *
   * @param nanos CPU charged to each phase
   * @param processNanos user + system CPU of the process (-1 if unknown)
   */
  public record Snapshot(Map<Phase, Long> nanos, long processNanos) {
    /** Copies the map. */
    public Snapshot {
      EnumMap<Phase, Long> m = new EnumMap<>(Phase.class);
      for (Phase p : Phase.values()) {
        m.put(p, nanos.getOrDefault(p, 0L));
      }
      nanos = java.util.Collections.unmodifiableMap(m);
    }

    /** What was charged between {@code earlier} and this snapshot. */
    public Snapshot minus(Snapshot earlier) {
      EnumMap<Phase, Long> m = new EnumMap<>(Phase.class);
      for (Phase p : Phase.values()) {
        m.put(p, nanos.get(p) - earlier.nanos.get(p));
      }
      long proc = processNanos < 0 || earlier.processNanos < 0 ? -1
          : processNanos - earlier.processNanos;
      return new Snapshot(m, proc);
    }

    /** Seconds charged to {@code p}. */
    public double seconds(Phase p) {
      return nanos.get(p) / 1e9;
    }

    /** Seconds charged to any phase. */
    public double chargedSeconds() {
      return nanos.values().stream().mapToLong(Long::longValue).sum() / 1e9;
    }

    /** Seconds of validation passes, every kind. */
    public double evaluationSeconds() {
      double s = 0;
      for (Phase p : Phase.values()) {
        if (p.evaluation()) {
          s += seconds(p);
        }
      }
      return s;
    }

    /** The process's user + system CPU, seconds (NaN if unknown). */
    public double processSeconds() {
      return processNanos < 0 ? Double.NaN : processNanos / 1e9;
    }

    /**
     * Validation passes over the process's CPU: how much of the machine answering the question
     * went to measuring it ({@code study_eval_cpu_share}).
     */
    public double evaluationShare() {
      return evaluationSeconds() / processSeconds();
    }

    /** One aligned line per phase, then the unattributed rest and the evaluation share. */
    public java.util.List<String> lines() {
      java.util.List<String> out = new java.util.ArrayList<>();
      double total = processSeconds();
      for (Phase p : Phase.values()) {
        out.add(String.format(Locale.ROOT, "  %-20s %9.1f s  %5.1f %%", p.key(), seconds(p),
            100 * seconds(p) / total));
      }
      out.add(String.format(Locale.ROOT, "  %-20s %9.1f s  %5.1f %%", "other (jit, gc, io)",
          total - chargedSeconds(), 100 * (total - chargedSeconds()) / total));
      out.add(String.format(Locale.ROOT, "  %-20s %9.1f s", "process cpu", total));
      out.add(String.format(Locale.ROOT, "  %-20s %9.3f", "eval cpu share", evaluationShare()));
      return out;
    }
  }
}
