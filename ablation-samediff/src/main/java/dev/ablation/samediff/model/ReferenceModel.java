package dev.ablation.samediff.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.ParameterInfo;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.train.LossEvaluator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reference transformer built from a {@link TransformerConfig}: the SameDiff graph, its layer
 * map (every parameter's path, kind and init rule) and the conversion of token data to
 * {@link Batch}es of its placeholders.
 *
 * <h2>Graph</h2>
 * <ul>
 *   <li>Placeholders: {@value #TOKENS} {@code [batch, context]} int32 (the decoder's input for
 *       an encoder-decoder), {@value #SOURCE} {@code [batch, context]} int32 (encoder-decoder
 *       only) and {@value #LABELS} {@code [batch·context, vocab]}: one-hot rows for predicted
 *       positions, zero rows for positions not predicted (padding, unmasked MLM positions).
 *   <li>{@value #LOGITS} {@code [batch, context, vocab]}; {@value #LOSS}: the mean
 *       cross-entropy in nats over predicted positions
 *       ({@code Σ CE / Σ labels}).
 * </ul>
 *
 * <h2>Names</h2>
 * A parameter's variable name is its path's segments joined by {@code /}:
 * {@code blocks.3.attn.W_QKV} ↔ {@code blocks/3/attn/W_QKV}. Layers: {@code embed},
 * {@code pos_embed} (EMBEDDING); {@code blocks.i} (BLOCK) with {@code attn.W_QKV} (queries,
 * keys and values fused, {@code [d, 3d]}), {@code attn.W_O}, {@code attn.b_QKV/b_O},
 * {@code ln1.gamma/beta}, {@code mlp.W_in/b_in/W_out/b_out},
 * {@code ln2.gamma/beta}; {@code ln_final} (HEAD, pre-LN only); {@code unembed} (HEAD,
 * {@code W_U}, {@code b_U}; absent when tied). Encoder-decoder: {@code encoder.embed},
 * {@code encoder.pos_embed}, {@code encoder.blocks.i}, {@code encoder.ln_final} (OTHER, pre-LN
 * only), {@code proj} (OTHER, only when the widths differ), {@code decoder.embed},
 * {@code decoder.pos_embed}, {@code decoder.blocks.i} with {@code self_attn} (fused
 * {@code W_QKV}), {@code cross_attn} ({@code W_Q}, and {@code W_KV [d, 2d]} over the memory),
 * {@code mlp}, {@code ln1..ln3}, the SUBLAYER {@code decoder.blocks.i.cross_attn},
 * {@code decoder.ln_final}, {@code unembed}.
 *
 * <h2>Tokens</h2>
 * Decoder-only: an example of n ≤ context + 1 tokens predicts tokens 1..n−1 from their
 * prefixes; shorter examples are padded with token 0 after their end (causal attention keeps
 * padding invisible). Encoder-only (masked LM): token {@code vocab − 1} is reserved as
 * {@code [MASK]}; about 15% of positions (at least one) are masked, chosen by a hash of the
 * config seed and the example, so a given example is always masked the same way.
 * Encoder-decoder: token 0 is reserved as start-of-target and padding; the decoder reads
 * {@code [0, y_0, …, y_{m−2}]} and predicts {@code y_0 … y_{m−1}}.
 */
public final class ReferenceModel {
  /** Placeholder: input token ids {@code [batch, context]} (the decoder's, for seq2seq). */
  public static final String TOKENS = "tokens";
  /** Placeholder: encoder token ids {@code [batch, context]} (encoder-decoder only). */
  public static final String SOURCE = "source";
  /** Placeholder: one-hot targets {@code [batch·context, vocab]}, zero rows not predicted. */
  public static final String LABELS = "labels";
  /** Variable: logits {@code [batch, context, vocab]}. */
  public static final String LOGITS = "logits";
  /** Variable: mean cross-entropy per predicted token, nats. */
  public static final String LOSS = "loss";
  /** Fraction of positions masked by the masked LM. */
  public static final double MASK_RATE = 0.15;

  private final TransformerConfig config;
  private final DataType type;
  private final SameDiffModel model;

  private ReferenceModel(TransformerConfig config, DataType type, SameDiffModel model) {
    this.config = config;
    this.type = type;
    this.model = model;
  }

  /** Builds {@code config} in float32, weights drawn from {@code config.seed()}. */
  public static ReferenceModel build(TransformerConfig config) {
    return build(config, DataType.FLOAT);
  }

  /**
   * Builds {@code config} in {@code type} (FLOAT for training, DOUBLE for gradient checks);
   * the weights are the same draws, rounded to the type.
   */
  public static ReferenceModel build(TransformerConfig config, DataType type) {
    if (config == null) {
      throw new IllegalArgumentException("config is required");
    }
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      throw new IllegalArgumentException("data type must be FLOAT or DOUBLE, got " + type);
    }
    SameDiff sd = SameDiff.create();
    GraphWriter g = new GraphWriter(sd, type, config.seed());
    Transformers.write(g, config);
    sd.setLossVariables(LOSS);
    LayerMap map = g.layerMap();
    return new ReferenceModel(config, type, new SameDiffModel(sd, map, LOSS,
        Optional.of(LOGITS), StackSplitter.of(config, type, sd, map)));
  }

  /** The configuration it was built from. */
  public TransformerConfig config() {
    return config;
  }

  /** Its floating-point type. */
  public DataType dataType() {
    return type;
  }

  /** The graph, layer map, loss and logits: what surgery and training operate on. */
  public SameDiffModel model() {
    return model;
  }

  /** The graph. */
  public SameDiff graph() {
    return model.graph();
  }

  /** The layer map. */
  public LayerMap layers() {
    return model.layers();
  }

  /** The variable names of every parameter, in model order. */
  public List<String> parameterVariables() {
    return model.layers().parameters().stream().map(ParameterSpec::variable).toList();
  }

  /** A copy of every parameter's current value, by variable name, in model order. */
  public Map<String, INDArray> weights() {
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String v : parameterVariables()) {
      w.put(v, graph().getVariable(v).getArr().dup());
    }
    return w;
  }

  /** Writes {@code values} (by variable name) into the parameters, in place. */
  public void setWeights(Map<String, INDArray> values) {
    for (Map.Entry<String, INDArray> e : values.entrySet()) {
      if (!graph().hasVariable(e.getKey())) {
        throw new IllegalArgumentException("no variable '" + e.getKey() + "' in the model; it "
            + "has " + parameterVariables());
      }
      // in place: replacing the array desynchronises training and inference in M2.1
      graph().getVariable(e.getKey()).getArr().assign(e.getValue());
    }
  }

  /** An evaluator of this model that counts only labelled positions for fidelity. */
  public LossEvaluator evaluator() {
    return new LossEvaluator(model, Optional.of(LABELS));
  }

  /**
   * An independent copy (graph and weights), for a trial that must not touch this model.
   * Updater state is not part of it: training here runs outside the graph.
   */
  public ReferenceModel copy() {
    try {
      ByteBuffer bb = graph().asFlatBuffers(false);
      return rebind(SameDiff.fromFlatBuffers(bb, false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ReferenceModel rebind(SameDiff sd) {
    sd.setLossVariables(LOSS);
    LayerMap map = rebind(model.layers(), sd);
    return new ReferenceModel(config, type, new SameDiffModel(sd, map, LOSS,
        Optional.of(LOGITS), StackSplitter.of(config, type, sd, map)));
  }

  /** The same layer declarations, checked against another graph with the same variables. */
  static LayerMap rebind(LayerMap map, SameDiff sd) {
    LayerMap.Builder b = LayerMap.builder();
    for (LayerInfo l : map.layout().layers()) {
      List<ParameterSpec> specs = new ArrayList<>();
      for (ParameterInfo p : l.parameters()) {
        specs.add(map.spec(p.path()));
      }
      b.layer(l.path(), l.kind(), specs);
    }
    return b.build(sd);
  }

  // ---- batches ------------------------------------------------------------------------------

  /**
   * The placeholders for {@code examples}, with the examples and predicted tokens they hold.
   *
   * @throws IllegalArgumentException for an empty list, an example of the wrong kind (pair vs
   *     sequence), one too long for the context, or a token outside the vocabulary (or a
   *     reserved one), naming the example and position
   */
  public Batch batch(List<Example> examples) {
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("cannot make a batch of no examples");
    }
    return switch (config.architecture()) {
      case DECODER_ONLY -> causalBatch(examples);
      case ENCODER_ONLY -> maskedBatch(examples);
      case ENCODER_DECODER -> seq2seqBatch(examples);
    };
  }

  /** The batches of {@code examples} in order, {@code batchSize} at a time (last may be smaller). */
  public List<Batch> batches(List<Example> examples, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i += batchSize) {
      out.add(batch(examples.subList(i, Math.min(examples.size(), i + batchSize))));
    }
    return out;
  }

  private Batch causalBatch(List<Example> examples) {
    int t = config.context();
    int b = examples.size();
    int[][] in = new int[b][t];
    double[][] labels = new double[b * t][config.vocab()];
    long predicted = 0;
    for (int i = 0; i < b; i++) {
      int[] s = sequence(examples, i);
      if (s.length < 2 || s.length > t + 1) {
        throw new IllegalArgumentException("example " + i + " has " + s.length + " tokens; a "
            + "causal LM with context " + t + " needs 2.." + (t + 1));
      }
      check(s, i, "", config.vocab());
      for (int p = 0; p + 1 < s.length; p++) {
        in[i][p] = s[p];
        labels[i * t + p][s[p + 1]] = 1;
        predicted++;
      }
    }
    return new Batch(Map.of(TOKENS, Nd4j.createFromArray(in), LABELS, labels(labels)), b,
        predicted);
  }

  private Batch maskedBatch(List<Example> examples) {
    int t = config.context();
    int b = examples.size();
    int mask = config.vocab() - 1;
    int[][] in = new int[b][t];
    double[][] labels = new double[b * t][config.vocab()];
    long predicted = 0;
    for (int i = 0; i < b; i++) {
      int[] s = sequence(examples, i);
      if (s.length > t) {
        throw new IllegalArgumentException("example " + i + " has " + s.length
            + " tokens, more than the context " + t);
      }
      check(s, i, " (the last id, " + mask + ", is reserved as [MASK])", mask);
      long h = com.google.common.hash.Hashing.murmur3_128().newHasher()
          .putLong(config.seed()).putInt(examples.get(i).hashCode()).hash().asLong();
      java.util.SplittableRandom r = new java.util.SplittableRandom(h);
      int forced = r.nextInt(s.length);
      for (int p = 0; p < s.length; p++) {
        boolean masked = r.nextDouble() < MASK_RATE || p == forced;
        in[i][p] = masked ? mask : s[p];
        if (masked) {
          labels[i * t + p][s[p]] = 1;
          predicted++;
        }
      }
    }
    return new Batch(Map.of(TOKENS, Nd4j.createFromArray(in), LABELS, labels(labels)), b,
        predicted);
  }

  private Batch seq2seqBatch(List<Example> examples) {
    int t = config.context();
    int b = examples.size();
    int[][] src = new int[b][t];
    int[][] in = new int[b][t];
    double[][] labels = new double[b * t][config.vocab()];
    long predicted = 0;
    for (int i = 0; i < b; i++) {
      Example e = examples.get(i);
      if (!e.isPair()) {
        throw new IllegalArgumentException("example " + i + " is a single sequence; an "
            + "encoder-decoder needs source/target pairs (Example.pair)");
      }
      int[] s = e.tokens();
      int[] y = e.target();
      if (s.length > t || y.length > t) {
        throw new IllegalArgumentException("example " + i + " has source length " + s.length
            + " and target length " + y.length + "; both must be <= context " + t);
      }
      check(s, i, " in the source", config.vocab());
      check(y, i, " in the target", config.vocab());
      for (int p = 0; p < y.length; p++) {
        if (y[p] == 0) {
          throw new IllegalArgumentException("example " + i + ": target token 0 at position "
              + p + " is reserved as start-of-target/padding");
        }
      }
      System.arraycopy(s, 0, src[i], 0, s.length);
      for (int p = 0; p < y.length; p++) {
        in[i][p] = p == 0 ? 0 : y[p - 1];
        labels[i * t + p][y[p]] = 1;
        predicted++;
      }
    }
    return new Batch(Map.of(SOURCE, Nd4j.createFromArray(src), TOKENS, Nd4j.createFromArray(in),
        LABELS, labels(labels)), b, predicted);
  }

  private static int[] sequence(List<Example> examples, int i) {
    Example e = examples.get(i);
    if (e.isPair()) {
      throw new IllegalArgumentException("example " + i + " is a source/target pair; this "
          + "model takes single sequences (Example.of)");
    }
    return e.tokens();
  }

  private void check(int[] s, int example, String where, int limit) {
    for (int p = 0; p < s.length; p++) {
      if (s[p] < 0 || s[p] >= limit) {
        throw new IllegalArgumentException("example " + example + ": token " + s[p]
            + " at position " + p + where + " is outside the vocabulary [0, " + limit + ")");
      }
    }
  }

  private INDArray labels(double[][] rows) {
    return Nd4j.create(rows).castTo(type);
  }

  // ---- save / load --------------------------------------------------------------------------

  /**
   * Saves the graph with its weights ({@code model.fb}, FlatBuffers) and a description
   * ({@code model.json}: config, data type, every parameter's path, variable, kind, init rule
   * and shape) into {@code dir}, creating it if needed.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    graph().save(dir.resolve("model.fb").toFile(), true);
    ObjectMapper json = mapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", "ablation-reference-model/1");
    root.set("config", json.valueToTree(config));
    root.put("config_hash", config.contentHash());
    root.put("data_type", type.name());
    ArrayNode layers = root.putArray("layers");
    for (LayerInfo l : layers().layout().layers()) {
      ObjectNode ln = layers.addObject();
      ln.put("path", l.path().toString());
      ln.put("kind", l.kind().name());
      ArrayNode ps = ln.putArray("parameters");
      for (ParameterInfo p : l.parameters()) {
        ParameterSpec s = layers().spec(p.path());
        ObjectNode pn = ps.addObject();
        pn.put("path", p.path().toString());
        pn.put("variable", s.variable());
        pn.put("kind", s.kind().name());
        pn.put("init", s.init().toString());
        ArrayNode shape = pn.putArray("shape");
        p.shape().forEach(shape::add);
      }
    }
    json.writeValue(dir.resolve("model.json").toFile(), root);
  }

  /**
   * Loads a model saved by {@link #save}. The layer map is rebuilt from the config (builders
   * are deterministic) and checked against the loaded graph.
   *
   * @throws IOException if the files are missing or unreadable
   * @throws IllegalArgumentException if the graph does not match its config
   */
  public static ReferenceModel load(Path dir) throws IOException {
    Path fb = dir.resolve("model.fb");
    Path desc = dir.resolve("model.json");
    if (!Files.isRegularFile(fb) || !Files.isRegularFile(desc)) {
      throw new IOException("no saved reference model in " + dir + ": expected model.fb and "
          + "model.json");
    }
    ObjectMapper json = mapper();
    var root = json.readTree(desc.toFile());
    TransformerConfig config = json.treeToValue(root.get("config"), TransformerConfig.class);
    DataType type = DataType.valueOf(root.get("data_type").asText());
    SameDiff sd = SameDiff.load(fb.toFile(), true);
    ReferenceModel blueprint = build(config, type);
    return blueprint.rebind(sd);
  }

  static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  @Override
  public String toString() {
    return "ReferenceModel[" + config + ", " + type + ", "
        + layers().layout().size() + " parameters]";
  }
}
