package dev.ablation.spark;

import com.google.common.collect.ImmutableList;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Stage 2 of a Spark study, one task: the runs of one original still to do, so the task loads
 * that original once.
 *
 * @param spec the original
 * @param runs the runs not yet done, in plan order
 * @param out the study's output directory, on a filesystem every executor sees
 * @param originalError why stage 1 could not train the original, or null when it could: every
 *     run then becomes a {@code FAILED} row with this error instead of training it again (a
 *     field, not an {@link Optional}, which is not serialisable)
 */
public record RecoveryTask(OriginalSpec spec, List<RecoveryRequest> runs, String out,
    String originalError) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Copies the runs. */
  public RecoveryTask {
    runs = ImmutableList.copyOf(runs);
  }

  /** Why stage 1 could not train the original, if it could not. */
  public Optional<String> failure() {
    return Optional.ofNullable(originalError);
  }
}
