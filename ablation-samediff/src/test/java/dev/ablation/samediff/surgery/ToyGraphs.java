package dev.ablation.samediff.surgery;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * Tiny hand-built SameDiff transformers whose variable names follow none of the library's
 * conventions, as a user's own graph would: a 2-block causal pre-LN decoder and a 1+2-block
 * encoder-decoder with cross-attention. One head, one-hot × matrix embeddings, hand-rolled
 * attention with an upper-triangle −1e9 mask, {@code nn().layerNorm}, softmax cross-entropy.
 */
final class ToyGraphs {
  static final int V = 7;
  static final int D = 8;
  static final int T = 5;
  static final int B = 4;

  private ToyGraphs() {}

  /** A built graph, its declared map and its data. */
  record Toy(SameDiffModel model, List<String> inputs, List<LayerPath> blocks,
      List<LayerPath> sublayers) {
    SameDiff sd() {
      return model.graph();
    }

    /** A deterministic batch: next token = (token + 1) mod V, a learnable rule. */
    Batch batch(long seed) {
      return batch(seed, B);
    }

    /** A batch of {@code rows} sequences. */
    Batch batch(long seed, int rows) {
      SplittableRandom r = new SplittableRandom(seed);
      java.util.LinkedHashMap<String, INDArray> ph = new java.util.LinkedHashMap<>();
      int[][] last = null;
      for (String in : inputs) {
        int[][] tok = new int[rows][T];
        for (int b = 0; b < rows; b++) {
          for (int t = 0; t < T; t++) {
            tok[b][t] = r.nextInt(V);
          }
        }
        ph.put(in, Nd4j.createFromArray(tok));
        last = tok;
      }
      float[][][] lab = new float[rows][T][V];
      for (int b = 0; b < rows; b++) {
        for (int t = 0; t < T; t++) {
          lab[b][t][(last[b][t] + 1) % V] = 1f;
        }
      }
      ph.put("labels", Nd4j.createFromArray(lab));
      return new Batch(ph, rows, (long) rows * T);
    }

    /** k steps of the user's own {@code sd.fit}: Adam with decoupled weight decay. */
    void fit(int k, long seed) {
      if (sd().getTrainingConfig() == null) {
        sd().setTrainingConfig(TrainingConfig.builder()
            .updater(new Adam(1e-2))
            .weightDecay(1e-2, true)
            .dataSetFeatureMapping(inputs.toArray(new String[0]))
            .dataSetLabelMapping("labels")
            .build());
      }
      for (int i = 0; i < k; i++) {
        Batch b = batch(seed + i);
        INDArray[] f = inputs.stream().map(n -> b.placeholders().get(n)).toArray(INDArray[]::new);
        MultiDataSet mds = new org.nd4j.linalg.dataset.MultiDataSet(f,
            new INDArray[] {b.placeholders().get("labels")});
        sd().fit(mds);
      }
    }

    INDArray logits(Batch b) {
      return sd().output(b.placeholders(), model.logitsVariable().orElseThrow())
          .get(model.logitsVariable().orElseThrow());
    }
  }

  /** The 2-block causal decoder-only graph with foreign names, and its declared map. */
  static Toy foreignDecoder(long seed) {
    SameDiff sd = buildDecoder(seed);
    LayerMap map = declareDecoderMap().build(sd);
    return new Toy(new SameDiffModel(sd, map, "xent", Optional.of("scores_out")),
        List.of("ids"), List.of(LayerPath.parse("blocks.0"), LayerPath.parse("blocks.1")),
        List.of());
  }

