package dev.ablation.samediff.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.ParameterInfo;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A {@link ReferenceModel} on disk: the graph with its weights ({@value #GRAPH_FILE},
 * FlatBuffers) and a description ({@value #DESCRIPTION_FILE}: format {@value #FORMAT}, config,
 * its hash, data type, every parameter's path, variable, kind, init rule and shape). Kept apart
 * from the model so the format lives in one place.
 */
public final class ReferenceModelFiles {
  /** The graph and its weights, FlatBuffers. */
  public static final String GRAPH_FILE = "model.fb";
  /** The description, JSON. */
  public static final String DESCRIPTION_FILE = "model.json";
  /** The description's format tag. */
  public static final String FORMAT = "ablation-reference-model/1";
  /** Every file a saved model consists of. */
  public static final List<String> FILES = List.of(GRAPH_FILE, DESCRIPTION_FILE);

  private ReferenceModelFiles() {}

  /** Saves {@code model} into {@code dir}, creating it if needed. */
  public static void save(ReferenceModel model, Path dir) throws IOException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(dir, "dir");
    Files.createDirectories(dir);
    model.graph().save(dir.resolve(GRAPH_FILE).toFile(), true);
    ObjectMapper json = mapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    root.set("config", json.valueToTree(model.config()));
    root.put("config_hash", model.config().contentHash());
    root.put("data_type", model.dataType().name());
    ArrayNode layers = root.putArray("layers");
    LayerMap map = model.layers();
    for (LayerInfo l : map.layout().layers()) {
      ObjectNode ln = layers.addObject();
      ln.put("path", l.path().toString());
      ln.put("kind", l.kind().name());
      ArrayNode ps = ln.putArray("parameters");
      for (ParameterInfo p : l.parameters()) {
        ParameterSpec s = map.spec(p.path());
        ObjectNode pn = ps.addObject();
        pn.put("path", p.path().toString());
        pn.put("variable", s.variable());
        pn.put("kind", s.kind().name());
        pn.put("init", s.init().toString());
        ArrayNode shape = pn.putArray("shape");
        p.shape().forEach(shape::add);
      }
    }
    json.writeValue(dir.resolve(DESCRIPTION_FILE).toFile(), root);
  }

  /**
   * Loads a model saved by {@link #save}. The layer map is rebuilt from the config (builders
   * are deterministic) and checked against the loaded graph.
   *
   * @throws IOException if the files are missing or unreadable
   * @throws IllegalArgumentException if the graph does not match its config
   */
  public static ReferenceModel load(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Path fb = dir.resolve(GRAPH_FILE);
    Path desc = dir.resolve(DESCRIPTION_FILE);
    if (!Files.isRegularFile(fb) || !Files.isRegularFile(desc)) {
      throw new IOException("no saved reference model in " + dir + ": expected " + GRAPH_FILE
          + " and " + DESCRIPTION_FILE);
    }
    ObjectMapper json = mapper();
    JsonNode root = json.readTree(desc.toFile());
    TransformerConfig config = json.treeToValue(root.get("config"), TransformerConfig.class);
    DataType type = DataType.valueOf(root.get("data_type").asText());
    SameDiff sd = SameDiff.load(fb.toFile(), true);
    return ReferenceModel.build(config, type).rebind(sd);
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }
}
