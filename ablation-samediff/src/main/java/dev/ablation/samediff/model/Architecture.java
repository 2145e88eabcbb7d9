package dev.ablation.samediff.model;

/** The three reference transformer shapes. */
public enum Architecture {
  /** A causal language model: one stack of blocks with causal self-attention. */
  DECODER_ONLY,
  /** A masked language model: one stack of blocks with bidirectional self-attention. */
  ENCODER_ONLY,
  /**
   * An encoder stack and a decoder stack (causal self-attention, cross-attention to the
   * encoder's output, FFN); the stacks may differ in depth and width.
   */
  ENCODER_DECODER
}
