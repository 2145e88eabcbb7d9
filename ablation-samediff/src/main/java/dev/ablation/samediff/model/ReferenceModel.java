package dev.ablation.samediff.model;

import dev.ablation.api.LayerInfo;
import dev.ablation.api.ParameterInfo;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.SameDiffModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A reference transformer built from a {@link TransformerConfig}: the SameDiff graph and its
 * layer map (every parameter's path, kind and init rule). Token data becomes batches of its
 * placeholders through {@link ReferenceBatches}; a model goes to and from disk through
 * {@link ReferenceModelFiles}; {@link dev.ablation.samediff.LossEvaluator} evaluates it.
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
 * How examples become placeholders (padding, the masked LM's {@code [MASK]} token, the
 * start-of-target token): see {@link ReferenceBatches}.
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

  /** This model's config and layer declarations over another graph with the same variables. */
  ReferenceModel rebind(SameDiff sd) {
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

  @Override
  public String toString() {
    return "ReferenceModel[" + config + ", " + type + ", "
        + layers().layout().size() + " parameters]";
  }
}
