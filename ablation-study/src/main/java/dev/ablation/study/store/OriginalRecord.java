package dev.ablation.study.store;

import dev.ablation.study.plan.OriginalSpec;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.LayerPath;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.ReferenceCost;
import java.util.List;
import java.util.OptionalLong;

/**
 * A trained original as the study sees it. The weights stay inside the engine; the engine
 * finds them again by {@link OriginalSpec#contentHash()}.
 *
 * @param spec what it was trained from
 * @param lossOriginal {@code L*}: mean validation loss of the original's last k evaluations
 * @param reference {@code B_ref = S × E} examples and tokens: what training took
 * @param layers the model's layer paths, in model order
 * @param lossSd σ: the spread (sample standard deviation) of those k evaluations, ≥ 0
 * @param curve the original's validation curve (smoothed loss NaN), the first point at step 0
 */
public record OriginalRecord(OriginalSpec spec, double lossOriginal, ReferenceCost reference,
    List<LayerPath> layers, double lossSd, List<CurvePoint> curve) {

  /** An original whose curve and noise level are unknown (σ = 0). */
  public OriginalRecord(OriginalSpec spec, double lossOriginal, ReferenceCost reference,
      List<LayerPath> layers) {
    this(spec, lossOriginal, reference, layers, 0, List.of());
  }

  /** Validates and copies. */
  public OriginalRecord {
    if (spec == null || reference == null || layers == null) {
      throw new IllegalArgumentException("spec, reference and layers are required");
    }
    if (!Double.isFinite(lossOriginal)) {
      throw new IllegalArgumentException("L* must be finite, got " + lossOriginal);
    }
    if (!(lossSd >= 0) || curve == null) {
      throw new IllegalArgumentException("sigma must be >= 0 and the curve present, got "
          + lossSd);
    }
    layers = ImmutableList.copyOf(layers);
    curve = ImmutableList.copyOf(curve);
  }

  /**
   * {@code T_orig}: the examples the original itself first needed to reach {@code targetLoss}
   * (the first point of its curve at or under it); empty when its curve never does.
   */
  public OptionalLong examplesToReach(double targetLoss) {
    for (CurvePoint p : curve) {
      if (p.loss() <= targetLoss) {
        return OptionalLong.of(p.examples());
      }
    }
    return OptionalLong.empty();
  }
}
