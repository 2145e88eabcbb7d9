package dev.ablation.api;

/**
 * Root of the library's own failures: the model or plan cannot support what was asked. Each
 * subclass's message names the offending value and what would have been valid. Bad arguments
 * that any library would reject (negative counts, nulls) are {@link IllegalArgumentException}s.
 */
public class AblationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message that says what went wrong and what to do. */
  public AblationException(String message) {
    super(message);
  }

  /** An exception caused by a lower-level failure. */
  public AblationException(String message, Throwable cause) {
    super(message, cause);
  }
}
