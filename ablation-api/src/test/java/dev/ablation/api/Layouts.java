package dev.ablation.api;

import java.util.ArrayList;
import java.util.List;

/** Small synthetic layouts shaped like our reference decoder-only models. */
final class Layouts {
  private Layouts() {}

  static ModelLayout decoder(int nLayers, long d) {
    List<LayerInfo> layers = new ArrayList<>();
    layers.add(layer("embed", LayerKind.EMBEDDING, p("embed.W_E", ParameterKind.EMBEDDING, 16, d)));
    for (int i = 0; i < nLayers; i++) {
      String b = "blocks." + i;
      layers.add(new LayerInfo(LayerPath.parse(b), LayerKind.BLOCK, List.of(
          p(b + ".ln1.gamma", ParameterKind.NORM_GAIN, d),
          p(b + ".ln1.beta", ParameterKind.NORM_BIAS, d),
          p(b + ".attn.W_Q", ParameterKind.WEIGHT, d, d),
          p(b + ".attn.W_O", ParameterKind.OUTPUT_WEIGHT, d, d),
          p(b + ".mlp.W_in", ParameterKind.WEIGHT, d, 4 * d),
          p(b + ".mlp.W_out", ParameterKind.OUTPUT_WEIGHT, 4 * d, d))));
    }
    layers.add(new LayerInfo(LayerPath.parse("ln_final"), LayerKind.HEAD, List.of(
        p("ln_final.gamma", ParameterKind.NORM_GAIN, d),
        p("ln_final.beta", ParameterKind.NORM_BIAS, d))));
    layers.add(layer("unembed", LayerKind.HEAD, p("unembed.W_U", ParameterKind.WEIGHT, d, 16)));
    return new ModelLayout(layers);
  }

  static LayerInfo layer(String path, LayerKind kind, ParameterInfo... ps) {
    return new LayerInfo(LayerPath.parse(path), kind, List.of(ps));
  }

  static ParameterInfo p(String path, ParameterKind kind, long... shape) {
    List<Long> s = new ArrayList<>();
    for (long x : shape) {
      s.add(x);
    }
    return new ParameterInfo(ParameterPath.parse(path), s, kind);
  }
}
