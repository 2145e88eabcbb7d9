package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import java.util.Collection;
import java.util.List;

/**
 * A layer map (declared by the user or discovered) is invalid. Like PyTorch's
 * {@code load_state_dict}, every problem is reported at once, with the layers that exist.
 */
public final class LayerMapException extends AblationException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  /** For a list of problems found while checking a map that defines {@code known}. */
  public LayerMapException(List<String> problems, Collection<LayerPath> known) {
    super("invalid layer map, " + problems.size() + " problem(s):\n  - "
        + String.join("\n  - ", problems) + "\nlayers: " + known);
    this.problems = ImmutableList.copyOf(problems);
  }

  /** Each problem found, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
