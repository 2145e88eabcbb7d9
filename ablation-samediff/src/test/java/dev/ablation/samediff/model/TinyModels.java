package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
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
    return TransformerConfig.builder(Architecture.DECODER_ONLY)
        .nLayers(2).dModel(8).nHeads(2).dFf(12).vocab(VOCAB).context(CONTEXT).seed(11)
        .build();
  }

  static TransformerConfig decoderPostLnTied() {
    return decoder().toBuilder().norm(NormPosition.POST_LN).tiedEmbeddings(true).build();
  }

  static TransformerConfig encoder() {
    return TransformerConfig.builder(Architecture.ENCODER_ONLY)
        .nLayers(2).dModel(8).nHeads(2).dFf(12).vocab(VOCAB).context(CONTEXT).seed(12)
        .build();
  }

  static TransformerConfig encoderDecoderWithProjection() {
    return TransformerConfig.builder(Architecture.ENCODER_DECODER)
        .nLayers(2).dModel(12).nHeads(3).dFf(10).vocab(VOCAB).context(CONTEXT).seed(13)
        .encoder(new TransformerConfig.Encoder(2, 8, 2, 12))
        .build();
  }

  static TransformerConfig encoderDecoderPostLnTied() {
    return TransformerConfig.builder(Architecture.ENCODER_DECODER)
        .nLayers(1).dModel(8).nHeads(2).dFf(12).vocab(VOCAB).context(CONTEXT).seed(14)
        .encoder(TransformerConfig.Encoder.of(2, 8, 2))
        .norm(NormPosition.POST_LN).tiedEmbeddings(true)
        .build();
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
