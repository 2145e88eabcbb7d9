package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import dev.ablation.samediff.Batch;
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
 * K decoder-only reference models of one configuration
 * in one graph: every parameter stacked on a leading member axis ({@code blocks/0/attn/W_QKV}
 * becomes {@code [K, d, 3d]}), dense layers as batched matrix products, each member reading its
 * own batch ({@value #TOKENS} {@code [K, batch, context]}, {@value #LABELS}
 * {@code [K·batch·context, vocab]}, member after member), {@value #MEMBER_LOSS} {@code [K]}
 * each member's mean cross-entropy and {@value #LOSS} their sum. Members share no parameter
 * and no activation, so the gradient of the sum with respect to member k's parameters is the
 * gradient of member k's own loss.
 *
 * <p>It computes the function of {@link Transformers} for pre-LN decoders (fused QKV, layer
 * norm centring as a product) with the member axis added; what it does not have yet is
 * listed in {@code docs/performance.md} (per-member fast path, encoder and post-LN
 * architectures). {@code PopulationRecovery} runs K recoveries on it.
 */
public final class PopulationModel {
  /** Placeholder: token ids {@code [K, batch, context]}. */
  public static final String TOKENS = "tokens";
  /** Placeholder: one-hot targets {@code [K·batch·context, vocab]}, member after member. */
  public static final String LABELS = "labels";
  /** Variable: each member's loss {@code [K]}. */
  public static final String MEMBER_LOSS = "member_loss";
  /** Variable: the sum of the members' losses (what the gradient is taken of). */
  public static final String LOSS = "loss";

  private final ReferenceModel like;
  private final TransformerConfig config;
  private final int members;
  private final SameDiff sd;
  private final List<String> parameters;

  private PopulationModel(ReferenceModel like, int members, SameDiff sd,
      List<String> parameters) {
    this.like = like;
    this.config = like.config();
    this.members = members;
    this.sd = sd;
    this.parameters = parameters;
  }

  /**
   * Stacks {@code models}' current parameter values into one population graph (copies: the
   * members are independent of the models afterwards).
   *
   * @throws IllegalArgumentException for fewer than one model, models of different
   *     configurations, or a configuration that is not a pre-LN decoder-only with untied
   *     embeddings in float
   */
  public static PopulationModel stack(List<ReferenceModel> models) {
    if (models == null || models.isEmpty()) {
      throw new IllegalArgumentException("a population needs at least one member");
    }
    TransformerConfig c = models.get(0).config();
    for (ReferenceModel m : models) {
      if (!m.config().equals(c) || m.dataType() != DataType.FLOAT) {
        throw new IllegalArgumentException("members must share one float configuration; got "
            + m.config() + " " + m.dataType() + " beside " + c);
      }
    }
    List<Map<String, INDArray>> weights = new ArrayList<>();
    for (ReferenceModel m : models) {
      Map<String, INDArray> w = new LinkedHashMap<>();
      for (String name : models.get(0).parameterVariables()) {
        w.put(name, m.graph().getVariable(name).getArr());
      }
      weights.add(w);
    }
    return stack(models.get(0), weights);
  }

  /**
   * Why {@code model} cannot be a member of a population, or empty when it can (a pre-LN
   * decoder-only model with untied embeddings, in float).
   */
  public static java.util.Optional<String> refusal(ReferenceModel model) {
    TransformerConfig c = model.config();
    if (model.dataType() != DataType.FLOAT) {
      return java.util.Optional.of("members must be float models; got " + model.dataType());
    }
    if (c.architecture() != Architecture.DECODER_ONLY || c.norm() != NormPosition.PRE_LN
        || c.tiedEmbeddings()) {
      return java.util.Optional.of("the population covers pre-LN decoder-only models with "
          + "untied embeddings; got " + c);
    }
    return java.util.Optional.empty();
  }

  /**
   * A population of {@code weights.size()} members of {@code like}'s configuration, member k
   * holding {@code weights.get(k)} (by {@code like}'s variable names; copied): one reference
   * model and K weight maps instead of K graphs.
   *
   * @throws IllegalArgumentException as {@link #stack(List)}, or when a map lacks a parameter
   *     of {@code like} or holds one of another shape
   */
  public static PopulationModel stack(ReferenceModel like, List<Map<String, INDArray>> weights) {
    if (weights == null || weights.isEmpty()) {
      throw new IllegalArgumentException("a population needs at least one member");
    }
    TransformerConfig c = like.config();
    refusal(like).ifPresent(why -> {
      throw new IllegalArgumentException(why);
    });
    Map<String, INDArray> stacked = new LinkedHashMap<>();
    for (String name : like.parameterVariables()) {
      long[] shape = like.graph().getVariable(name).getArr().shape();
      INDArray[] each = new INDArray[weights.size()];
      for (int k = 0; k < each.length; k++) {
        each[k] = weights.get(k).get(name);
        if (each[k] == null || !java.util.Arrays.equals(each[k].shape(), shape)) {
          throw new IllegalArgumentException("member " + k + " has "
              + (each[k] == null ? "no parameter '" + name + "'"
                  : "'" + name + "' of shape " + java.util.Arrays.toString(each[k].shape()))
              + "; the model's is " + java.util.Arrays.toString(shape));
        }
      }
      stacked.put(name, Nd4j.stack(0, each).castTo(DataType.FLOAT));
    }
    SameDiff sd = SameDiff.create();
    new Writer(sd, c, weights.size(), stacked).write();
    sd.setLossVariables(LOSS);
    return new PopulationModel(like, weights.size(), sd, List.copyOf(stacked.keySet()));
  }

  /** Member {@code k}'s parameters, by variable name (copies), in model order. */
  public Map<String, INDArray> memberWeights(int k) {
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String v : parameters) {
      w.put(v, memberParameter(v, k));
    }
    return w;
  }

  /** The graph. */
  public SameDiff graph() {
    return sd;
  }

  /** K. */
  public int members() {
    return members;
  }

  /** The reference model whose configuration and parameter names the members share. */
  public ReferenceModel reference() {
    return like;
  }

  /** The members' configuration. */
  public TransformerConfig config() {
    return config;
  }

  /** The stacked parameters' variable names (the reference model's names), in model order. */
  public List<String> parameterVariables() {
    return parameters;
  }

  /** Member {@code k}'s slice of a stacked parameter (a copy). */
  public INDArray memberParameter(String variable, int k) {
    return sd.getVariable(variable).getArr().slice(k).dup();
  }

  /**
   * The placeholders for one batch per member, in member order; all batches must have the
   * same number of examples.
   */
  public Map<String, INDArray> placeholders(List<Batch> batches) {
    if (batches.size() != members) {
      throw new IllegalArgumentException("need one batch per member (" + members + "), got "
          + batches.size());
    }
    INDArray[] tokens = new INDArray[members];
    INDArray[] labels = new INDArray[members];
    for (int k = 0; k < members; k++) {
      tokens[k] = batches.get(k).placeholders().get(ReferenceModel.TOKENS);
      labels[k] = batches.get(k).placeholders().get(ReferenceModel.LABELS);
      if (tokens[k].size(0) != tokens[0].size(0)) {
        throw new IllegalArgumentException("member " + k + "'s batch has " + tokens[k].size(0)
            + " examples, member 0's " + tokens[0].size(0) + "; a population step needs equal "
            + "batches");
      }
    }
    return Map.of(TOKENS, Nd4j.stack(0, tokens), LABELS,
        Nd4j.concat(0, labels).castTo(DataType.FLOAT));
  }

  /** Each member's loss on its batch, without gradients. */
  public double[] memberLosses(List<Batch> batches) {
    return sd.output(placeholders(batches), MEMBER_LOSS).get(MEMBER_LOSS)
        .castTo(DataType.DOUBLE).toDoubleVector();
  }

  /** Writes the stacked graph; shapes carry the member axis K first. */
  private static final class Writer {
    private final SameDiff sd;
    private final TransformerConfig c;
    private final int k;
    private final Map<String, INDArray> values;
    private final List<String> order = new ArrayList<>();
    private SDVariable onesSeqs; // [K·batch, 1]

    Writer(SameDiff sd, TransformerConfig c, int k, Map<String, INDArray> values) {
      this.sd = sd;
      this.c = c;
      this.k = k;
      this.values = values;
    }

    private SDVariable p(String name) {
      order.add(name);
      return sd.var(name, values.get(name));
    }

    private SDVariable constant(String name, INDArray v) {
      return sd.hasVariable(name) ? sd.getVariable(name)
          : sd.constant(name, v.castTo(DataType.FLOAT));
    }

    /** {@code x [K, rows, n] + b [K, n]}, broadcast over the rows. */
    private SDVariable bias(SDVariable x, SDVariable b, long n) {
      return x.add(sd.reshape(b, k, 1, n));
    }

    private SDVariable dense(SDVariable x, String w, String b, long n) {
      return bias(x.mmul(p(w)), p(b), n);
    }

    private SDVariable norm(SDVariable x, String prefix) {
      int d = c.dModel();
      SDVariable g = p(prefix + "/gamma");
      SDVariable b = p(prefix + "/beta");
      SDVariable mean = constant("ln_mean", Nd4j.valueArrayOf(new long[] {d, 1}, 1.0 / d));
      SDVariable centring = constant("ln_centre",
          Nd4j.eye(d).castTo(DataType.DOUBLE).subi(1.0 / d));
      SDVariable centred = sd.reshape(x, -1, d).mmul(centring);
      SDVariable inverse = sd.math().rsqrt(centred.mul(centred).mmul(mean).add(1e-5));
      SDVariable scaled = sd.reshape(centred, k, -1, d)
          .mul(sd.reshape(inverse, k, -1, 1).mmul(sd.reshape(g, k, 1, d)));
      return bias(scaled, b, d);
    }

    void write() {
      int t = c.context();
      int v = c.vocab();
      int d = c.dModel();
      int h = c.nHeads();
      int dh = d / h;
      int ff = c.dFf();
      SDVariable tokens = sd.placeHolder(TOKENS, DataType.INT32, k, -1, t);
      SDVariable labels = sd.placeHolder(LABELS, DataType.FLOAT, -1, v);
      SDVariable oneHot = sd.reshape(sd.oneHot(tokens, v, -1, 1.0, 0.0, DataType.FLOAT), k, -1, v);
      onesSeqs = sd.reshape(oneHot, -1, (long) t * v)
          .mmul(constant("zeros_tv", Nd4j.zeros((long) t * v, 1))).add(1.0);
      SDVariable x = oneHot.mmul(p("embed/W_E"));
      SDVariable pos = sd.reshape(sd.reshape(onesSeqs, k, -1, 1)
          .mmul(sd.reshape(p("pos_embed/W_pos"), k, 1, (long) t * d)), k, -1, d);
      x = x.add(pos);
      double[] m = new double[h * t * t];
      for (int head = 0; head < h; head++) {
        for (int i = 0; i < t; i++) {
          for (int j = i + 1; j < t; j++) {
            m[(head * t + i) * t + j] = -1e9;
          }
        }
      }
      SDVariable mask = sd.reshape(onesSeqs.mmul(constant("mask_row",
          Nd4j.create(m, new long[] {1, m.length}, DataType.DOUBLE))), -1, h, t, t);
      for (int i = 0; i < c.nLayers(); i++) {
        String b = "blocks/" + i + "/";
        SDVariable hn = norm(x, b + "ln1");
        SDVariable[] qkv = sd.unstack(sd.permute(sd.reshape(
            dense(hn, b + "attn/W_QKV", b + "attn/b_QKV", 3L * d), -1, t, 3, h, dh),
            2, 0, 3, 1, 4), 0, 3);
        SDVariable scores = sd.mmul(qkv[0], qkv[1], false, true, false)
            .mul(1.0 / Math.sqrt(dh)).add(mask);
        SDVariable att = sd.nn().softmax(scores, 3).mmul(qkv[2]);
        SDVariable merged = sd.reshape(sd.permute(att, 0, 2, 1, 3), k, -1, d);
        x = x.add(dense(merged, b + "attn/W_O", b + "attn/b_O", d));
        hn = norm(x, b + "ln2");
        x = x.add(dense(sd.nn().gelu(dense(hn, b + "mlp/W_in", b + "mlp/b_in", ff)),
            b + "mlp/W_out", b + "mlp/b_out", d));
      }
      x = norm(x, "ln_final");
      SDVariable logits = sd.reshape(dense(x, "unembed/W_U", "unembed/b_U", v), -1, v);
      SDVariable ce = sd.reshape(labels.mul(sd.nn().logSoftmax(logits)), k, -1).sum(1).neg();
      SDVariable counts = sd.reshape(labels, k, -1).sum(1);
      SDVariable memberLoss = ce.div(MEMBER_LOSS, counts);
      memberLoss.sum(LOSS);
      if (!order.equals(List.copyOf(values.keySet()))) {
        List<String> missing = new ArrayList<>(values.keySet());
        missing.removeAll(order);
        throw new IllegalStateException("the population writer does not cover the reference "
            + "model's parameters " + missing + " (its graph changed?)");
      }
    }
  }
}
