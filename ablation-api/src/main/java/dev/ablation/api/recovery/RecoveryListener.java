package dev.ablation.api.recovery;

import dev.ablation.api.ParameterPath;
import java.util.Set;

/**
 * Observes a recovery run: progress bars, logging, live plots. Every method has a no-op
 * default, so implement only what you need. Listeners observe; they never stop training
 * (the criterion and budget do).
 */
public interface RecoveryListener {

  /** After each training step, with that step's training loss (NaN if not computed). */
  default void onStep(long step, double trainingLoss) {}

  /** After each evaluation, including the one at step 0. */
  default void onEvaluation(CurvePoint point) {}

  /** When a freeze schedule changes the trainable set. */
  default void onTrainableChanged(long step, Set<ParameterPath> trainable) {}

  /** Once, with the result. */
  default void onFinish(RecoveryResult result) {}

  /** A listener that does nothing. */
  static RecoveryListener none() {
    return new RecoveryListener() {};
  }
}
