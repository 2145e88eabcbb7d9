package dev.ablation.samediff.model;

/** Where a block's layer norms sit relative to the residual connections. */
public enum NormPosition {
  /**
   * {@code x + f(LN(x))} (GPT-2 and later), with a final layer norm {@code ln_final} after the
   * stack. Zeroing a block's output projections makes the block the identity.
   */
  PRE_LN,
  /**
   * {@code LN(x + f(x))} (the original Transformer, BERT); no {@code ln_final}, since every
   * block already ends in a layer norm.
   */
  POST_LN
}
