package dev.ablation.samediff;

import org.nd4j.autodiff.samediff.SameDiff;

/** Test access to {@link SessionMemory}'s package-private probe. */
public final class SessionMemoryProbe {
  private SessionMemoryProbe() {}

  /** Released-array ids held by the calling thread's session of {@code graph}, or -1. */
  public static int releasedIds(SameDiff graph) {
    return SessionMemory.releasedIds(graph);
  }
}
