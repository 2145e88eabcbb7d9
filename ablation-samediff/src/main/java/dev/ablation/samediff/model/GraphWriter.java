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
  /** {@code [batch·pos, k]}, computed from placeholders only: where the ones column comes from. */
  private SDVariable rowSource;
  private int rowPositions;
  private int rowWidth;
  private SDVariable onesBatch;

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

  /** The seed of one parameter's initial draw: {@link dev.ablation.api.recovery.Seeds#parameter}. */
  static long parameterSeed(long seed, ParameterPath p) {
    return dev.ablation.api.recovery.Seeds.parameter(seed, p);
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
    SDVariable oneHot = sd.reshape(sd.oneHot(tokens, vocab, -1, 1.0, 0.0, type), -1, vocab);
    rows(oneHot, (int) tokens.getShape()[1], vocab);
    return oneHot.mmul(table);
  }

  /**
   * Declares {@code source [batch·pos, width]}, a value computed from placeholders only (no
   * parameter), as the source of the graph's ones column over the batch (for the position
   * embeddings and the causal mask). The first declaration wins; every stack of a reference
   * graph has the same rows.
   */
  void rows(SDVariable source, int positions, int width) {
    if (rowSource == null) {
      rowSource = source;
      rowPositions = positions;
      rowWidth = width;
    }
  }

  /** {@code [batch, 1]} ones, from the row source (computed once per pass, no gradient). */
  private SDVariable onesBatch() {
    if (onesBatch == null) {
      long k = (long) rowPositions * rowWidth;
      onesBatch = sd.reshape(rowSource, -1, k)
          .mmul(constant("zeros_" + k + "x1", Nd4j.zeros(k, 1))).add(1.0);
    }
    return onesBatch;
  }

  /**
   * {@code x [batch·pos, n] + b [n]}, a plain broadcast add. (Writing it as the outer product
   * {@code ones [batch·pos, 1] · b [1, n]} turns M2.1's slow {@code add_bp} column reduction
   * into a product, but adds a reshape and a product per bias and their gradients: measured
   * slower at N=2/D=32 and within noise at N=4/D=64, {@code docs/performance.md}.)
   */
  SDVariable addBias(SDVariable x, SDVariable b, long n) {
    return x.add(b);
  }

  /**
   * Adds {@code [pos, d]} position embeddings to {@code [batch·pos, d]}, broadcast over the
   * batch as an outer product ({@code ones [batch, 1] · pos [1, pos·d]}): its gradient is the
   * product {@code onesᵀ · g}, not M2.1's {@code add_bp} reduction over the batch.
   */
  SDVariable addPositions(SDVariable x, SDVariable pos, int positions, int d) {
    SDVariable tiled = onesBatch().mmul(sd.reshape(pos, 1, (long) positions * d));
    return x.add(sd.reshape(tiled, -1, d));
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
    // x − mean(x) as one product with the centring matrix I − 1/d (no broadcast subtract)
    SDVariable centring = constant("ln_centre_" + d,
        Nd4j.eye(d).castTo(DataType.DOUBLE).subi(1.0 / d));
    SDVariable centred = x.mmul(centring);
    SDVariable inverse = sd.math().rsqrt(centred.mul(centred).mmul(mean).add(1e-5));
    return addBias(centred.mul(inverse.mmul(sd.reshape(g, 1, d))), b, d);
  }

  private SDVariable constant(String name, INDArray value) {
    return sd.hasVariable(name) ? sd.getVariable(name) : sd.constant(name, value.castTo(type));
  }

  /**
   * Multi-head attention of queries {@code xq [batch·tq, d]} over keys/values
   * {@code xkv [batch·tk, d]}, returning {@code [batch·tq, d]} after {@code W_O}.
   *
   * <p>Self-attention ({@code xkv == xq}) projects queries, keys and values with one fused
   * matrix {@code W_QKV [d, 3d]} (columns {@code [0, d)} are the queries', then the keys', then
   * the values'; within each, head after head) and one bias {@code b_QKV [3d]}; cross-attention
   * projects the queries with {@code W_Q}/{@code b_Q} and keys and values from the memory with
   * {@code W_KV [d, 2d]}/{@code b_KV}. The fused arrays are each one parameter of the block,
   * drawn from the rule the separate projections used (every slice has the same law), and one
   * matrix product, bias add, reshape and permute replace three: a training step runs fewer,
   * larger ops ({@code docs/performance.md}).
   *
   * @param residualWrites how many sublayers write into this stack's residual stream; the
   *     output projection's std is divided by its square root
   */
  SDVariable attention(LayerPath block, String name, SDVariable xq, SDVariable xkv, int tq,
      int tk, int d, int heads, boolean causal, int residualWrites) {
    int dh = d / heads;
    InitRule w = InitRule.normalFanIn(d, 1);
    SDVariable q;
    SDVariable k;
    SDVariable v;
    if (xq == xkv) {
      SDVariable wqkv = param(block, name + ".W_QKV", ParameterKind.WEIGHT, w, d, 3L * d);
      SDVariable bqkv = param(block, name + ".b_QKV", ParameterKind.BIAS, InitRule.zeros(),
          3L * d);
      // [b·t, 3d] -> [b, t, 3, h, dh] -> [3, b, h, t, dh] -> q, k, v [b, h, t, dh]
      SDVariable[] qkv = sd.unstack(sd.permute(sd.reshape(addBias(xq.mmul(wqkv), bqkv, 3L * d),
          -1, tq, 3, heads, dh), 2, 0, 3, 1, 4), 0, 3);
      q = qkv[0];
      k = qkv[1];
      v = qkv[2];
    } else {
      SDVariable wq = param(block, name + ".W_Q", ParameterKind.WEIGHT, w, d, d);
      SDVariable bq = param(block, name + ".b_Q", ParameterKind.BIAS, InitRule.zeros(), d);
      SDVariable wkv = param(block, name + ".W_KV", ParameterKind.WEIGHT, w, d, 2L * d);
      SDVariable bkv = param(block, name + ".b_KV", ParameterKind.BIAS, InitRule.zeros(),
          2L * d);
      q = sd.permute(sd.reshape(addBias(xq.mmul(wq), bq, d), -1, tq, heads, dh), 0, 2, 1, 3);
      SDVariable[] kv = sd.unstack(sd.permute(sd.reshape(addBias(xkv.mmul(wkv), bkv, 2L * d),
          -1, tk, 2, heads, dh), 2, 0, 3, 1, 4), 0, 2);
      k = kv[0];
      v = kv[1];
    }
    SDVariable wo = param(block, name + ".W_O", ParameterKind.OUTPUT_WEIGHT,
        new InitRule.Normal(1 / Math.sqrt(d) / Math.sqrt(residualWrites)), d, d);
    SDVariable bo = param(block, name + ".b_O", ParameterKind.OUTPUT_BIAS, InitRule.zeros(), d);

    // scores [b, h, tq, tk] = q·kᵀ / sqrt(dh): the transpose is the product's flag, not an op
    SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(dh));
    if (causal) {
      scores = scores.add(causalMask(tq, tk, heads));
    }
    SDVariable att = sd.nn().softmax(scores, 3);
    SDVariable out = sd.reshape(sd.permute(att.mmul(v), 0, 2, 1, 3), -1, d);
    return addBias(out.mmul(wo), bo, d);
  }

  /**
   * {@code [batch, heads, tq, tk]}: 0 on and below the diagonal, −1e9 above (no attending to
   * the future), built from constants and the row source only, so it takes no gradient and
   * adding it to the scores is a same-shape add (M2.1's {@code add_bp} for a {@code [tq, tk]}
   * mask broadcast over batch and heads summed the mask's unused gradient over both, ≈ 3 ms on
   * {@code [32, 4, 64, 64]}). One per graph and shape, shared by every block.
   */
  SDVariable causalMask(int tq, int tk, int heads) {
    String name = "causal_mask_" + heads + "x" + tq + "x" + tk;
    if (sd.hasVariable(name)) {
      return sd.getVariable(name);
    }
    double[] m = new double[heads * tq * tk];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < tq; i++) {
        for (int j = i + 1; j < tk; j++) {
          m[(h * tq + i) * tk + j] = -1e9;
        }
      }
    }
    SDVariable row = sd.constant(name + "_row",
        Nd4j.create(m, new long[] {1, m.length}, DataType.DOUBLE).castTo(type));
    return sd.reshape(name, onesBatch().mmul(row), -1, heads, tq, tk);
  }

  SDVariable mlp(LayerPath block, SDVariable x, int d, int ff, int residualWrites) {
    SDVariable wIn = param(block, "mlp.W_in", ParameterKind.WEIGHT, InitRule.normalFanIn(d, 1),
        d, ff);
    SDVariable bIn = param(block, "mlp.b_in", ParameterKind.BIAS, InitRule.zeros(), ff);
    SDVariable wOut = param(block, "mlp.W_out", ParameterKind.OUTPUT_WEIGHT,
        new InitRule.Normal(1 / Math.sqrt(ff) / Math.sqrt(residualWrites)), ff, d);
    SDVariable bOut = param(block, "mlp.b_out", ParameterKind.OUTPUT_BIAS, InitRule.zeros(), d);
    return addBias(sd.nn().gelu(addBias(x.mmul(wIn), bIn, ff)).mmul(wOut), bOut, d);
  }
}
