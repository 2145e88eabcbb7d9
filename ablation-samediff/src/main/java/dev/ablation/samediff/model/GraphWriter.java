package dev.ablation.samediff.model;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.InitRule;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes transformer pieces into a graph and records each parameter (path, variable, kind,
 * init rule) for the layer map. Activations stay 2-D {@code [batch·pos, d]} between blocks, so
 * every dense layer is one plain matrix product; only attention reshapes to
 * {@code [batch, heads, pos, d_head]}.
 */
final class GraphWriter {
  final SameDiff sd;
  final DataType type;
  private final long seed;
  /** When set, parameters are this graph's arrays (shared, not copied) instead of new draws. */
  private final SameDiff source;
  private final Map<LayerPath, LayerKind> kinds = new LinkedHashMap<>();
  private final Map<LayerPath, List<ParameterSpec>> specs = new LinkedHashMap<>();

  GraphWriter(SameDiff sd, DataType type, long seed) {
    this.sd = sd;
    this.type = type;
    this.seed = seed;
    this.source = null;
  }

  /**
   * A writer whose parameters are {@code source}'s arrays, the same objects: an update written
   * in place into one graph is seen by the other (checked against M2.1: {@code sd.var(name,
   * arr)} keeps the array it is given unless it is a view or already used in that graph).
   */
  GraphWriter(SameDiff sd, DataType type, SameDiff source) {
    this.sd = sd;
    this.type = type;
    this.seed = 0;
    this.source = source;
  }

  /** The variable name of a parameter path: its segments joined by {@code /}. */
  static String variableName(ParameterPath p) {
    return String.join("/", p.segments());
  }

  /** The seed of one parameter's initial draw: {@link dev.ablation.api.Seeds#parameter}. */
  static long parameterSeed(long seed, ParameterPath p) {
    return dev.ablation.api.Seeds.parameter(seed, p);
  }

  void layer(LayerPath path, LayerKind kind) {
    kinds.put(path, kind);
    specs.put(path, new ArrayList<>());
  }

  SDVariable param(LayerPath layer, String relative, ParameterKind kind, InitRule init,
      long... shape) {
    ParameterPath p = layer.parameter(relative);
    String name = variableName(p);
    SDVariable v;
    if (source == null) {
      v = sd.var(name, init.sample(shape, type, parameterSeed(seed, p)));
    } else {
      INDArray shared = source.getVariable(name).getArr();
      if (shared.isView()) {
        throw new IllegalStateException("parameter '" + name + "' is a view; it cannot be "
            + "shared with a split graph");
      }
      v = sd.var(name, shared);
    }
    specs.get(layer).add(new ParameterSpec(p, name, kind, init));
    return v;
  }

  /** Re-declares parameters of {@code from} in a sublayer (they stay owned by the block). */
  void sublayer(LayerPath sub, LayerPath from) {
    List<ParameterSpec> shared = new ArrayList<>();
    for (ParameterSpec s : specs.get(from)) {
      if (sub.contains(s.path())) {
        shared.add(s);
      }
    }
    kinds.put(sub, LayerKind.SUBLAYER);
    specs.put(sub, shared);
  }

  LayerMap layerMap() {
    LayerMap.Builder b = LayerMap.builder();
    kinds.forEach((path, kind) -> b.layer(path, kind, specs.get(path)));
    return b.build(sd);
  }

  // ---- pieces -------------------------------------------------------------------------------

  /** One-hot tokens {@code [batch, pos]} times the table: {@code [batch·pos, d]}. */
  SDVariable embed(SDVariable tokens, int vocab, SDVariable table) {
    SDVariable oneHot = sd.oneHot(tokens, vocab, -1, 1.0, 0.0, type);
    return sd.reshape(oneHot, -1, vocab).mmul(table);
  }

  /** Adds {@code [pos, d]} position embeddings to {@code [batch·pos, d]}. */
  SDVariable addPositions(SDVariable x, SDVariable pos, int positions, int d) {
    return sd.reshape(sd.reshape(x, -1, positions, d).add(pos), -1, d);
  }

  SDVariable layerNorm(LayerPath block, String name, SDVariable x, int d) {
    SDVariable g = param(block, name + ".gamma", ParameterKind.NORM_GAIN, InitRule.ones(), d);
    SDVariable b = param(block, name + ".beta", ParameterKind.NORM_BIAS, InitRule.zeros(), d);
    return normalize(x, g, b, d);
  }

