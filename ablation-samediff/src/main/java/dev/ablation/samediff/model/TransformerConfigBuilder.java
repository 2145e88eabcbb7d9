package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import dev.ablation.api.internal.SetOnce;
import dev.ablation.samediff.model.TransformerConfig.Encoder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * A {@link TransformerConfig} one named setting at a time ({@link TransformerConfig#builder}).
 * Required: {@link #nLayers}, {@link #dModel}, {@link #nHeads}, {@link #vocab},
 * {@link #context}, {@link #seed}, and for {@link Architecture#ENCODER_DECODER} the
 * {@link #encoder}. Defaults: {@code dFf = 4·dModel}, {@link NormPosition#PRE_LN}, untied
 * embeddings.
 *
 * <p>As Caffeine's builder does, each setter checks its value when it is called, naming it and
 * what is valid, and refuses to be called twice: a recipe that sets a size twice (a helper's
 * value, then an override) hides which of the two the model was built with, and the model's
 * weights, its hash and every cached original depend on it. Values copied by
 * {@link TransformerConfig#toBuilder()} may each be replaced once. {@link #build()} then checks
 * what no single value shows, a missing setting or heads that do not divide the width, and
 * reports all of them in one exception.
 */
public final class TransformerConfigBuilder {
  /** The settings, by their setter's name. */
  private enum Key {
    N_LAYERS("nLayers"), D_MODEL("dModel"), N_HEADS("nHeads"), D_FF("dFf"), VOCAB("vocab"),
    CONTEXT("context"), NORM("norm"), TIED_EMBEDDINGS("tiedEmbeddings"), SEED("seed"),
    ENCODER("encoder");

    final String setter;

    Key(String setter) {
      this.setter = setter;
    }
  }

  private final Architecture architecture;
  private int nLayers;
  private int dModel;
  private int nHeads;
  private int dFf;
  private int vocab;
  private int context;
  private NormPosition norm = NormPosition.PRE_LN;
  private boolean tiedEmbeddings;
  private long seed;
  private Encoder encoder;
  /** The settings given by a call, and those {@link TransformerConfig#toBuilder()} copied. */
  private final SetOnce<Key> set = SetOnce.named(k -> k.setter);

  /** Nothing set; see {@link TransformerConfig#builder}. */
  TransformerConfigBuilder(Architecture architecture) {
    if (architecture == null) {
      throw new IllegalArgumentException(TransformerConfig.INVALID
          + "architecture is required (DECODER_ONLY, ENCODER_ONLY, ENCODER_DECODER)");
    }
    this.architecture = architecture;
  }

  /** {@code c}'s values; see {@link TransformerConfig#toBuilder()}. */
  TransformerConfigBuilder(TransformerConfig c) {
    this(c.architecture());
    nLayers = c.nLayers();
    dModel = c.dModel();
    nHeads = c.nHeads();
    dFf = c.dFf();
    vocab = c.vocab();
    context = c.context();
    norm = c.norm();
    tiedEmbeddings = c.tiedEmbeddings();
    seed = c.seed();
    encoder = c.encoder().orElse(null);
    EnumSet<Key> held = EnumSet.allOf(Key.class);
    if (encoder == null) {
      held.remove(Key.ENCODER);
    }
    set.copied(held);
  }

  /** Throws, naming the value and what is valid, unless {@code value >= min}. */
  private static void requireAtLeast(String name, int value, int min) {
    List<String> p = new ArrayList<>();
    TransformerConfig.atLeast(p, name, value, min);
    TransformerConfig.throwIfAny(p);
  }

  /** Required: blocks in the (decoder) stack, ≥ 1. */
  public TransformerConfigBuilder nLayers(int n) {
    requireAtLeast("n_layers", n, 1);
    set.give(Key.N_LAYERS, nLayers);
    nLayers = n;
    return this;
  }

  /** Required: the residual width {@code d_model}, ≥ 1 and divisible by {@link #nHeads}. */
  public TransformerConfigBuilder dModel(int d) {
    requireAtLeast("d_model", d, 1);
    set.give(Key.D_MODEL, dModel);
    dModel = d;
    return this;
  }

  /** Required: attention heads, ≥ 1, dividing {@link #dModel}. */
  public TransformerConfigBuilder nHeads(int h) {
    requireAtLeast("n_heads", h, 1);
    set.give(Key.N_HEADS, nHeads);
    nHeads = h;
    return this;
  }

  /** The FFN hidden width {@code d_ff}, ≥ 1; default {@code 4·d_model}. */
  public TransformerConfigBuilder dFf(int ff) {
    requireAtLeast("d_ff", ff, 1);
    set.give(Key.D_FF, dFf);
    dFf = ff;
    return this;
  }

  /** Required: the vocabulary size, ≥ 2. */
  public TransformerConfigBuilder vocab(int v) {
    requireAtLeast("vocab", v, 2);
    set.give(Key.VOCAB, vocab);
    vocab = v;
    return this;
  }

  /** Required: the longest sequence (positions with an embedding), ≥ 1. */
  public TransformerConfigBuilder context(int c) {
    requireAtLeast("context", c, 1);
    set.give(Key.CONTEXT, context);
    context = c;
    return this;
  }

  /** Where the layer norms sit; default {@link NormPosition#PRE_LN}. */
  public TransformerConfigBuilder norm(NormPosition n) {
    if (n == null) {
      throw new IllegalArgumentException(TransformerConfig.INVALID
          + "norm is required (PRE_LN or POST_LN)");
    }
    set.give(Key.NORM, norm);
    norm = n;
    return this;
  }

  /**
   * Whether the unembedding is the (decoder's) token embedding transposed; default false
   * (untied).
   */
  public TransformerConfigBuilder tiedEmbeddings(boolean tied) {
    set.give(Key.TIED_EMBEDDINGS, tiedEmbeddings);
    tiedEmbeddings = tied;
    return this;
  }

  /** Required: the seed of every initial weight; any value. */
  public TransformerConfigBuilder seed(long s) {
    set.give(Key.SEED, seed);
    seed = s;
    return this;
  }

  /**
   * Required for {@link Architecture#ENCODER_DECODER}, and only there: its encoder stack. An
   * encoder of another width than {@link #dModel} adds the projection {@code proj}.
   *
   * @throws IllegalArgumentException if {@code e} is null or this is a single-stack
   *     architecture
   */
  public TransformerConfigBuilder encoder(Encoder e) {
    if (e == null) {
      throw new IllegalArgumentException(TransformerConfig.INVALID + "encoder must not be null;"
          + " give one, e.g. TransformerConfig.Encoder.of(nLayers, dModel, nHeads)");
    }
    if (architecture != Architecture.ENCODER_DECODER) {
      throw new IllegalArgumentException(TransformerConfig.INVALID + "an encoder (" + e
          + ") is for ENCODER_DECODER only; " + architecture + " has one stack");
    }
    set.give(Key.ENCODER, encoder);
    encoder = e;
    return this;
  }

  private boolean has(Key k) {
    return set.holds(k);
  }

  /**
   * The configuration.
   *
   * @throws IllegalArgumentException naming every missing setting and every combination that
   *     does not hold, at once
   */
  public TransformerConfig build() {
    List<String> problems = new ArrayList<>();
    for (Key k : List.of(Key.N_LAYERS, Key.D_MODEL, Key.N_HEADS, Key.VOCAB, Key.CONTEXT,
        Key.SEED)) {
      if (!has(k)) {
        problems.add(k.setter + "(…) is required");
      }
    }
    if (architecture == Architecture.ENCODER_DECODER && !has(Key.ENCODER)) {
      problems.add("ENCODER_DECODER needs encoder(…), e.g. encoder(TransformerConfig.Encoder"
          + ".of(nLayers, dModel, nHeads))");
    }
    if (has(Key.D_MODEL) && has(Key.N_HEADS)) {
      TransformerConfig.divides(problems, "", dModel, nHeads);
    }
    TransformerConfig.throwIfAny(problems);
    return new TransformerConfig(architecture, nLayers, dModel, nHeads,
        has(Key.D_FF) ? dFf : 4 * dModel, vocab, context, norm, tiedEmbeddings, seed, encoder);
  }
}
