package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import java.util.Collection;
import java.util.List;

/** A layer path names no layer of the model; the message lists the layers that exist. */
public final class UnknownLayerException extends AblationException {
  private static final long serialVersionUID = 1L;
  private final transient LayerPath requested;
  private final transient List<LayerPath> known;

  /** For {@code requested}, which is not among {@code known}. */
  public UnknownLayerException(LayerPath requested, Collection<LayerPath> known) {
    super("unknown layer '" + requested + "'; the model has: " + known);
    this.requested = requested;
    this.known = ImmutableList.copyOf(known);
  }

  /** The path that was asked for. */
  public LayerPath requested() {
    return requested;
  }

  /** The layers that exist. */
  public List<LayerPath> known() {
    return known;
  }
}
