package dev.ablation.api.recovery;

import java.util.Arrays;
import java.util.Locale;

/**
 * The independent random streams a run draws from (one master seed, one documented derivation,
 * independent streams: {@link dev.ablation.api.recovery.Seeds}, docs/protocol.md). The derivation itself belongs to whoever trains and wipes;
 * the manifest records the seed of every stream a run actually used, under these names.
 */
public enum SeedStream {
  /** The seed every other stream was derived from, when the run had one. */
  MASTER,
  /** The original model's initial weights. */
  ORIGINAL_INIT,
  /** The order in which the original saw its training data. */
  ORIGINAL_DATA_ORDER,
  /** The order in which the recovery sees its training data. */
  RECOVERY_DATA_ORDER,
  /** The wipe's draw of new weights. */
  WIPE;

  /** The name in a manifest's JSON: {@code original_init}, {@code wipe}, … */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The stream named {@code key} ({@link #key()}, any case).
   *
   * @throws IllegalArgumentException naming the key and the valid ones
   */
  public static SeedStream parse(String key) {
    for (SeedStream s : values()) {
      if (s.key().equalsIgnoreCase(key)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown seed stream '" + key + "'; the streams are "
        + Arrays.stream(values()).map(SeedStream::key).toList());
  }
}
