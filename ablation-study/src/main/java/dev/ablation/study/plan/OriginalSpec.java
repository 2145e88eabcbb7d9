package dev.ablation.study.plan;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything that determines a trained original: its shape, how it is trained, and its seed.
 * Equal specs give equal originals, so an engine may cache by {@link #contentHash()}.
 *
 * @param model the shape
 * @param training how it is trained (and how recoveries are judged)
 * @param seed the master seed of init and data order
 */
public record OriginalSpec(ModelSpec model, TrainingSettings training, long seed) implements java.io.Serializable {

  /** Validates that the parts are present. */
  public OriginalSpec {
    if (model == null || training == null) {
      throw new IllegalArgumentException("model and training are required");
    }
  }

  /** The configuration as sorted key → value text: the manifest's configuration and the hash input. */
  public Map<String, String> configuration() {
    Map<String, String> m = new TreeMap<>(training.asMap());
    // how far recoveries train past their target does not change the original
    m.remove(TrainingSettings.HORIZON_KEY);
    m.put("arch", model.arch().key());
    m.put("n_layers", Integer.toString(model.nLayers()));
    m.put("d_model", Integer.toString(model.dModel()));
    m.put("n_heads", Integer.toString(model.nHeads()));
    m.put("seed", Long.toString(seed));
    return m;
  }

  /** A 16-hex-digit SHA-256 prefix of {@link #configuration()}: the cache key of the original. */
  public String contentHash() {
    return Hashing.sha256().hashString(configuration().toString(), StandardCharsets.UTF_8)
        .toString().substring(0, 16);
  }
}
