package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.samediff.InitRule;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;

/** The three architectures, written with {@link GraphWriter}. */
final class Transformers {
  private Transformers() {}

  static void write(GraphWriter g, TransformerConfig c) {
    int t = c.context();
    int v = c.vocab();
    SDVariable tokens = g.sd.placeHolder(ReferenceModel.TOKENS, DataType.INT32, -1, t);
    SDVariable labels = g.sd.placeHolder(ReferenceModel.LABELS, g.type, -1, v);
    SDVariable x;
    SDVariable tableForTying;
    String prefix;
    if (c.architecture() == Architecture.ENCODER_DECODER) {
      SDVariable source = g.sd.placeHolder(ReferenceModel.SOURCE, DataType.INT32, -1, t);
      SDVariable memory = embedded(g, "encoder.", source, v, t, c.encoderDModel(), null);
      memory = stack(g, "encoder.", memory, 0, c.encoderLayers(), c.encoderLayers(),
          c.encoderDModel(), c.encoderHeads(), c.encoderDFf(), t, false, c.norm(), null);
      memory = finalNorm(g, "encoder.", memory, c.encoderDModel(), c.norm(), LayerKind.OTHER);
      if (c.hasProjection()) {
        LayerPath proj = LayerPath.parse("proj");
        g.layer(proj, LayerKind.OTHER);
        SDVariable w = g.param(proj, "W", ParameterKind.WEIGHT,
            InitRule.normalFanIn(c.encoderDModel(), 1), c.encoderDModel(), c.dModel());
        SDVariable b = g.param(proj, "b", ParameterKind.BIAS, InitRule.zeros(), c.dModel());
        memory = g.addBias(memory.mmul(w), b, c.dModel());
      }
      prefix = "decoder.";
      SDVariable[] table = new SDVariable[1];
      x = embedded(g, prefix, tokens, v, t, c.dModel(), table);
      tableForTying = table[0];
      x = stack(g, prefix, x, 0, c.nLayers(), c.nLayers(), c.dModel(), c.nHeads(), c.dFf(), t,
          true, c.norm(), memory);
    } else {
      prefix = "";
      SDVariable[] table = new SDVariable[1];
      x = embedded(g, prefix, tokens, v, t, c.dModel(), table);
      tableForTying = table[0];
      x = stack(g, prefix, x, 0, c.nLayers(), c.nLayers(), c.dModel(), c.nHeads(), c.dFf(), t,
          c.architecture() == Architecture.DECODER_ONLY, c.norm(), null);
    }
    head(g, c, prefix, x, tableForTying, labels);
  }

  /**
   * The part of a single-stack model below block {@code cut}: the embeddings and blocks
   * {@code 0..cut-1}, from the {@value ReferenceModel#TOKENS} placeholder.
   *
   * @return the residual stream entering block {@code cut}, {@code [batch·pos, d_model]}
   */
  static SDVariable writeBelow(GraphWriter g, TransformerConfig c, int cut) {
    requireSingleStack(c, cut);
    int t = c.context();
    SDVariable tokens = g.sd.placeHolder(ReferenceModel.TOKENS, DataType.INT32, -1, t);
    SDVariable x = embedded(g, "", tokens, c.vocab(), t, c.dModel(), null);
    return stack(g, "", x, 0, cut, c.nLayers(), c.dModel(), c.nHeads(), c.dFf(), t,
        c.architecture() == Architecture.DECODER_ONLY, c.norm(), null);
  }

  /**
   * The part of a single-stack model from block {@code cut} up: blocks {@code cut..N-1}, the
   * head, {@value ReferenceModel#LOGITS} and {@value ReferenceModel#LOSS}, reading the residual
   * stream from the placeholder {@code residual} {@code [batch·pos, d_model]} instead of the
   * embeddings. The parameters and ops are those of {@link #write}, so with the same weights
   * it computes the same loss.
   */
  static void writeFrom(GraphWriter g, TransformerConfig c, int cut, String residual) {
    requireSingleStack(c, cut);
    int t = c.context();
    SDVariable labels = g.sd.placeHolder(ReferenceModel.LABELS, g.type, -1, c.vocab());
    SDVariable x = g.sd.placeHolder(residual, g.type, -1, c.dModel());
    g.rows(x, t, c.dModel());
    SDVariable table = null;
    if (c.tiedEmbeddings()) {
      LayerPath embed = LayerPath.parse("embed");
      g.layer(embed, LayerKind.EMBEDDING);
      table = g.param(embed, "W_E", ParameterKind.EMBEDDING,
          new InitRule.Normal(1 / Math.sqrt(c.dModel())), c.vocab(), c.dModel());
    }
    x = stack(g, "", x, cut, c.nLayers(), c.nLayers(), c.dModel(), c.nHeads(), c.dFf(), t,
        c.architecture() == Architecture.DECODER_ONLY, c.norm(), null);
    head(g, c, "", x, table, labels);
  }

  private static void requireSingleStack(TransformerConfig c, int cut) {
    if (c.architecture() == Architecture.ENCODER_DECODER) {
      throw new IllegalArgumentException("an encoder-decoder is not split at a block: the "
          + "decoder's blocks also read the encoder's output");
    }
    if (cut < 0 || cut >= c.nLayers()) {
      throw new IllegalArgumentException("cut must be a block index in [0, " + c.nLayers()
          + "), got " + cut);
    }
  }

