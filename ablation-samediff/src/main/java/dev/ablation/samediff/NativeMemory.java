package dev.ablation.samediff;

import java.lang.reflect.Method;
import org.bytedeco.javacpp.Pointer;

/**
 * Hands memory that was freed back to the operating system, at the end of a unit of work.
 *
 * <p>Why: freeing an off-heap array returns its bytes to the C allocator, not to the system.
 * glibc keeps them in its per-thread arenas and returns them only when the top of an arena is
 * free, so a process whose native threads allocate and free hundreds of megabytes per run
 * (a study's workers) keeps its resident set near its high-water mark although almost nothing
 * is in use. Measured on the default preset's first seed at two workers: 2.0 GB resident
 * before one {@code malloc_trim(0)}, 1.4 GB after. JavaCPP wraps {@code malloc_trim} as
 * {@code Pointer.trimMemory()}, which it calls itself only when it is about to throw
 * {@code OutOfMemoryError}; it is private, so it is reached here by reflection, and a JavaCPP
 * without it makes {@link #trim} a no-op.
 */
public final class NativeMemory {
  private static final Method TRIM = trimMethod();

  private NativeMemory() {}

  /**
   * Returns freed native memory to the system ({@code malloc_trim(0)} on Linux; nothing
   * elsewhere). It costs a walk over the allocator's free lists (milliseconds): call it when a
   * run ends, not per step.
   *
   * @return whether the allocator gave memory back (false where unsupported)
   */
  public static boolean trim() {
    if (TRIM == null) {
      return false;
    }
    try {
      return (Boolean) TRIM.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static Method trimMethod() {
    try {
      Method m = Pointer.class.getDeclaredMethod("trimMemory");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
