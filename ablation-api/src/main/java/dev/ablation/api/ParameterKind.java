package dev.ablation.api;

/**
 * What a parameter does, as declared by the layer map. Freeze policies such as
 * {@link FreezePolicy#wipedPlusLayerNorms()} and reinit schemes (layer norms reset to γ=1,
 * β=0; {@link ReinitScheme#zeroOutput()} zeroes output projections) select by kind, never by
 * matching names.
 */
public enum ParameterKind {
  /** A weight matrix that is not a block's output projection, e.g. {@code W_Q}, {@code W_in}. */
  WEIGHT,
  /**
   * A projection whose output is added to the residual stream ({@code attn.W_O},
   * {@code mlp.W_out}). Zeroing these (and their biases) turns a pre-LN block into the identity.
   */
  OUTPUT_WEIGHT,
  /** A bias vector of a {@link #WEIGHT}. */
  BIAS,
  /** A bias added to the residual stream together with an {@link #OUTPUT_WEIGHT}. */
  OUTPUT_BIAS,
  /** A layer-norm gain γ (reset to 1). */
  NORM_GAIN,
  /** A layer-norm shift β (reset to 0). */
  NORM_BIAS,
  /** A token or position embedding table. */
  EMBEDDING;

  /** Whether this is one of the two layer-norm parameter kinds. */
  public boolean isNorm() {
    return this == NORM_GAIN || this == NORM_BIAS;
  }

  /** Whether this parameter writes into the residual stream. */
  public boolean isOutput() {
    return this == OUTPUT_WEIGHT || this == OUTPUT_BIAS;
  }
}
