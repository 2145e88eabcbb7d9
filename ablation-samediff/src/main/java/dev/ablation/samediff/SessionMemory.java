package dev.ablation.samediff;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;

/**
 * Gives back, at a moment the caller chooses, the native memory that SameDiff 1.0.0-M2.1's
 * inference sessions of a graph hold between calls.
 *
 * <p>Why: each {@link SameDiff} keeps one {@link InferenceSession} per thread, whose array
 * cache ({@code ArrayCacheMemoryMgr}) keeps the op outputs of the last call for the next one,
 * up to a quarter of {@code Pointer.maxBytes()} (about a quarter of {@code -Xmx}). A graph made
 * for one recovery (the fast path's split parts) or one original is dropped when that work
 * ends, but its cached arrays are freed only when the garbage collector finds the graph
 * unreachable — with a large heap and small Java objects, many minutes later. A study that
 * left them there grew to gigabytes resident. {@link #release} closes them when the work
 * ends. Separately, every session records the id of every array it ever released
 * ({@code freedArrays}, never cleared in M2.1): a graph evaluated every few steps for a
 * whole study accumulates millions of boxed ids on the heap. {@link #forgetReleasedIds}
 * clears them between calls, when no array of the finished call is pending (ids are unique
 * and a reused array gets a new one, so nothing is released twice).
 */
public final class SessionMemory {
  private static final Field FREED_ARRAYS = freedArraysField();

  private SessionMemory() {}

  /**
   * Closes the cached arrays of every session of {@code graph} (and of its gradient function)
   * and drops the sessions; the graph's own variables, constants and placeholders are not
   * touched, and a later call on the graph simply starts a new session. Arrays a caller got
   * back from an earlier call are the caller's and stay valid.
   */
  public static void release(SameDiff graph) {
    if (graph == null) {
      return;
    }
    releaseSessions(graph);
    SameDiff grad = graph.getFunction("grad");
    if (grad != null) {
      releaseSessions(grad);
    }
  }

  private static void releaseSessions(SameDiff graph) {
    Map<Long, InferenceSession> sessions = graph.getSessions();
    Collection<InferenceSession> all = new ArrayList<>(sessions.values());
    sessions.clear();
    for (InferenceSession s : all) {
      SessionMemMgr m = s.getMmgr();
      if (m != null) {
        m.close();
      }
      forget(s);
    }
  }

  /**
   * Clears the released-array ids that the calling thread's session of {@code graph}
   * accumulates (see the class comment). Call between graph calls, never during one.
   */
  public static void forgetReleasedIds(SameDiff graph) {
    InferenceSession s = graph.getSessions().get(Thread.currentThread().getId());
    if (s != null) {
      forget(s);
    }
  }

  private static void forget(InferenceSession s) {
    if (FREED_ARRAYS == null) {
      return;
    }
    try {
      ((Collection<?>) FREED_ARRAYS.get(s)).clear();
    } catch (IllegalAccessException | ClassCastException e) {
      // another ND4J: nothing to clear
    }
  }

  private static Field freedArraysField() {
    try {
      Field f = InferenceSession.class.getDeclaredField("freedArrays");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // another ND4J version: the leak it works around may not exist there
    }
  }

  /** For tests: the number of released ids the calling thread's session holds, or -1. */
  static int releasedIds(SameDiff graph) {
    InferenceSession s = graph.getSessions().get(Thread.currentThread().getId());
    if (s == null || FREED_ARRAYS == null) {
      return -1;
    }
    try {
      return ((Collection<?>) FREED_ARRAYS.get(s)).size();
    } catch (IllegalAccessException e) {
      return -1;
    }
  }

}
