package dev.ablation.samediff.surgery;

import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ModelLayout;
import dev.ablation.samediff.data.Example;
import dev.ablation.api.Architecture;
import dev.ablation.samediff.model.NormPosition;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.model.TransformerConfigBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The three reference architectures, tiny, as subjects of the property chain. */
final class ReferenceSubjects {
  static final int VOCAB = 7;
  static final int CONTEXT = 5;

  private ReferenceSubjects() {}

  static ChainSubject decoderOnly() {
    return of("decoder-only", tiny(Architecture.DECODER_ONLY, 31).build());
  }

  static ChainSubject postLnTiedDecoder() {
    return of("decoder-only tied", tiny(Architecture.DECODER_ONLY, 34)
        .norm(NormPosition.POST_LN).tiedEmbeddings(true).build());
  }

  static ChainSubject encoderOnly() {
    return of("encoder-only", tiny(Architecture.ENCODER_ONLY, 32).build());
  }

  static ChainSubject encoderDecoder() {
    return of("encoder-decoder", tiny(Architecture.ENCODER_DECODER, 33)
        .encoder(TransformerConfig.Encoder.of(1, 8, 2)).build());
  }

  /** Two blocks of width 8, two heads, {@code d_ff} 12 (the decoder's, for an encoder-decoder). */
  private static TransformerConfigBuilder tiny(Architecture a, long seed) {
    return TransformerConfig.builder(a)
        .nLayers(2).dModel(8).nHeads(2).dFf(12).vocab(VOCAB).context(CONTEXT).seed(seed);
  }

  static ChainSubject of(String name, TransformerConfig config) {
    return of(name, config, ReferenceModel.build(config));
  }

  static ChainSubject of(String name, TransformerConfig config, ReferenceModel m) {
    ModelLayout layout = m.layers().layout();
    List<List<LayerPath>> targets = new ArrayList<>();
    List<List<LayerPath>> identity = new ArrayList<>();
    boolean preLn = config.norm() == NormPosition.PRE_LN;
    List<LayerPath> sublayers = new ArrayList<>();
    for (LayerInfo l : layout.layers()) {
      if (l.kind() == LayerKind.BLOCK || l.kind() == LayerKind.SUBLAYER) {
        targets.add(List.of(l.path()));
        // ZERO_OUTPUT is the identity only for a layer with an output projection (a block, an
        // attention or FFN sublayer; not a norm sublayer, which it refuses)
        if (preLn && hasOutput(l)) {
          identity.add(List.of(l.path()));
        }
      }
      if (l.kind() == LayerKind.SUBLAYER && hasOutput(l)) {
        sublayers.add(l.path());
      }
    }
    if (sublayers.size() > 1) {
      targets.add(sublayers);
      if (preLn) {
        identity.add(sublayers);
      }
    }
    targets.add(List.of(layout.paths().get(0)));
    Map<LayerPath, LayerPath> copy = new LinkedHashMap<>();
    for (LayerInfo a : layout.layersOf(LayerKind.BLOCK)) {
      for (LayerInfo b : layout.layersOf(LayerKind.BLOCK)) {
        if (!a.path().equals(b.path()) && a.path().stack().equals(b.path().stack())) {
          copy.putIfAbsent(a.path(), b.path());
        }
      }
    }
    List<String> features = config.architecture() == Architecture.ENCODER_DECODER
        ? List.of(ReferenceModel.SOURCE, ReferenceModel.TOKENS) : List.of(ReferenceModel.TOKENS);
    return new ChainSubject(name + " " + config.norm(), m.model(),
        seed -> ReferenceBatches.of(m).batch(examples(config, 4, seed)), features, List.of(ReferenceModel.LABELS),
        targets, identity, copy);
  }

  private static boolean hasOutput(LayerInfo l) {
    return l.parameters().stream().anyMatch(p -> p.kind().isOutput());
  }

  static List<Example> examples(TransformerConfig c, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      switch (c.architecture()) {
        case DECODER_ONLY -> out.add(Example.of(tokens(r, c.context() + 1, 0, c.vocab())));
        case ENCODER_ONLY -> out.add(Example.of(tokens(r, c.context(), 0, c.vocab() - 1)));
        case ENCODER_DECODER -> out.add(Example.pair(tokens(r, c.context(), 1, c.vocab()),
            tokens(r, c.context(), 1, c.vocab())));
        default -> throw new AssertionError(c.architecture());
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
