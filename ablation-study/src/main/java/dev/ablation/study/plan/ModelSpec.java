package dev.ablation.study.plan;

import dev.ablation.api.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of one original model: architecture, depth N ({@code n_layers}, per stack for
 * encoder-decoders), width D ({@code d_model}) and heads.
 *
 * @param arch the architecture
 * @param nLayers blocks per stack, ≥ 1
 * @param dModel residual width, a multiple of {@code nHeads}
 * @param nHeads attention heads, ≥ 1
 */
public record ModelSpec(Architecture arch, int nLayers, int dModel, int nHeads) implements java.io.Serializable {

  /** Validates the shape, naming every bad value at once. */
  public ModelSpec {
    List<String> problems = problems(arch, nLayers, dModel, nHeads);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** What is wrong with this shape, one message per problem; empty when valid. */
  public static List<String> problems(Architecture arch, int nLayers, int dModel, int nHeads) {
    List<String> out = new ArrayList<>();
    if (arch == null) {
      out.add("arch is required; valid: " + Architecture.keys());
    }
    if (nLayers < 1) {
      out.add("n_layers must be >= 1, got " + nLayers);
    }
    if (nHeads < 1) {
      out.add("n_heads must be >= 1, got " + nHeads);
    }
    if (dModel < 1) {
      out.add("d_model must be >= 1, got " + dModel);
    } else if (nHeads >= 1 && dModel % nHeads != 0) {
      out.add(String.format(Locale.ROOT,
          "d_model %d is not divisible by n_heads %d (use a multiple of %d, e.g. %d)",
          dModel, nHeads, nHeads, Math.max(nHeads, dModel / nHeads * nHeads)));
    }
    return out;
  }

  /** The width of the replacement encoder in the swap experiment: half, or double if half does not split into heads. */
  public int swapWidth() {
    int half = dModel / 2;
    return half >= nHeads && half % nHeads == 0 ? half : dModel * 2;
  }

  /**
   * What the study wipes in a model of this shape, in model order: every block of the stack
   * (decoder-only, encoder-only), or for an encoder-decoder every decoder block, all
   * cross-attention at once, and a fresh encoder of another width.
   */
  public List<WipeTarget> targets() {
    List<WipeTarget> out = new ArrayList<>();
    if (arch == Architecture.ENCODER_DECODER) {
      for (int i = 0; i < nLayers; i++) {
        out.add(WipeTarget.block("decoder.blocks", i));
      }
      out.add(WipeTarget.allCrossAttention(nLayers));
      out.add(WipeTarget.swapEncoder(swapWidth()));
    } else {
      for (int i = 0; i < nLayers; i++) {
        out.add(WipeTarget.block("blocks", i));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s N=%d D=%d H=%d", arch.key(), nLayers, dModel, nHeads);
  }
}