  /**
   * Layer norm of {@code x [rows, d]} over its last dimension, with gain and bias {@code [d]}:
   * {@code (x − mean) / sqrt(var + 1e-5) · g + b}, as M2.1's {@code layerNorm} computes it.
   *
   * <p>Written with matrix products instead of {@code nn().layerNorm}: the row means and
   * variances are {@code x·(1/d)}, and the gain enters as the outer product of the inverse
   * deviations with it ({@code [rows, 1]·[1, d]}), so the reductions and the gain's broadcast
   * (and their gradients) are small matmuls. M2.1's {@code layer_norm_bp} took ≈ 3.5 ms on a
   * {@code [2048, 64]} input, the largest op of a training step; this form's forward and
   * backward together take about a quarter less ({@code docs/performance.md}).
   */
  SDVariable normalize(SDVariable x, SDVariable g, SDVariable b, int d) {
    SDVariable mean = constant("ln_mean_" + d, Nd4j.valueArrayOf(new long[] {d, 1}, 1.0 / d));
    SDVariable centred = x.sub(x.mmul(mean));
    SDVariable inverse = sd.math().rsqrt(centred.mul(centred).mmul(mean).add(1e-5));
    return centred.mul(inverse.mmul(sd.reshape(g, 1, d))).add(b);
  }

  private SDVariable constant(String name, INDArray value) {
    return sd.hasVariable(name) ? sd.getVariable(name) : sd.constant(name, value.castTo(type));
  }

  /**
   * Multi-head attention of queries {@code xq [batch·tq, d]} over keys/values
   * {@code xkv [batch·tk, d]}, returning {@code [batch·tq, d]} after {@code W_O}.
   *
   * @param residualWrites how many sublayers write into this stack's residual stream; the
   *     output projection's std is divided by its square root
   */
  SDVariable attention(LayerPath block, String name, SDVariable xq, SDVariable xkv, int tq,
      int tk, int d, int heads, boolean causal, int residualWrites) {
    int dh = d / heads;
    InitRule w = InitRule.normalFanIn(d, 1);
    SDVariable wq = param(block, name + ".W_Q", ParameterKind.WEIGHT, w, d, d);
    SDVariable bq = param(block, name + ".b_Q", ParameterKind.BIAS, InitRule.zeros(), d);
    SDVariable wk = param(block, name + ".W_K", ParameterKind.WEIGHT, w, d, d);
    SDVariable bk = param(block, name + ".b_K", ParameterKind.BIAS, InitRule.zeros(), d);
    SDVariable wv = param(block, name + ".W_V", ParameterKind.WEIGHT, w, d, d);
    SDVariable bv = param(block, name + ".b_V", ParameterKind.BIAS, InitRule.zeros(), d);
    SDVariable wo = param(block, name + ".W_O", ParameterKind.OUTPUT_WEIGHT,
        new InitRule.Normal(1 / Math.sqrt(d) / Math.sqrt(residualWrites)), d, d);
    SDVariable bo = param(block, name + ".b_O", ParameterKind.OUTPUT_BIAS, InitRule.zeros(), d);

    // q [b, h, tq, dh], k [b, h, dh, tk] (transposed by the permute itself), v [b, h, tk, dh]
    SDVariable q = sd.permute(sd.reshape(xq.mmul(wq).add(bq), -1, tq, heads, dh), 0, 2, 1, 3);
    SDVariable k = sd.permute(sd.reshape(xkv.mmul(wk).add(bk), -1, tk, heads, dh), 0, 2, 3, 1);
    SDVariable v = sd.permute(sd.reshape(xkv.mmul(wv).add(bv), -1, tk, heads, dh), 0, 2, 1, 3);
    SDVariable scores = q.mmul(k).mul(1.0 / Math.sqrt(dh));
    if (causal) {
      scores = scores.add(causalMask(tq, tk));
    }
    SDVariable att = sd.nn().softmax(scores, 3);
    SDVariable out = sd.reshape(sd.permute(att.mmul(v), 0, 2, 1, 3), -1, d);
    return out.mmul(wo).add(bo);
  }

  /** {@code [t, t]}: 0 on and below the diagonal, −1e9 above (no attending to the future). */
  private SDVariable causalMask(int tq, int tk) {
    double[][] m = new double[tq][tk];
    for (int i = 0; i < tq; i++) {
      for (int j = i + 1; j < tk; j++) {
        m[i][j] = -1e9;
      }
    }
    String name = "causal_mask_" + tq + "x" + tk;
    return sd.hasVariable(name) ? sd.getVariable(name)
        : sd.constant(name, Nd4j.create(m).castTo(type));
  }

  SDVariable mlp(LayerPath block, SDVariable x, int d, int ff, int residualWrites) {
    SDVariable wIn = param(block, "mlp.W_in", ParameterKind.WEIGHT, InitRule.normalFanIn(d, 1),
        d, ff);
    SDVariable bIn = param(block, "mlp.b_in", ParameterKind.BIAS, InitRule.zeros(), ff);
    SDVariable wOut = param(block, "mlp.W_out", ParameterKind.OUTPUT_WEIGHT,
        new InitRule.Normal(1 / Math.sqrt(ff) / Math.sqrt(residualWrites)), ff, d);
    SDVariable bOut = param(block, "mlp.b_out", ParameterKind.OUTPUT_BIAS, InitRule.zeros(), d);
    return sd.nn().gelu(x.mmul(wIn).add(bIn)).mmul(wOut).add(bOut);
  }
}
