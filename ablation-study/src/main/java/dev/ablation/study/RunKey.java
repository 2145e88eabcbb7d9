package dev.ablation.study;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Locale;

/**
 * What identifies one recovery run: the first seven columns of {@code results.csv}. A resumed
 * study skips every run whose key it already has.
 *
 * @param arch architecture key
 * @param nLayers N
 * @param dModel D
 * @param layer the wipe target's label
 * @param scheme the scheme's {@code toString()}
 * @param freeze the policy's {@code key()}
 * @param seed the master seed
 * @param lrMultiple the recovery's peak rate as a multiple of the original's (column
 *     {@code recovery_lr_multiple}); part of the key so a study can sweep it
 */
public record RunKey(String arch, int nLayers, int dModel, String layer, String scheme,
    String freeze, long seed, double lrMultiple) implements Comparable<RunKey> {

  /** A key at the original's peak rate (multiple 1). */
  public RunKey(String arch, int nLayers, int dModel, String layer, String scheme,
      String freeze, long seed) {
    this(arch, nLayers, dModel, layer, scheme, freeze, seed, 1.0);
  }

  private static final Comparator<RunKey> ORDER = Comparator.comparing(RunKey::arch)
      .thenComparingInt(RunKey::nLayers)
      .thenComparingInt(RunKey::dModel)
      .thenComparing(RunKey::layer, RunKey::compareLayers)
      .thenComparing(RunKey::scheme)
      .thenComparing(RunKey::freeze)
      .thenComparingDouble(RunKey::lrMultiple)
      .thenComparingLong(RunKey::seed);

  /** Validates that the text parts are present. */
  public RunKey {
    if (arch == null || layer == null || scheme == null || freeze == null) {
      throw new IllegalArgumentException("run key parts must not be null");
    }
  }

  /** The key of {@code request} on {@code original}. */
  public static RunKey of(OriginalSpec original, RecoveryRequest request) {
    ModelSpec m = original.model();
    return new RunKey(m.arch().key(), m.nLayers(), m.dModel(), request.target().label(),
        request.scheme().toString(), request.policy().key(), request.seed(),
        request.lrMultiple());
  }

  /** A file name for this run's record: 16 hex digits of SHA-256 of the key. */
  public String fileName() {
    return Hashing.sha256().hashString(toString(), StandardCharsets.UTF_8).toString()
        .substring(0, 16) + ".json";
  }

  @Override
  public int compareTo(RunKey o) {
    return ORDER.compare(this, o);
  }

  /** Sorts {@code blocks.2} before {@code blocks.10}: numbers inside labels compare as numbers. */
  static int compareLayers(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c;
      if (x[i].matches("\\d{1,9}") && y[i].matches("\\d{1,9}")) {
        c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      } else {
        c = x[i].compareTo(y[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  @Override
  public String toString() {
    // multiple 1 adds nothing, so the keys (and record file names) of earlier studies stay
    String base = String.format(Locale.ROOT, "%s,%d,%d,%s,%s,%s,%d", arch, nLayers, dModel,
        layer, scheme, freeze, seed);
    return lrMultiple == 1.0 ? base : base + ",lr=" + Numbers.format(lrMultiple) + "x";
  }
}
