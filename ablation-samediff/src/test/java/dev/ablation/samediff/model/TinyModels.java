package dev.ablation.samediff.model;

import dev.ablation.samediff.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny configurations and data shared by the model tests. */
final class TinyModels {
  private TinyModels() {}

  static final int VOCAB = 7;
  static final int CONTEXT = 5;

  static TransformerConfig decoder() {
    return TransformerConfig.decoderOnly(2, 8, 2, VOCAB, CONTEXT, 11).withDFf(12);
  }

  static TransformerConfig decoderPostLnTied() {
    return decoder().withNorm(NormPosition.POST_LN).withTiedEmbeddings(true);
  }

  static TransformerConfig encoder() {
    return TransformerConfig.encoderOnly(2, 8, 2, VOCAB, CONTEXT, 12).withDFf(12);
  }

  static TransformerConfig encoderDecoderWithProjection() {
    return TransformerConfig.encoderDecoder(1, 2, 12, 3, VOCAB, CONTEXT, 13).withDFf(10)
        .withEncoder(2, 8, 2, 12);
  }

  static TransformerConfig encoderDecoderPostLnTied() {
    return TransformerConfig.encoderDecoder(2, 1, 8, 2, VOCAB, CONTEXT, 14).withDFf(12)
        .withNorm(NormPosition.POST_LN).withTiedEmbeddings(true);
  }

  static List<TransformerConfig> all() {
    return List.of(decoder(), decoderPostLnTied(), encoder(), encoderDecoderWithProjection(),
        encoderDecoderPostLnTied());
  }

  /**
   * A few random examples of the right kind, some shorter than the context so padding and
   * unpredicted positions are exercised.
   */
  static List<Example> examples(TransformerConfig c, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      switch (c.architecture()) {
        case DECODER_ONLY -> out.add(Example.of(tokens(r, i == 0 ? 3 : c.context() + 1,
            0, c.vocab())));
        case ENCODER_ONLY -> out.add(Example.of(tokens(r, i == 0 ? 3 : c.context(), 0,
            c.vocab() - 1)));
        case ENCODER_DECODER -> out.add(Example.pair(tokens(r, c.context(), 1, c.vocab()),
            tokens(r, i == 0 ? 2 : c.context(), 1, c.vocab())));
        default -> throw new AssertionError();
      }
    }
    return out;
  }

  private static int[] tokens(SplittableRandom r, int n, int lo, int hi) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(lo, hi);
    }
    return t;
  }
}
