package dev.ablation.study.engine;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * One native thread per study worker, set from code. A study runs independent recoveries on
 * every core instead: on this project's measurements a second OpenMP thread made a step
 * slower, and two multi-threaded workers would fight over the same cores.
 *
 * <p>ND4J 1.0.0-M2.1 has three thread settings, and this sets all of them: libnd4j's own pool
 * ({@code Environment.setMaxThreads}/{@code setMaxMasterThreads}, process-wide), the BLAS
 * library's ({@code Blas.setMaxThreads}, process-wide) and OpenMP's, which
 * {@code omp_set_num_threads} sets for the calling thread only — hence a call on every worker
 * thread, before its first op.
 */
public final class NativeThreads {
  private NativeThreads() {}

  /** Limits ND4J to one native thread for the calling thread's ops (and the process's pools). */
  public static void useOneOnThisThread() {
    Nd4j.getEnvironment().setMaxThreads(1);
    Nd4j.getEnvironment().setMaxMasterThreads(1);
    Nd4j.factory().blas().setMaxThreads(1);
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
  }

  /** OpenMP's thread limit for the calling thread, as the native library reports it. */
  public static int openMpMaxThreads() {
    return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
  }
}