  private static void head(GraphWriter g, TransformerConfig c, String prefix, SDVariable x,
      SDVariable tableForTying, SDVariable labels) {
    int t = c.context();
    int v = c.vocab();
    x = finalNorm(g, prefix, x, c.dModel(), c.norm(), LayerKind.HEAD);
    SDVariable logits2d;
    if (c.tiedEmbeddings()) {
      logits2d = g.sd.mmul(x, tableForTying, false, true, false);
    } else {
      LayerPath unembed = LayerPath.parse("unembed");
      g.layer(unembed, LayerKind.HEAD);
      SDVariable w = g.param(unembed, "W_U", ParameterKind.WEIGHT,
          InitRule.normalFanIn(c.dModel(), 1), c.dModel(), v);
      SDVariable b = g.param(unembed, "b_U", ParameterKind.BIAS, InitRule.zeros(), v);
      logits2d = g.addBias(x.mmul(w), b, v);
    }
    g.sd.reshape(ReferenceModel.LOGITS, logits2d, -1, t, v);
    // Cross-entropy by hand: M2.1's softmaxCrossEntropy backprop ignores the gradient flowing
    // into it (like the sparse variant), so dividing its sum by the token count afterwards gave
    // gradients count× too large (GradientCheckTest caught it). Zero label rows add nothing to
    // the sum; dividing by the label mass averages over predicted positions only.
    SDVariable ceSum = labels.mul(g.sd.nn().logSoftmax(logits2d)).sum().neg();
    ceSum.div(ReferenceModel.LOSS, labels.sum());
  }

  private static SDVariable embedded(GraphWriter g, String prefix, SDVariable tokens, int v,
      int t, int d, SDVariable[] tableOut) {
    LayerPath embed = LayerPath.parse(prefix + "embed");
    g.layer(embed, LayerKind.EMBEDDING);
    SDVariable table = g.param(embed, "W_E", ParameterKind.EMBEDDING,
        new InitRule.Normal(1 / Math.sqrt(d)), v, d);
    if (tableOut != null) {
      tableOut[0] = table;
    }
    LayerPath posEmbed = LayerPath.parse(prefix + "pos_embed");
    g.layer(posEmbed, LayerKind.EMBEDDING);
    SDVariable pos = g.param(posEmbed, "W_pos", ParameterKind.EMBEDDING,
        new InitRule.Normal(1 / Math.sqrt(d)), t, d);
    return g.addPositions(g.embed(tokens, v, table), pos, t, d);
  }

  private static SDVariable finalNorm(GraphWriter g, String prefix, SDVariable x, int d,
      NormPosition norm, LayerKind kind) {
    if (norm != NormPosition.PRE_LN) {
      return x;
    }
    LayerPath ln = LayerPath.parse(prefix + "ln_final");
    g.layer(ln, kind);
    SDVariable gain = g.param(ln, "gamma", ParameterKind.NORM_GAIN, InitRule.ones(), d);
    SDVariable bias = g.param(ln, "beta", ParameterKind.NORM_BIAS, InitRule.zeros(), d);
    return g.normalize(x, gain, bias, d);
  }

  /**
   * Blocks {@code from..to-1} of a stack of {@code layers}. With {@code memory} (the encoder's output, {@code [batch·t, d]}) each
   * block also cross-attends to it, and its attention sublayers are named {@code self_attn}
   * and {@code cross_attn}.
   */
  private static SDVariable stack(GraphWriter g, String prefix, SDVariable x, int from, int to,
      int layers, int d, int heads, int ff, int t, boolean causal, NormPosition norm,
      SDVariable memory) {
    boolean cross = memory != null;
    int writes = (cross ? 3 : 2) * layers;
    String selfName = cross ? "self_attn" : "attn";
    for (int i = from; i < to; i++) {
      LayerPath block = LayerPath.block(prefix + "blocks", i);
      g.layer(block, LayerKind.BLOCK);
      int ln = 1;
      if (norm == NormPosition.PRE_LN) {
        SDVariable h = g.layerNorm(block, "ln" + ln++, x, d);
        x = x.add(g.attention(block, selfName, h, h, t, t, d, heads, causal, writes));
        if (cross) {
          h = g.layerNorm(block, "ln" + ln++, x, d);
          x = x.add(g.attention(block, "cross_attn", h, memory, t, t, d, heads, false, writes));
        }
        h = g.layerNorm(block, "ln" + ln, x, d);
        x = x.add(g.mlp(block, h, d, ff, writes));
      } else {
        x = g.layerNorm(block, "ln" + ln++,
            x.add(g.attention(block, selfName, x, x, t, t, d, heads, causal, writes)), d);
        if (cross) {
          x = g.layerNorm(block, "ln" + ln++,
              x.add(g.attention(block, "cross_attn", x, memory, t, t, d, heads, false, writes)),
              d);
        }
        x = g.layerNorm(block, "ln" + ln, x.add(g.mlp(block, x, d, ff, writes)), d);
      }
      // every sublayer addressable on its own (blocks.i.attn, .mlp, .ln1, …): the study wipes
      // one at a time, and the layer map checks each names only variables of its block
      g.sublayer(block.child(selfName), block);
      if (cross) {
        g.sublayer(block.child("cross_attn"), block);
      }
      g.sublayer(block.child("mlp"), block);
      for (int k = 1; k <= ln; k++) {
        g.sublayer(block.child("ln" + k), block);
      }
    }
    return x;
  }
}
