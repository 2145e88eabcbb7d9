package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ablation.api.LayerInfo;
import dev.ablation.api.ParameterInfo;
import dev.ablation.samediff.ParameterSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ordered layers and parameters (path, variable, kind, shape, init rule) of each reference
 * architecture at a tiny size, against committed golden files. After a deliberate change,
 * regenerate with {@link #main} (run from the module directory) and review the diff.
 */
class GoldenParametersTest {

  static final Map<String, TransformerConfig> GOLDEN = Map.of(
      "decoder-only-pre-ln", TinyModels.decoder(),
      "decoder-only-post-ln-tied", TinyModels.decoderPostLnTied(),
      "encoder-only", TinyModels.encoder(),
      "encoder-decoder-proj", TinyModels.encoderDecoderWithProjection(),
      "encoder-decoder-post-ln-tied", TinyModels.encoderDecoderPostLnTied());

  static List<String> names() {
    return GOLDEN.keySet().stream().sorted().toList();
  }

  /** The golden text of one configuration. */
  static String render(TransformerConfig config) {
    ReferenceModel m = ReferenceModel.build(config);
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(config).append('\n');
    sb.append("# layer kind | parameter path | variable | parameter kind | shape | init\n");
    for (LayerInfo l : m.layers().layout().layers()) {
      sb.append(l.path()).append(' ').append(l.kind()).append('\n');
      for (ParameterInfo p : l.parameters()) {
        ParameterSpec s = m.layers().spec(p.path());
        sb.append("  ").append(p.path()).append(' ').append(s.variable()).append(' ')
            .append(p.kind()).append(' ').append(p.shape()).append(' ').append(s.init())
            .append('\n');
      }
    }
    return sb.toString();
  }

  @ParameterizedTest
  @MethodSource("names")
  void parametersMatchTheGoldenFile(String name) throws IOException {
    String expected;
    try (InputStream in = GoldenParametersTest.class.getResourceAsStream(
        "/golden/parameters-" + name + ".txt")) {
      if (in == null) {
        throw new IOException("golden file for " + name + " is missing; run "
            + "GoldenParametersTest.main from ablation-samediff/");
      }
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(expected, render(GOLDEN.get(name)));
  }

  /** Regenerates the golden files under {@code src/test/resources/golden}. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
    Files.createDirectories(dir);
    for (String name : names()) {
      Files.writeString(dir.resolve("parameters-" + name + ".txt"), render(GOLDEN.get(name)),
          StandardCharsets.UTF_8);
    }
  }
}
