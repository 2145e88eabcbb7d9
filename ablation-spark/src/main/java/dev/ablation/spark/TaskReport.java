package dev.ablation.spark;

import java.io.Serializable;
import java.util.Optional;

/**
 * What a task tells the driver: counts and an error text, never results (those are the
 * record files the task wrote).
 *
 * @param original the original's description
 * @param contentHash the original's content hash
 * @param ran runs this task ran (including those that failed)
 * @param failed runs that ended as {@code FAILED}
 * @param skipped runs a previous attempt of this task had already written
 * @param seconds the task's wall time
 * @param error why the original could not be trained (stage 1 only), or null
 */
public record TaskReport(String original, String contentHash, int ran, int failed, int skipped,
    double seconds, String error) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Why the original could not be trained, if it could not. */
  public Optional<String> failure() {
    return Optional.ofNullable(error);
  }
}
