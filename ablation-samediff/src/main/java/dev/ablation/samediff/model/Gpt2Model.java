package dev.ablation.samediff.model;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.samediff.InitRule;
import dev.ablation.samediff.SameDiffModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A SameDiff transformer in GPT-2's layout, so that a checkpoint trained in PyTorch (Hugging
 * Face's {@code GPT2Model}/{@code GPT2LMHeadModel}) loads into it by name and computes the same
 * logits. Parameter paths are Hugging Face's keys: {@code wte.weight}, {@code wpe.weight},
 * {@code h.{i}.ln_1.weight/bias}, {@code h.{i}.attn.c_attn.weight} ({@code [d, 3d]}, Conv1D
 * layout: {@code x·W}; columns queries, keys, values, head after head), {@code attn.c_attn.bias},
 * {@code attn.c_proj.weight/bias}, {@code ln_2}, {@code mlp.c_fc.weight/bias} ({@code [d, 4d]}),
 * {@code mlp.c_proj.weight/bias}, {@code ln_f.weight/bias}; the output embedding is {@code wte}
 * (tied), the MLP's GELU the tanh approximation GPT-2 uses, layer norms' epsilon 1e-5.
 *
 * <p>Layers: {@code wte}, {@code wpe} (EMBEDDING), {@code h.{i}} (BLOCK) with the sublayers
 * {@code h.{i}.ln_1}, {@code .attn}, {@code .ln_2}, {@code .mlp}, and {@code ln_f} (HEAD), so
 * {@code Recovery.builder(model).wipe(LayerPath.block("h", 1), …)} wipes block 1. The
 * {@code c_proj} weights and biases are the output projections ({@code ZERO_OUTPUT}).
 *
 * <p>Placeholders and outputs are the reference models' ({@link ReferenceModel}):
 * {@value ReferenceModel#TOKENS} {@code [batch, context]} int32, {@value ReferenceModel#LABELS}
 * {@code [batch·context, vocab]} one-hot, {@value ReferenceModel#LOGITS}
 * {@code [batch, context, vocab]} and {@value ReferenceModel#LOSS}, the mean cross-entropy per
 * predicted token; {@link ReferenceBatches#of(TransformerConfig, DataType)} with
 * {@link Gpt2Config#asReference()} makes the batches.
 */
public final class Gpt2Model {
  /** GPT-2's initialiser: weights N(0, 0.02), output projections scaled by 1/sqrt(2·n_layer). */
  static final double INIT_STD = 0.02;

  private Gpt2Model() {}

  /**
   * The graph for {@code config} in {@code type} (FLOAT or DOUBLE), weights drawn as GPT-2
   * initialises them from {@code seed}: load a checkpoint into it by name (the
   * {@code dev.ablation.samediff.load} package does), or train it from scratch.
   */
  public static SameDiffModel build(Gpt2Config config, DataType type, long seed) {
    Objects.requireNonNull(config, "config");
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      throw new IllegalArgumentException("data type must be FLOAT or DOUBLE, got " + type);
    }
    SameDiff sd = SameDiff.create();
    GraphWriter g = new GraphWriter(sd, type, seed);
    write(g, config);
    sd.setLossVariables(ReferenceModel.LOSS);
    return new SameDiffModel(sd, g.layerMap(), ReferenceModel.LOSS,
        Optional.of(ReferenceModel.LOGITS));
  }

  /**
   * Every parameter's path and shape for {@code config}, in model order, without building a
   * graph: what a checkpoint's header is checked against before any weight is read.
   */
  public static Map<String, List<Long>> parameterShapes(Gpt2Config config) {
    long d = config.nEmbd();
    long inner = config.nInner();
    Map<String, List<Long>> out = new LinkedHashMap<>();
    out.put("wte.weight", List.of((long) config.vocab(), d));
    out.put("wpe.weight", List.of((long) config.nPositions(), d));
    for (int i = 0; i < config.nLayer(); i++) {
      String h = "h." + i + ".";
      out.put(h + "ln_1.weight", List.of(d));
      out.put(h + "ln_1.bias", List.of(d));
      out.put(h + "attn.c_attn.weight", List.of(d, 3 * d));
      out.put(h + "attn.c_attn.bias", List.of(3 * d));
      out.put(h + "attn.c_proj.weight", List.of(d, d));
      out.put(h + "attn.c_proj.bias", List.of(d));
      out.put(h + "ln_2.weight", List.of(d));
      out.put(h + "ln_2.bias", List.of(d));
      out.put(h + "mlp.c_fc.weight", List.of(d, inner));
      out.put(h + "mlp.c_fc.bias", List.of(inner));
      out.put(h + "mlp.c_proj.weight", List.of(inner, d));
      out.put(h + "mlp.c_proj.bias", List.of(d));
    }
    out.put("ln_f.weight", List.of(d));
    out.put("ln_f.bias", List.of(d));
    return Collections.unmodifiableMap(out);
  }

  private static void write(GraphWriter g, Gpt2Config c) {
    int t = c.context();
    int d = c.nEmbd();
    int v = c.vocab();
    SDVariable tokens = g.sd.placeHolder(ReferenceModel.TOKENS, DataType.INT32, -1, t);
    SDVariable labels = g.sd.placeHolder(ReferenceModel.LABELS, g.type, -1, v);
    InitRule weight = new InitRule.Normal(INIT_STD);
    InitRule output = new InitRule.Normal(INIT_STD / Math.sqrt(2.0 * c.nLayer()));

    LayerPath wteLayer = LayerPath.parse("wte");
    g.layer(wteLayer, LayerKind.EMBEDDING);
    SDVariable wte = g.param(wteLayer, "weight", ParameterKind.EMBEDDING, weight, v, d);
    LayerPath wpeLayer = LayerPath.parse("wpe");
    g.layer(wpeLayer, LayerKind.EMBEDDING);
    SDVariable wpe = g.param(wpeLayer, "weight", ParameterKind.EMBEDDING,
        new InitRule.Normal(INIT_STD / 2), c.nPositions(), d);
    if (t < c.nPositions()) {
      // the first t rows, as a product with [I_t | 0]: its gradient is a product too
      wpe = g.sd.constant("wpe_rows_" + t, Nd4j.eye(c.nPositions()).castTo(g.type)
          .get(NDArrayIndex.interval(0, t), NDArrayIndex.all()).dup()).mmul(wpe);
    }
    SDVariable x = g.addPositions(g.embed(tokens, v, wte), wpe, t, d);

    for (int i = 0; i < c.nLayer(); i++) {
      LayerPath block = LayerPath.block("h", i);
      g.layer(block, LayerKind.BLOCK);
      x = x.add(attention(g, block, layerNorm(g, block, "ln_1", x, d), c, weight, output));
      x = x.add(mlp(g, block, layerNorm(g, block, "ln_2", x, d), c, weight, output));
      for (String sub : new String[] {"ln_1", "attn", "ln_2", "mlp"}) {
        g.sublayer(block.child(sub), block);
      }
    }
    LayerPath lnF = LayerPath.parse("ln_f");
    g.layer(lnF, LayerKind.HEAD);
    x = layerNorm(g, lnF, null, x, d);

    SDVariable logits2d = g.sd.mmul(x, wte, false, true, false); // tied: x·wteᵀ
    g.sd.reshape(ReferenceModel.LOGITS, logits2d, -1, t, v);
    // cross-entropy by hand, as the reference models (M2.1's softmaxCrossEntropy ignores the
    // upstream gradient): Σ −labels·logSoftmax over the label mass
    labels.mul(g.sd.nn().logSoftmax(logits2d)).sum().neg()
        .div(ReferenceModel.LOSS, labels.sum());
  }

  /** {@code nn.LayerNorm(d, eps=1e-5)}: {@code <name>.weight} (gain) and {@code .bias}. */
  private static SDVariable layerNorm(GraphWriter g, LayerPath layer, String name, SDVariable x,
      int d) {
    String prefix = name == null ? "" : name + ".";
    SDVariable gain = g.param(layer, prefix + "weight", ParameterKind.NORM_GAIN, InitRule.ones(),
        d);
    SDVariable bias = g.param(layer, prefix + "bias", ParameterKind.NORM_BIAS, InitRule.zeros(),
        d);
    return g.normalize(x, gain, bias, d);
  }

  /**
   * GPT-2's attention on {@code x [batch·t, d]}: {@code c_attn} to queries, keys and values
   * ({@code [b, t, 3, h, dh]}, as {@code split(d, dim=2)} and {@code view(b, t, h, dh)} read
   * them), causal scaled dot products, {@code c_proj}.
   */
  private static SDVariable attention(GraphWriter g, LayerPath block, SDVariable x,
      Gpt2Config c, InitRule weight, InitRule output) {
    int d = c.nEmbd();
    int t = c.context();
    int heads = c.nHead();
    int dh = d / heads;
    SDVariable w = g.param(block, "attn.c_attn.weight", ParameterKind.WEIGHT, weight, d, 3L * d);
    SDVariable b = g.param(block, "attn.c_attn.bias", ParameterKind.BIAS, InitRule.zeros(),
        3L * d);
    SDVariable[] qkv = g.sd.unstack(g.sd.permute(g.sd.reshape(x.mmul(w).add(b),
        -1, t, 3, heads, dh), 2, 0, 3, 1, 4), 0, 3);
    SDVariable scores = g.sd.mmul(qkv[0], qkv[1], false, true, false).mul(1.0 / Math.sqrt(dh))
        .add(g.causalMask(t, t, heads));
    SDVariable att = g.sd.nn().softmax(scores, 3);
    SDVariable merged = g.sd.reshape(g.sd.permute(att.mmul(qkv[2]), 0, 2, 1, 3), -1, d);
    SDVariable wo = g.param(block, "attn.c_proj.weight", ParameterKind.OUTPUT_WEIGHT, output, d,
        d);
    SDVariable bo = g.param(block, "attn.c_proj.bias", ParameterKind.OUTPUT_BIAS,
        InitRule.zeros(), d);
    return merged.mmul(wo).add(bo);
  }

  /** {@code c_fc}, GELU (tanh approximation), {@code c_proj}. */
  private static SDVariable mlp(GraphWriter g, LayerPath block, SDVariable x, Gpt2Config c,
      InitRule weight, InitRule output) {
    int d = c.nEmbd();
    int inner = c.nInner();
    SDVariable wIn = g.param(block, "mlp.c_fc.weight", ParameterKind.WEIGHT, weight, d, inner);
    SDVariable bIn = g.param(block, "mlp.c_fc.bias", ParameterKind.BIAS, InitRule.zeros(),
        inner);
    SDVariable wOut = g.param(block, "mlp.c_proj.weight", ParameterKind.OUTPUT_WEIGHT, output,
        inner, d);
    SDVariable bOut = g.param(block, "mlp.c_proj.bias", ParameterKind.OUTPUT_BIAS,
        InitRule.zeros(), d);
    return tanhGelu(g.sd, x.mmul(wIn).add(bIn)).mmul(wOut).add(bOut);
  }

  /**
   * {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))}, GPT-2's {@code gelu_new}, from
   * plain ops (M2.1's {@code gelu} is the sigmoid approximation: logits would differ by 1e-3).
   */
  static SDVariable tanhGelu(SameDiff sd, SDVariable x) {
    SDVariable cube = x.mul(x).mul(x);
    SDVariable inner = x.add(cube.mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
    return x.mul(0.5).mul(sd.math().tanh(inner).add(1.0));
  }
}
