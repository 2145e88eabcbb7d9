package dev.ablation.api;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Finds, wipes, re-initialises, freezes, snapshots and restores the layers of one model. The
 * API knows no tensor library: {@code ablation-samediff} implements it on any SameDiff graph,
 * and another engine could implement it without touching this interface.
 *
 * <p>Three promises, each tested as a property:
 * <ul>
 *   <li>a wipe changes exactly the parameters of the layers asked for, nothing else;
 *   <li>a frozen parameter is bit-identical after any number of training steps;
 *   <li>{@link #restore} gives back exactly the snapshot's values and trainable set.
 * </ul>
 *
 * <pre>{@code
 * WeightSnapshot before = surgeon.snapshot();
 * Surgery s = surgeon.wipe(List.of(LayerPath.parse("blocks.2")), ReinitScheme.fresh(), 42L);
 * surgeon.freeze(FreezePolicy.onlyWiped(), s.layers(), 0);
 * // ... train ...
 * s.undo();   // back to `before`, values and trainable set
 * }</pre>
 */
public interface LayerSurgeon {

  /** The layers and parameters of the model. */
  ModelLayout layout();

  /**
   * Re-initialises every parameter of {@code layers} by {@code scheme}, in place. Sublayers
   * ({@code decoder.blocks.0.cross_attn}) wipe only their own parameters.
   *
   * @param seed all randomness of the wipe derives from it
   * @return a handle that undoes the wipe (values and trainable set)
   * @throws UnknownLayerException if a layer does not exist (listing those that do)
   * @throws AblationException if the scheme cannot apply (e.g. {@code COPY_FROM} a layer of
   *     another shape), before anything is changed
   */
  Surgery wipe(Collection<LayerPath> layers, ReinitScheme scheme, long seed);

  /** {@link #wipe(Collection, ReinitScheme, long)} for one layer. */
  default Surgery wipe(LayerPath layer, ReinitScheme scheme, long seed) {
    return wipe(List.of(layer), scheme, seed);
  }

  /**
   * Makes exactly {@code trainable} trainable and everything else frozen.
   *
   * @throws NothingTrainableException if the set is empty
   * @throws IllegalArgumentException naming parameters the model does not have
   */
  void setTrainable(Set<ParameterPath> trainable);

  /** Resolves {@code policy} at {@code step} and applies it; returns the trainable set. */
  default Set<ParameterPath> freeze(FreezePolicy policy, Collection<LayerPath> wiped, long step) {
    Set<ParameterPath> t = policy.resolve(layout(), wiped, step);
    setTrainable(t);
    return t;
  }

  /** Makes every parameter trainable again. */
  default void unfreezeAll() {
    setTrainable(layout().parameterPaths());
  }

  /** The parameters that currently train. */
  Set<ParameterPath> trainable();

  /** An exact copy of every parameter's values and of the trainable set. */
  WeightSnapshot snapshot();

  /**
   * Puts back exactly the snapshot's values and trainable set.
   *
   * @throws IllegalArgumentException if the snapshot came from a model of another layout
   */
  void restore(WeightSnapshot snapshot);
}
