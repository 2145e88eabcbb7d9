package dev.ablation.api;

import java.util.List;

/**
 * A wipe applied to a model, with the means to undo it. Returned by
 * {@link LayerSurgeon#wipe}; undoing restores the values and trainable set from before the wipe.
 */
public interface Surgery {

  /** The layers that were wiped. */
  List<LayerPath> layers();

  /** The scheme used. */
  ReinitScheme scheme();

  /** The seed the wipe drew from. */
  long seed();

  /** Restores the model to exactly its state before this surgery. */
  void undo();
}
