package dev.ablation.examples;

import dev.ablation.api.LayerPath;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryResult;
import java.util.Objects;

/**
 * What one example run measured: the recovery result, the layer it wiped, and the weights just
 * before the wipe and after the recovery, so that a reader (or a test) can check that every
 * parameter outside the wiped layer stayed exactly where it was.
 *
 * @param result verdict, ρ, step-0 damage and the recovery curve
 * @param wiped the layer that was reset
 * @param trained every parameter of the trained original, before the wipe
 * @param recovered every parameter when the recovery ended
 */
public record ExampleRun(RecoveryResult result, LayerPath wiped, WeightSnapshot trained,
    WeightSnapshot recovered) {
  /** Validates that nothing is missing. */
  public ExampleRun {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(wiped, "wiped");
    Objects.requireNonNull(trained, "trained");
    Objects.requireNonNull(recovered, "recovered");
  }
}
