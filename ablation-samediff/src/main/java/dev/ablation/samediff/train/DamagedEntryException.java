package dev.ablation.samediff.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A cache entry that cannot be trusted: a file missing, truncated, changed since it was written
 * or of an older format. Why a type of its own: a cached original is reproducible from its spec,
 * so the cache rebuilds such an entry (see {@link OriginalTrainer#trainOrLoad}) instead of
 * failing, and says which file was wrong and why.
 */
public final class DamagedEntryException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  /** The entry is unusable because of {@code file}, as {@code cause} says. */
  public DamagedEntryException(Path file, String cause) {
    super(file + ": " + cause);
    this.file = file;
  }

  /** The file that was missing or wrong. */
  public Path file() {
    return file;
  }
}
