package dev.ablation.api;

/** The role of a layer in the model; freeze policies and the study select layers by it. */
public enum LayerKind {
  /** Token or position embeddings ({@code embed}, {@code pos_embed}). */
  EMBEDDING,
  /** One transformer block of a stack ({@code blocks.3}, {@code decoder.blocks.0}). */
  BLOCK,
  /** A part of a block addressed on its own ({@code decoder.blocks.0.cross_attn}). */
  SUBLAYER,
  /** Anything between the last block and the logits ({@code ln_final}, {@code unembed}, a projection). */
  HEAD,
  /** Any other parameterised layer, e.g. the projection between encoder and decoder widths. */
  OTHER
}
