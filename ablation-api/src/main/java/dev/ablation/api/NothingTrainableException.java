package dev.ablation.api;

/**
 * A freeze policy left no parameter trainable. SameDiff's {@code fit} throws deep inside when
 * every variable is a constant; we refuse before that, naming the policy and the wiped layers.
 */
public final class NothingTrainableException extends AblationException {
  private static final long serialVersionUID = 1L;

  /** For the policy that resolved to nothing. */
  public NothingTrainableException(FreezePolicy policy, Object wiped) {
    super("freeze policy " + policy.key() + " leaves no parameter trainable (wiped layers: " + wiped
        + "); wipe a layer first or choose a policy such as allTrainable()");
  }

  /**
   * For an explicit request with nothing trainable, e.g. {@code setTrainable(Set.of())}.
   *
   * @param message says what was asked and what to do instead
   */
  public NothingTrainableException(String message) {
    super(message);
  }
}