  static SameDiff buildDecoder(long seed) {
    Nd4j.getRandom().setSeed(seed);
    SameDiff sd = SameDiff.create();
    SDVariable ids = sd.placeHolder("ids", DataType.INT32, -1, T);
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, -1, T, V);
    SDVariable x = embed(sd, ids, "tokTable", "posTable");
    SDVariable mask = causalMask(sd);
    for (int i = 0; i < 2; i++) {
      String p = "t" + i + "_";
      SDVariable h = ln(sd, x, p + "lnA");
      x = x.add(attention(sd, h, h, p, mask, false));
      x = x.add(mlp(sd, ln(sd, x, p + "lnB"), p));
    }
    head(sd, x, labels);
    return sd;
  }

  static LayerMap.Builder declareDecoderMap() {
    return LayerMap.builder()
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .layerMatching(LayerPath.parse("blocks.0"), LayerKind.BLOCK, "t0_.*")
        .layerMatching(LayerPath.parse("blocks.1"), LayerKind.BLOCK, "t1_.*")
        .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD,
            List.of("fin_g", "fin_b", "readout"))
        .kind("t\\d_(mix|down)", ParameterKind.OUTPUT_WEIGHT)
        .kind("t\\d_(mixb|downb)", ParameterKind.OUTPUT_BIAS)
        .inferInitFromValues();
  }

  /** Encoder (1 block) + decoder (2 blocks, each with cross-attention), foreign names. */
  static Toy encoderDecoder(long seed) {
    Nd4j.getRandom().setSeed(seed);
    SameDiff sd = SameDiff.create();
    SDVariable src = sd.placeHolder("src", DataType.INT32, -1, T);
    SDVariable tgt = sd.placeHolder("tgt", DataType.INT32, -1, T);
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, -1, T, V);
    SDVariable e = embed(sd, src, "srcTable", "srcPos");
    SDVariable eh = ln(sd, e, "e0_lnA");
    e = e.add(attention(sd, eh, eh, "e0_", null, false));
    e = e.add(mlp(sd, ln(sd, e, "e0_lnB"), "e0_"));
    SDVariable mem = ln(sd, e, "eFin");
    SDVariable x = embed(sd, tgt, "tgtTable", "tgtPos");
    SDVariable mask = causalMask(sd);
    for (int i = 0; i < 2; i++) {
      String p = "d" + i + "_";
      SDVariable h = ln(sd, x, p + "lnA");
      x = x.add(attention(sd, h, h, p, mask, false));
      x = x.add(attention(sd, ln(sd, x, p + "xln"), mem, p + "x", null, true));
      x = x.add(mlp(sd, ln(sd, x, p + "lnB"), p));
    }
    head(sd, x, labels);
    LayerMap.Builder m = LayerMap.builder()
        .layerMatching(LayerPath.parse("encoder.embed"), LayerKind.EMBEDDING, "src(Table|Pos)")
        .layerMatching(LayerPath.parse("encoder.blocks.0"), LayerKind.BLOCK, "e0_.*")
        .layerMatching(LayerPath.parse("encoder.ln_final"), LayerKind.OTHER, "eFin_.*")
        .layerMatching(LayerPath.parse("decoder.embed"), LayerKind.EMBEDDING, "tgt(Table|Pos)");
    for (int i = 0; i < 2; i++) {
      m.layerMatching(LayerPath.parse("decoder.blocks." + i), LayerKind.BLOCK, "d" + i + "_.*")
          .layerMatching(LayerPath.parse("decoder.blocks." + i + ".cross_attn"), LayerKind.SUBLAYER,
              "d" + i + "_x.*");
    }
    m.layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD,
            List.of("fin_g", "fin_b", "readout"))
        .kind("[ed]\\d_x?(mix|down)", ParameterKind.OUTPUT_WEIGHT)
        .kind("[ed]\\d_x?(mixb|downb)", ParameterKind.OUTPUT_BIAS)
        .inferInitFromValues();
    LayerMap map = m.build(sd);
    return new Toy(new SameDiffModel(sd, map, "xent", Optional.of("scores_out")),
        List.of("src", "tgt"),
        List.of(LayerPath.parse("encoder.blocks.0"), LayerPath.parse("decoder.blocks.0"),
            LayerPath.parse("decoder.blocks.1")),
        List.of(LayerPath.parse("decoder.blocks.0.cross_attn"),
            LayerPath.parse("decoder.blocks.1.cross_attn")));
  }

  /** Two "layers" a.0 {w: [2, 3]} and a.1 {w: [3, 3]}: COPY_FROM between them must fail. */
  static Toy twoWidths() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2);
    SDVariable h = x.mmul(sd.var("l0_w", Nd4j.rand(DataType.FLOAT, 2, 3)));
    h = h.mmul(sd.var("l1_w", Nd4j.rand(DataType.FLOAT, 3, 3)));
    sd.sum("loss", h);
    LayerMap map = LayerMap.builder()
        .layerMatching(LayerPath.parse("a.0"), LayerKind.BLOCK, "l0_(.*)")
        .layerMatching(LayerPath.parse("a.1"), LayerKind.BLOCK, "l1_(.*)")
        .build(sd);
    return new Toy(new SameDiffModel(sd, map, "loss", Optional.empty()), List.of("x"),
        List.of(LayerPath.parse("a.0"), LayerPath.parse("a.1")), List.of());
  }

  // ------------------------------------------------------------------ graph building blocks

  private static SDVariable w(SameDiff sd, String name, long fanIn, long fanOut) {
    return sd.var(name, new XavierInitScheme('c', fanIn, fanOut), DataType.FLOAT, fanIn, fanOut);
  }

  private static SDVariable zerosVar(SameDiff sd, String name, long n) {
    return sd.var(name, Nd4j.zeros(DataType.FLOAT, n));
  }

  private static SDVariable embed(SameDiff sd, SDVariable ids, String table, String pos) {
    SDVariable oh = sd.oneHot(ids, V, -1, 1.0, 0.0, DataType.FLOAT); // [b, T, V]
    SDVariable e = sd.reshape(oh, -1, V).mmul(w(sd, table, V, D));
    return sd.reshape(e, -1, T, D).add(
        sd.var(pos, Nd4j.rand(DataType.FLOAT, T, D).subi(0.5).muli(0.2)));
  }

  private static SDVariable ln(SameDiff sd, SDVariable x, String p) {
    SDVariable g = sd.hasVariable(p + "_g") ? sd.getVariable(p + "_g")
        : sd.var(p + "_g", Nd4j.ones(DataType.FLOAT, D));
    SDVariable b = sd.hasVariable(p + "_b") ? sd.getVariable(p + "_b")
        : sd.var(p + "_b", Nd4j.zeros(DataType.FLOAT, D));
    return sd.nn().layerNorm(x, g, b, false, 2);
  }

  private static SDVariable linear(SameDiff sd, SDVariable x, SDVariable wt, long out) {
    return sd.reshape(sd.reshape(x, -1, wt.getShape()[0]).mmul(wt), -1, T, out);
  }

  private static SDVariable attention(SameDiff sd, SDVariable qIn, SDVariable kvIn, String p,
      SDVariable mask, boolean cross) {
    SDVariable q = linear(sd, qIn, w(sd, p + "q", D, D), D);
    SDVariable k = linear(sd, kvIn, w(sd, p + "k", D, D), D);
    SDVariable v = linear(sd, kvIn, w(sd, p + "v", D, D), D);
    SDVariable s = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(D)); // [b, T, T]
    if (mask != null) {
      s = s.add(mask);
    }
    SDVariable a = sd.nn().softmax(s, 2);
    SDVariable o = sd.mmul(a, v);
    return linear(sd, o, w(sd, p + "mix", D, D), D).add(zerosVar(sd, p + "mixb", D));
  }

  private static SDVariable mlp(SameDiff sd, SDVariable x, String p) {
    SDVariable h = linear(sd, x, w(sd, p + "up", D, 2 * D), 2 * D)
        .add(zerosVar(sd, p + "upb", 2 * D));
    h = sd.nn().gelu(h);
    return linear(sd, h, w(sd, p + "down", 2 * D, D), D).add(zerosVar(sd, p + "downb", D));
  }

  private static SDVariable causalMask(SameDiff sd) {
    float[][] m = new float[T][T];
    for (int i = 0; i < T; i++) {
      for (int j = i + 1; j < T; j++) {
        m[i][j] = -1e9f;
      }
    }
    return sd.constant("causal", Nd4j.createFromArray(m));
  }

  private static void head(SameDiff sd, SDVariable x, SDVariable labels) {
    SDVariable h = sd.nn().layerNorm(x, sd.var("fin_g", Nd4j.ones(DataType.FLOAT, D)),
        sd.var("fin_b", Nd4j.zeros(DataType.FLOAT, D)), false, 2);
    SDVariable logits = sd.reshape(sd.reshape(h, -1, D).mmul(w(sd, "readout", D, V)), -1, T, V);
    sd.identity("scores_out", logits);
    sd.loss().softmaxCrossEntropy("xent", sd.reshape(labels, -1, V), sd.reshape(logits, -1, V),
        null);
    sd.setLossVariables("xent");
  }

  static List<String> names(List<LayerPath> ps) {
    List<String> out = new ArrayList<>();
    ps.forEach(p -> out.add(p.toString()));
    return out;
  }

  static Map<String, INDArray> noPlaceholders() {
    return Map.of();
  }
}
