package dev.ablation.samediff.model;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.ablation.api.Architecture;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that determines a reference transformer's graph and initial weights; two equal
 * configurations build bit-identical models, so {@link #contentHash()} is a cache key for
 * trained originals.
 *
 * <p>{@code nLayers}, {@code dModel}, {@code nHeads} and {@code dFf} describe the only stack
 * (decoder-only, encoder-only) or the <em>decoder</em> of an encoder-decoder; its
 * {@linkplain #encoder() encoder} is an {@link Encoder} of its own, present exactly for
 * {@link Architecture#ENCODER_DECODER}. When the encoder is narrower or wider than the decoder, a
 * projection {@code proj} {@code [encoder_d_model, d_model]} maps its output to the decoder's
 * width. Sequences of both stacks are at most {@code context} tokens long.
 *
 * <p>Made by {@link #builder(Architecture)}, one named setting at a time, or by the shorthands
 * {@link #decoderOnly}, {@link #encoderOnly} and {@link #encoderDecoder} for the usual shape
 * (pre-LN, untied, {@code d_ff = 4·d_model}). A class rather than a record of fourteen
 * components because fourteen positional numbers are too easy to give in the wrong order; the
 * accessors keep the record's names, and the JSON of a saved model ({@code model.json}'s
 * {@code config}) keeps the record's fourteen flat properties, in its order, so cached
 * originals stay readable.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE,
    creatorVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"architecture", "nLayers", "dModel", "nHeads", "dFf", "vocab", "context",
    "norm", "tiedEmbeddings", "seed", "encoderLayers", "encoderDModel", "encoderHeads",
    "encoderDFf"})
public final class TransformerConfig {
  /** The prefix of every message about a bad configuration. */
  static final String INVALID = "invalid transformer config: ";

  private final Architecture architecture;
  private final int nLayers;
  private final int dModel;
  private final int nHeads;
  private final int dFf;
  private final int vocab;
  private final int context;
  private final NormPosition norm;
  private final boolean tiedEmbeddings;
  private final long seed;
  /** Null unless {@link Architecture#ENCODER_DECODER}. */
  private final Encoder encoder;

  /**
   * The encoder stack of an encoder-decoder, apart from the decoder's sizes because it is one
   * thing: the unit an encoder swap replaces, and what {@code encoder_*} in messages and
   * {@code encoder*} in {@code model.json} describe. Valid on its own; whether it fits the
   * decoder is the configuration's business.
   *
   * @param nLayers encoder blocks, ≥ 1
   * @param dModel encoder width, ≥ 1 and divisible by {@code nHeads}
   * @param nHeads encoder attention heads, ≥ 1
   * @param dFf encoder FFN hidden width, ≥ 1
   */
  public record Encoder(int nLayers, int dModel, int nHeads, int dFf) {
    /**
     * Validates every size at once.
     *
     * @throws IllegalArgumentException listing every bad size and what would be valid
     */
    public Encoder {
      List<String> problems = new ArrayList<>();
      stack(problems, "encoder_", nLayers, dModel, nHeads, dFf);
      throwIfAny(problems);
    }

    /** An encoder with the usual FFN width, {@code 4·d_model}. */
    public static Encoder of(int nLayers, int dModel, int nHeads) {
      return new Encoder(nLayers, dModel, nHeads, 4 * dModel);
    }
  }

  /** Built by {@link TransformerConfigBuilder#build()}, which has checked every value. */
  TransformerConfig(Architecture architecture, int nLayers, int dModel, int nHeads, int dFf,
      int vocab, int context, NormPosition norm, boolean tiedEmbeddings, long seed,
      Encoder encoder) {
    this.architecture = architecture;
    this.nLayers = nLayers;
    this.dModel = dModel;
    this.nHeads = nHeads;
    this.dFf = dFf;
    this.vocab = vocab;
    this.context = context;
    this.norm = norm;
    this.tiedEmbeddings = tiedEmbeddings;
    this.seed = seed;
    this.encoder = encoder;
  }

  /**
   * A configuration of {@code architecture}, one setting at a time; see
   * {@link TransformerConfigBuilder} for which are required and the defaults of the others.
   *
   * @throws IllegalArgumentException if {@code architecture} is null
   */
  public static TransformerConfigBuilder builder(Architecture architecture) {
    return new TransformerConfigBuilder(architecture);
  }

  /**
   * A builder holding this configuration's values, each of which may be replaced once; its
   * architecture stays.
   */
  public TransformerConfigBuilder toBuilder() {
    return new TransformerConfigBuilder(this);
  }

  /** A causal LM: pre-LN, untied embeddings, {@code d_ff = 4·d_model}. */
  public static TransformerConfig decoderOnly(int nLayers, int dModel, int nHeads, int vocab,
      int context, long seed) {
    return builder(Architecture.DECODER_ONLY).nLayers(nLayers).dModel(dModel).nHeads(nHeads)
        .vocab(vocab).context(context).seed(seed).build();
  }

  /** A masked LM: pre-LN, untied embeddings, {@code d_ff = 4·d_model}. */
  public static TransformerConfig encoderOnly(int nLayers, int dModel, int nHeads, int vocab,
      int context, long seed) {
    return builder(Architecture.ENCODER_ONLY).nLayers(nLayers).dModel(dModel).nHeads(nHeads)
        .vocab(vocab).context(context).seed(seed).build();
  }

  /**
   * An encoder-decoder whose two stacks share width and heads (no {@code proj}): pre-LN,
   * untied, {@code d_ff = 4·d_model}. Use {@link #builder(Architecture)} or
   * {@link #withEncoder} for a different encoder.
   */
  public static TransformerConfig encoderDecoder(int encoderLayers, int decoderLayers,
      int dModel, int nHeads, int vocab, int context, long seed) {
    return builder(Architecture.ENCODER_DECODER).nLayers(decoderLayers).dModel(dModel)
        .nHeads(nHeads).vocab(vocab).context(context).seed(seed)
        .encoder(Encoder.of(encoderLayers, dModel, nHeads)).build();
  }

  /**
   * Reads the record's JSON form: the encoder's four sizes are flat, and 0 for the
   * single-stack architectures.
   */
  @JsonCreator
  static TransformerConfig fromJson(@JsonProperty("architecture") Architecture architecture,
      @JsonProperty("nLayers") int nLayers, @JsonProperty("dModel") int dModel,
      @JsonProperty("nHeads") int nHeads, @JsonProperty("dFf") int dFf,
      @JsonProperty("vocab") int vocab, @JsonProperty("context") int context,
      @JsonProperty("norm") NormPosition norm,
      @JsonProperty("tiedEmbeddings") boolean tiedEmbeddings, @JsonProperty("seed") long seed,
      @JsonProperty("encoderLayers") int encoderLayers,
      @JsonProperty("encoderDModel") int encoderDModel,
      @JsonProperty("encoderHeads") int encoderHeads,
      @JsonProperty("encoderDFf") int encoderDFf) {
    TransformerConfigBuilder b = builder(architecture).nLayers(nLayers).dModel(dModel)
        .nHeads(nHeads).dFf(dFf).vocab(vocab).context(context).norm(norm)
        .tiedEmbeddings(tiedEmbeddings).seed(seed);
    if (architecture == Architecture.ENCODER_DECODER) {
      b.encoder(new Encoder(encoderLayers, encoderDModel, encoderHeads, encoderDFf));
    } else if (encoderLayers != 0 || encoderDModel != 0 || encoderHeads != 0
        || encoderDFf != 0) {
      throw new IllegalArgumentException(INVALID + "encoder_* sizes are for ENCODER_DECODER"
          + " only and must be 0 for " + architecture + ", got encoder_n_layers="
          + encoderLayers + ", encoder_d_model=" + encoderDModel + ", encoder_n_heads="
          + encoderHeads + ", encoder_d_ff=" + encoderDFf);
    }
    return b.build();
  }

  /** Which shape. */
  @JsonProperty("architecture")
  public Architecture architecture() {
    return architecture;
  }

  /** Blocks in the (decoder) stack, ≥ 1. */
  @JsonProperty("nLayers")
  public int nLayers() {
    return nLayers;
  }

  /** Residual width, divisible by {@code nHeads}. */
  @JsonProperty("dModel")
  public int dModel() {
    return dModel;
  }

  /** Attention heads, ≥ 1. */
  @JsonProperty("nHeads")
  public int nHeads() {
    return nHeads;
  }

  /** FFN hidden width, ≥ 1. */
  @JsonProperty("dFf")
  public int dFf() {
    return dFf;
  }

  /** Vocabulary size, ≥ 2. */
  @JsonProperty("vocab")
  public int vocab() {
    return vocab;
  }

  /** The longest sequence (positions with an embedding), ≥ 1. */
  @JsonProperty("context")
  public int context() {
    return context;
  }

  /** Pre- or post-LN. */
  @JsonProperty("norm")
  public NormPosition norm() {
    return norm;
  }

  /** Whether the unembedding is the (decoder's) token embedding transposed. */
  @JsonProperty("tiedEmbeddings")
  public boolean tiedEmbeddings() {
    return tiedEmbeddings;
  }

  /** The seed of every initial weight. */
  @JsonProperty("seed")
  public long seed() {
    return seed;
  }

  /** The encoder stack; present exactly for {@link Architecture#ENCODER_DECODER}. */
  public Optional<Encoder> encoder() {
    return Optional.ofNullable(encoder);
  }

  /** Encoder blocks (encoder-decoder only, else 0). */
  @JsonProperty("encoderLayers")
  public int encoderLayers() {
    return encoder == null ? 0 : encoder.nLayers();
  }

  /** Encoder width (encoder-decoder only, else 0). */
  @JsonProperty("encoderDModel")
  public int encoderDModel() {
    return encoder == null ? 0 : encoder.dModel();
  }

  /** Encoder heads (encoder-decoder only, else 0). */
  @JsonProperty("encoderHeads")
  public int encoderHeads() {
    return encoder == null ? 0 : encoder.nHeads();
  }

  /** Encoder FFN width (encoder-decoder only, else 0). */
  @JsonProperty("encoderDFf")
  public int encoderDFf() {
    return encoder == null ? 0 : encoder.dFf();
  }

  /**
   * This with another seed: the same shape, other initial weights (a model trained from
   * scratch beside an original, a fresh encoder).
   */
  public TransformerConfig withSeed(long seed) {
    return toBuilder().seed(seed).build();
  }

  /**
   * This with another encoder (encoder-decoder only): what an encoder swap builds.
   *
   * @throws IllegalArgumentException if this is not an encoder-decoder
   */
  public TransformerConfig withEncoder(Encoder encoder) {
    if (architecture != Architecture.ENCODER_DECODER) {
      throw new IllegalArgumentException("withEncoder needs ENCODER_DECODER, this is "
          + architecture);
    }
    return toBuilder().encoder(encoder).build();
  }

  /** Whether the encoder-decoder needs the width projection {@code proj}. */
  public boolean hasProjection() {
    return encoder != null && encoder.dModel() != dModel;
  }

  /**
   * A stable hex digest of every field (SHA-256, first 16 hex digits): equal configurations,
   * equal hashes, on every JVM.
   */
  public String contentHash() {
    return Hashing.sha256().hashString(canonical(), StandardCharsets.UTF_8).toString()
        .substring(0, 16);
  }

  private String canonical() {
    return String.format(Locale.ROOT,
        "v1|%s|n_layers=%d|d_model=%d|n_heads=%d|d_ff=%d|vocab=%d|context=%d|norm=%s|tied=%b"
            + "|seed=%d|enc=%d,%d,%d,%d",
        architecture, nLayers, dModel, nHeads, dFf, vocab, context, norm, tiedEmbeddings, seed,
        encoderLayers(), encoderDModel(), encoderHeads(), encoderDFf());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransformerConfig c && architecture == c.architecture
        && nLayers == c.nLayers && dModel == c.dModel && nHeads == c.nHeads && dFf == c.dFf
        && vocab == c.vocab && context == c.context && norm == c.norm
        && tiedEmbeddings == c.tiedEmbeddings && seed == c.seed
        && Objects.equals(encoder, c.encoder);
  }

  @Override
  public int hashCode() {
    return Objects.hash(architecture, nLayers, dModel, nHeads, dFf, vocab, context, norm,
        tiedEmbeddings, seed, encoder);
  }

  @Override
  public String toString() {
    return canonical().substring(3);
  }

  /**
   * Adds to {@code problems} what is wrong with one stack's sizes, each name prefixed by
   * {@code prefix} ({@code encoder_} for the encoder), with the valid head counts when the
   * heads do not divide the width.
   */
  static void stack(List<String> problems, String prefix, int layers, int d, int heads,
      int ff) {
    atLeast(problems, prefix + "n_layers", layers, 1);
    atLeast(problems, prefix + "d_model", d, 1);
    if (atLeast(problems, prefix + "n_heads", heads, 1) && d >= 1) {
      divides(problems, prefix, d, heads);
    }
    atLeast(problems, prefix + "d_ff", ff, 1);
  }

  /** Adds a problem unless {@code value >= min}; whether it was. */
  static boolean atLeast(List<String> problems, String name, int value, int min) {
    if (value < min) {
      problems.add(name + " must be >= " + min + ", got " + value);
      return false;
    }
    return true;
  }

  /** Adds a problem, with the head counts that would do, unless {@code heads} divides {@code d}. */
  static void divides(List<String> problems, String prefix, int d, int heads) {
    if (d % heads != 0) {
      List<Integer> ok = new ArrayList<>();
      for (int h = 1; h <= d; h++) {
        if (d % h == 0) {
          ok.add(h);
        }
      }
      problems.add(prefix + "d_model=" + d + " is not divisible by " + prefix + "n_heads="
          + heads + "; valid head counts for this width: " + ok);
    }
  }

  /** Throws one exception naming every problem, if there is any. */
  static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(INVALID + String.join("; ", problems));
    }
  }
}
