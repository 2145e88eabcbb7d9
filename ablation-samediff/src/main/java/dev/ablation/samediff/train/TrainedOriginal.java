package dev.ablation.samediff.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.ReferenceModelFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained original and what the recovery protocol needs from its training: the initial
 * weights θ₀ (for "restore initial"), the reference budget {@code B_ref = S × E} (examples and
 * predicted tokens), the validation curve and the final validation loss {@code L*}.
 *
 * <p>The model and the θ₀ arrays are live native arrays, not copies: a study that wipes or
 * retrains should work on {@code model().copy()} and {@code dup()} what it takes from θ₀.
 *
 * <p>Made by {@link OriginalTrainer} or {@link #load}, each through {@link #builder()}: nine
 * positional values, three of them counts and one a loss, were easy to swap, and a swapped count
 * would be written into every cached {@code original.json}. Every setting is required.
 */
public final class TrainedOriginal {
  private final ReferenceModel model;
  private final Map<String, INDArray> initialWeights;
  private final ReferenceCost budget;
  private final List<ValidationPoint> curve;
  private final double finalLoss;
  private final TrainingPlan plan;
  private final int trainStrings;
  private final int validationStrings;
  private final String cacheKey;

  /** The values {@link TrainedOriginalBuilder#build()} checked; copies the collections. */
  TrainedOriginal(ReferenceModel model, Map<String, INDArray> initialWeights,
      ReferenceCost budget, List<ValidationPoint> curve, double finalLoss, TrainingPlan plan,
      int trainStrings, int validationStrings, String cacheKey) {
    this.model = model;
    this.initialWeights = ImmutableMap.copyOf(initialWeights);
    this.budget = budget;
    this.curve = ImmutableList.copyOf(curve);
    this.finalLoss = finalLoss;
    this.plan = plan;
    this.trainStrings = trainStrings;
    this.validationStrings = validationStrings;
    this.cacheKey = cacheKey;
  }

  /** An original with nothing set; every setting is required. */
  public static TrainedOriginalBuilder builder() {
    return new TrainedOriginalBuilder();
  }

  /** A builder holding this original's values, each of which one call may replace. */
  public TrainedOriginalBuilder toBuilder() {
    return new TrainedOriginalBuilder(this);
  }

  /** The trained model (its weights are the final ones). */
  public ReferenceModel model() {
    return model;
  }

  /** θ₀ by variable name, in model order. */
  public Map<String, INDArray> initialWeights() {
    return initialWeights;
  }

  /** S × E examples and the predicted tokens they held. */
  public ReferenceCost budget() {
    return budget;
  }

  /** Validation evaluations, the first before any step, the last after the final one. */
  public List<ValidationPoint> curve() {
    return curve;
  }

  /**
   * The validation loss of the trained model's final weights ({@link #lossStar()} is the
   * protocol's {@code L*}).
   */
  public double finalLoss() {
    return finalLoss;
  }

  /** How it was trained. */
  public TrainingPlan plan() {
    return plan;
  }

  /** S, the training strings. */
  public int trainStrings() {
    return trainStrings;
  }

  /** The size of the validation set. */
  public int validationStrings() {
    return validationStrings;
  }

  /** What {@link OriginalTrainer#cacheKey} gave for the config, plan and data. */
  public String cacheKey() {
    return cacheKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainedOriginal t && model.equals(t.model)
        && initialWeights.equals(t.initialWeights) && budget.equals(t.budget)
        && curve.equals(t.curve) && Double.compare(finalLoss, t.finalLoss) == 0
        && plan.equals(t.plan) && trainStrings == t.trainStrings
        && validationStrings == t.validationStrings && cacheKey.equals(t.cacheKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, initialWeights, budget, curve, finalLoss, plan, trainStrings,
        validationStrings, cacheKey);
  }

  /** The provenance, not the arrays: a toString of θ₀ would print every weight. */
  @Override
  public String toString() {
    return "TrainedOriginal[cacheKey=" + cacheKey + ", plan=" + plan + ", budget=" + budget
        + ", trainStrings=" + trainStrings + ", validationStrings=" + validationStrings
        + ", finalLoss=" + finalLoss + ", evaluations=" + curve.size() + "]";
  }

  /** The files of an entry, each checksummed in {@code original.json}. */
  static final List<String> DATA_FILES = List.of(ReferenceModelFiles.GRAPH_FILE,
      ReferenceModelFiles.DESCRIPTION_FILE, "theta0.bin");
  /** The record of an entry, written last: an entry without it is incomplete. */
  static final String RECORD = "original.json";
  static final String FORMAT = "ablation-trained-original/2";

  /**
   * {@code L*} as the protocol defines it: the mean validation loss of the last
   * {@link TrainingPlan#lossWindow()} evaluations (of a converged original, a flat stretch), so
   * one lucky or unlucky evaluation does not set the target.
   */
  public double lossStar() {
    return lastLosses().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /**
   * σ, the original's noise level: the sample standard deviation of the evaluations
   * {@link #lossStar()} averages; 0 when it averages one.
   */
  public double lossSd() {
    List<Double> xs = lastLosses();
    if (xs.size() < 2) {
      return 0;
    }
    double mean = lossStar();
    double ss = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
    return Math.sqrt(ss / (xs.size() - 1));
  }

  private List<Double> lastLosses() {
    int k = Math.min(plan.lossWindow(), curve.size());
    return curve.subList(curve.size() - k, curve.size()).stream()
        .map(ValidationPoint::validationLoss).toList();
  }

  /**
   * Writes the model ({@code model.fb}, {@code model.json}), θ₀ ({@code theta0.bin}) and this
   * record ({@code original.json}) into {@code dir}. The record goes last, atomically (a
   * uniquely named temporary file renamed over it), after the other files are on the disk, and
   * holds their SHA-256 checksums and sizes: a kill at any moment leaves either a complete entry
   * or one that {@link #load} rejects.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(RECORD)); // the entry is incomplete from here on
    ReferenceModelFiles.save(model, dir);
    try (OutputStream os = Files.newOutputStream(dir.resolve("theta0.bin"));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
      out.writeInt(initialWeights.size());
      for (Map.Entry<String, INDArray> e : initialWeights.entrySet()) {
        out.writeUTF(e.getKey());
        Nd4j.write(e.getValue(), out);
      }
    }
    ObjectMapper json = mapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    root.put("config_hash", model.config().contentHash());
    root.put("cache_key", cacheKey);
    ObjectNode files = root.putObject("files");
    for (String name : DATA_FILES) {
      Path f = dir.resolve(name);
      EntryFiles.sync(f);
      ObjectNode fn = files.putObject(name);
      fn.put("bytes", Files.size(f));
      fn.put("sha256", EntryFiles.sha256(f));
    }
    root.set("plan", json.valueToTree(plan));
    root.set("budget", json.valueToTree(budget));
    root.put("train_strings", trainStrings);
    root.put("validation_strings", validationStrings);
    root.put("final_loss", finalLoss);
    root.set("curve", json.valueToTree(curve));
    EntryFiles.writeAtomically(dir.resolve(RECORD), json.writeValueAsBytes(root));
  }

  /**
   * Reads what {@link #save} wrote, after checking every file against the checksums in
   * {@code original.json}.
   *
   * @throws DamagedEntryException naming the file and what is wrong with it when the entry is
   *     incomplete, damaged or of an older format
   * @throws IOException if a file cannot be read at all
   */
  public static TrainedOriginal load(Path dir) throws IOException {
    Path record = dir.resolve(RECORD);
    if (!Files.isRegularFile(record)) {
      throw new DamagedEntryException(record, "missing: the entry was never completed "
          + "(its writer stopped before the last step)");
    }
    ObjectMapper json = mapper();
    JsonNode root;
    try {
      root = json.readTree(record.toFile());
    } catch (JsonProcessingException e) {
      throw new DamagedEntryException(record, "not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new DamagedEntryException(record, "empty or not a JSON object");
    }
    String format = root.path("format").asText("");
    if (!FORMAT.equals(format)) {
      throw new DamagedEntryException(record, "format '" + format + "', expected '" + FORMAT
          + "' (written by another version, without checksums)");
    }
    for (String name : DATA_FILES) {
      Path f = dir.resolve(name);
      JsonNode want = root.path("files").path(name);
      if (!want.has("sha256") || !want.has("bytes")) {
        throw new DamagedEntryException(record, "has no checksum for " + name);
      }
      if (!Files.isRegularFile(f)) {
        throw new DamagedEntryException(f, "missing");
      }
      long size = Files.size(f);
      if (size != want.get("bytes").asLong()) {
        throw new DamagedEntryException(f, size + " bytes where " + want.get("bytes").asLong()
            + " were written (truncated or overwritten)");
      }
      String sha = EntryFiles.sha256(f);
      if (!sha.equals(want.get("sha256").asText())) {
        throw new DamagedEntryException(f, "SHA-256 " + sha + " where "
            + want.get("sha256").asText() + " was written (damaged)");
      }
    }
    ReferenceModel model = ReferenceModelFiles.load(dir);
    Map<String, INDArray> theta0 = new LinkedHashMap<>();
    try (InputStream is = Files.newInputStream(dir.resolve("theta0.bin"));
        DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        theta0.put(name, Nd4j.read(in));
      }
    }
    try {
      List<ValidationPoint> curve = new ArrayList<>();
      for (JsonNode p : root.get("curve")) {
        curve.add(json.treeToValue(p, ValidationPoint.class));
      }
      return builder().model(model).initialWeights(theta0)
          .budget(json.treeToValue(root.get("budget"), ReferenceCost.class)).curve(curve)
          .finalLoss(root.get("final_loss").asDouble())
          .plan(json.treeToValue(root.get("plan"), TrainingPlan.class))
          .trainStrings(root.get("train_strings").asInt())
          .validationStrings(root.get("validation_strings").asInt())
          .cacheKey(root.get("cache_key").asText()).build();
    } catch (JsonProcessingException | NullPointerException | IllegalArgumentException e) {
      throw new DamagedEntryException(record, "a field is missing or malformed (" + e + ")");
    }
  }

  static ObjectMapper mapper() {
    return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(SerializationFeature.INDENT_OUTPUT).build();
  }
}
