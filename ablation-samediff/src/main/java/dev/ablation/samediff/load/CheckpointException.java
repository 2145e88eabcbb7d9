package dev.ablation.samediff.load;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.AblationException;
import java.util.List;

/**
 * Weights from outside do not fit: a file that is not what it claims (a bad safetensors
 * header, a tensor past the end of the file, an element type this reader does not widen), or
 * tensors that do not match the graph they are loaded into (missing, unexpected, mis-shaped).
 * Like PyTorch's {@code load_state_dict}, every problem found is reported at once.
 */
public final class CheckpointException extends AblationException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  /** For the problems found in {@code what} (a file, a map of arrays). */
  public CheckpointException(String what, List<String> problems) {
    super(what + ": " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
    this.problems = ImmutableList.copyOf(problems);
  }

  /** For one problem, caused by a lower-level failure. */
  public CheckpointException(String what, String problem, Throwable cause) {
    super(what + ": " + problem, cause);
    this.problems = ImmutableList.of(problem);
  }

  /** Each problem, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
