package dev.ablation.study;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.LayerPath;
import dev.ablation.api.recovery.ReferenceBudget;
import java.util.List;

/**
 * A trained original as the study sees it. The weights stay inside the engine; the engine
 * finds them again by {@link OriginalSpec#contentHash()}.
 *
 * @param spec what it was trained from
 * @param lossOriginal {@code L*}: validation loss on the held-out split
 * @param reference {@code B_ref = S × E} examples and tokens
 * @param layers the model's layer paths, in model order
 */
public record Original(OriginalSpec spec, double lossOriginal, ReferenceBudget reference,
    List<LayerPath> layers) {

  /** Validates and copies. */
  public Original {
    if (spec == null || reference == null || layers == null) {
      throw new IllegalArgumentException("spec, reference and layers are required");
    }
    if (!Double.isFinite(lossOriginal)) {
      throw new IllegalArgumentException("L* must be finite, got " + lossOriginal);
    }
    layers = ImmutableList.copyOf(layers);
  }
}
