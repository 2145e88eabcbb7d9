package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything that determines a reference transformer's graph and initial weights; two equal
 * configurations build bit-identical models, so {@link #contentHash()} is a cache key for
 * trained originals.
 *
 * <p>{@code nLayers}, {@code dModel}, {@code nHeads} and {@code dFf} describe the only stack
 * (decoder-only, encoder-only) or the <em>decoder</em> of an encoder-decoder; the
 * {@code encoder*} fields describe its encoder and are 0 for the single-stack architectures.
 * When the encoder is narrower or wider than the decoder, a projection {@code proj}
 * {@code [encoder_d_model, d_model]} maps its output to the decoder's width. Sequences of both
 * stacks are at most {@code context} tokens long.
 *
 * @param architecture which shape
 * @param nLayers blocks in the (decoder) stack, ≥ 1
 * @param dModel residual width, divisible by {@code nHeads}
 * @param nHeads attention heads, ≥ 1
 * @param dFf FFN hidden width, ≥ 1
 * @param vocab vocabulary size, ≥ 2
 * @param context the longest sequence (positions with an embedding), ≥ 1
 * @param norm pre- or post-LN
 * @param tiedEmbeddings whether the unembedding is the (decoder's) token embedding transposed
 * @param seed the seed of every initial weight
 * @param encoderLayers encoder blocks (encoder-decoder only, else 0)
 * @param encoderDModel encoder width (encoder-decoder only, else 0)
 * @param encoderHeads encoder heads (encoder-decoder only, else 0)
 * @param encoderDFf encoder FFN width (encoder-decoder only, else 0)
 */
public record TransformerConfig(Architecture architecture, int nLayers, int dModel, int nHeads,
    int dFf, int vocab, int context, NormPosition norm, boolean tiedEmbeddings, long seed,
    int encoderLayers, int encoderDModel, int encoderHeads, int encoderDFf) {

  /**
   * Validates the whole configuration at once.
   *
   * @throws IllegalArgumentException listing every bad value and what would be valid
   */
  public TransformerConfig {
    List<String> problems = new ArrayList<>();
    if (architecture == null) {
      problems.add("architecture is required (DECODER_ONLY, ENCODER_ONLY, ENCODER_DECODER)");
    }
    if (norm == null) {
      problems.add("norm is required (PRE_LN or POST_LN)");
    }
    stack(problems, "", nLayers, dModel, nHeads, dFf);
    if (vocab < 2) {
      problems.add("vocab must be >= 2, got " + vocab);
    }
    if (context < 1) {
      problems.add("context must be >= 1, got " + context);
    }
    if (architecture == Architecture.ENCODER_DECODER) {
      stack(problems, "encoder_", encoderLayers, encoderDModel, encoderHeads, encoderDFf);
    } else if (encoderLayers != 0 || encoderDModel != 0 || encoderHeads != 0
        || encoderDFf != 0) {
      problems.add("encoder_* sizes are for ENCODER_DECODER only and must be 0 for "
          + architecture + ", got encoder_n_layers=" + encoderLayers + ", encoder_d_model="
          + encoderDModel + ", encoder_n_heads=" + encoderHeads + ", encoder_d_ff="
          + encoderDFf);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid transformer config: "
          + String.join("; ", problems));
    }
  }

  private static void stack(List<String> problems, String prefix, int layers, int d, int heads,
      int ff) {
    if (layers < 1) {
      problems.add(prefix + "n_layers must be >= 1, got " + layers);
    }
    if (d < 1) {
      problems.add(prefix + "d_model must be >= 1, got " + d);
    }
    if (heads < 1) {
      problems.add(prefix + "n_heads must be >= 1, got " + heads);
    } else if (d >= 1 && d % heads != 0) {
      List<Integer> ok = new ArrayList<>();
      for (int h = 1; h <= d; h++) {
        if (d % h == 0) {
          ok.add(h);
        }
      }
      problems.add(prefix + "d_model=" + d + " is not divisible by " + prefix + "n_heads="
          + heads + "; valid head counts for this width: " + ok);
    }
    if (ff < 1) {
      problems.add(prefix + "d_ff must be >= 1, got " + ff);
    }
  }

  /**
   * A causal LM: pre-LN, untied embeddings, {@code d_ff = 4·d_model}.
   */
  public static TransformerConfig decoderOnly(int nLayers, int dModel, int nHeads, int vocab,
      int context, long seed) {
    return new TransformerConfig(Architecture.DECODER_ONLY, nLayers, dModel, nHeads, 4 * dModel,
        vocab, context, NormPosition.PRE_LN, false, seed, 0, 0, 0, 0);
  }

  /** A masked LM: pre-LN, untied embeddings, {@code d_ff = 4·d_model}. */
  public static TransformerConfig encoderOnly(int nLayers, int dModel, int nHeads, int vocab,
      int context, long seed) {
    return new TransformerConfig(Architecture.ENCODER_ONLY, nLayers, dModel, nHeads, 4 * dModel,
        vocab, context, NormPosition.PRE_LN, false, seed, 0, 0, 0, 0);
  }

  /**
   * An encoder-decoder whose two stacks share width and heads (no {@code proj}): pre-LN,
   * untied, {@code d_ff = 4·d_model}. Use {@link #withEncoder} for a different encoder.
   */
  public static TransformerConfig encoderDecoder(int encoderLayers, int decoderLayers,
      int dModel, int nHeads, int vocab, int context, long seed) {
    return new TransformerConfig(Architecture.ENCODER_DECODER, decoderLayers, dModel, nHeads,
        4 * dModel, vocab, context, NormPosition.PRE_LN, false, seed, encoderLayers, dModel,
        nHeads, 4 * dModel);
  }

  /** This with FFN width {@code dFf}. */
  public TransformerConfig withDFf(int dFf) {
    return new TransformerConfig(architecture, nLayers, dModel, nHeads, dFf, vocab, context,
        norm, tiedEmbeddings, seed, encoderLayers, encoderDModel, encoderHeads, encoderDFf);
  }

  /** This with another norm position. */
  public TransformerConfig withNorm(NormPosition norm) {
    return new TransformerConfig(architecture, nLayers, dModel, nHeads, dFf, vocab, context,
        norm, tiedEmbeddings, seed, encoderLayers, encoderDModel, encoderHeads, encoderDFf);
  }

  /** This with tied or untied embeddings. */
  public TransformerConfig withTiedEmbeddings(boolean tied) {
    return new TransformerConfig(architecture, nLayers, dModel, nHeads, dFf, vocab, context,
        norm, tied, seed, encoderLayers, encoderDModel, encoderHeads, encoderDFf);
  }

  /** This with another seed. */
  public TransformerConfig withSeed(long seed) {
    return new TransformerConfig(architecture, nLayers, dModel, nHeads, dFf, vocab, context,
        norm, tiedEmbeddings, seed, encoderLayers, encoderDModel, encoderHeads, encoderDFf);
  }

  /** This with another vocabulary size. */
  public TransformerConfig withVocab(int vocab) {
    return new TransformerConfig(architecture, nLayers, dModel, nHeads, dFf, vocab, context,
        norm, tiedEmbeddings, seed, encoderLayers, encoderDModel, encoderHeads, encoderDFf);
  }

  /** This with another encoder (encoder-decoder only). */
  public TransformerConfig withEncoder(int layers, int dModel, int nHeads, int dFf) {
    if (architecture != Architecture.ENCODER_DECODER) {
      throw new IllegalArgumentException("withEncoder needs ENCODER_DECODER, this is "
          + architecture);
    }
    return new TransformerConfig(architecture, nLayers, this.dModel, this.nHeads, this.dFf,
        vocab, context, norm, tiedEmbeddings, seed, layers, dModel, nHeads, dFf);
  }

  /** Whether the encoder-decoder needs the width projection {@code proj}. */
  public boolean hasProjection() {
    return architecture == Architecture.ENCODER_DECODER && encoderDModel != dModel;
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
        encoderLayers, encoderDModel, encoderHeads, encoderDFf);
  }

  @Override
  public String toString() {
    return canonical().substring(3);
  }
}
