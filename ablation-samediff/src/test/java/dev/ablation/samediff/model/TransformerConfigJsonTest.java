package dev.ablation.samediff.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ablation.api.Architecture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the {@code config} object of a saved model's {@code model.json} and the config's content
 * hash, byte for byte. Cached originals on disk are read back through this JSON and found
 * through this hash, so a change to how the configuration is written or hashed orphans every
 * cache; the expected texts were written by the record form of {@link TransformerConfig}.
 */
class TransformerConfigJsonTest {
  /** As {@link ReferenceModelFiles} writes it. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  static final String DECODER = """
      {
        "architecture" : "DECODER_ONLY",
        "nLayers" : 2,
        "dModel" : 8,
        "nHeads" : 2,
        "dFf" : 32,
        "vocab" : 7,
        "context" : 5,
        "norm" : "PRE_LN",
        "tiedEmbeddings" : false,
        "seed" : 11,
        "encoderLayers" : 0,
        "encoderDModel" : 0,
        "encoderHeads" : 0,
        "encoderDFf" : 0
      }""";

  static final String ENCODER_POST_LN_TIED = """
      {
        "architecture" : "ENCODER_ONLY",
        "nLayers" : 1,
        "dModel" : 8,
        "nHeads" : 4,
        "dFf" : 12,
        "vocab" : 9,
        "context" : 6,
        "norm" : "POST_LN",
        "tiedEmbeddings" : true,
        "seed" : -3,
        "encoderLayers" : 0,
        "encoderDModel" : 0,
        "encoderHeads" : 0,
        "encoderDFf" : 0
      }""";

  static final String ENCODER_DECODER_PROJ = """
      {
        "architecture" : "ENCODER_DECODER",
        "nLayers" : 2,
        "dModel" : 12,
        "nHeads" : 3,
        "dFf" : 10,
        "vocab" : 17,
        "context" : 12,
        "norm" : "PRE_LN",
        "tiedEmbeddings" : false,
        "seed" : 1252570589691350918,
        "encoderLayers" : 1,
        "encoderDModel" : 8,
        "encoderHeads" : 2,
        "encoderDFf" : 16
      }""";

  static TransformerConfig decoder() {
    return TransformerConfig.decoderOnly(2, 8, 2, 7, 5, 11);
  }

  static TransformerConfig encoderPostLnTied() {
    return TransformerConfig.builder(Architecture.ENCODER_ONLY)
        .nLayers(1).dModel(8).nHeads(4).dFf(12).vocab(9).context(6).seed(-3)
        .norm(NormPosition.POST_LN).tiedEmbeddings(true).build();
  }

  static TransformerConfig encoderDecoderWithProjection() {
    return TransformerConfig.builder(Architecture.ENCODER_DECODER)
        .nLayers(2).dModel(12).nHeads(3).dFf(10).vocab(17).context(12)
        .seed(1252570589691350918L)
        .encoder(new TransformerConfig.Encoder(1, 8, 2, 16)).build();
  }

  private static List<TransformerConfig> configs() {
    return List.of(decoder(), encoderPostLnTied(), encoderDecoderWithProjection());
  }

  private static List<String> texts() {
    return List.of(DECODER, ENCODER_POST_LN_TIED, ENCODER_DECODER_PROJ);
  }

  @Test
  void writesThePinnedJson() throws IOException {
    for (int i = 0; i < 3; i++) {
      TransformerConfig c = configs().get(i);
      // ReferenceModelFiles goes through a tree; a direct write must agree with it
      assertThat(JSON.writeValueAsString(JSON.valueToTree(c))).as("%s", c)
          .isEqualTo(texts().get(i));
      assertThat(JSON.writeValueAsString(c)).as("%s", c).isEqualTo(texts().get(i));
    }
  }

  @Test
  void readsThePinnedJsonBackToAnEqualConfigThatWritesTheSameBytes() throws IOException {
    for (int i = 0; i < 3; i++) {
      TransformerConfig read = JSON.treeToValue(JSON.readTree(texts().get(i)),
          TransformerConfig.class);
      assertThat(read).isEqualTo(configs().get(i));
      assertThat(read.hashCode()).isEqualTo(configs().get(i).hashCode());
      assertThat(JSON.writeValueAsString(JSON.valueToTree(read))).isEqualTo(texts().get(i));
    }
  }

  @Test
  void theContentHashAndTheTextArePinned() {
    assertThat(configs().stream().map(TransformerConfig::contentHash).toList())
        .containsExactly("267b4bcc69b87125", "098aa1ce42096ab4", "ff13083fe8b19e47");
    // the hash of an original cached by a study (originals/5e6029d7…/model.json)
    assertThat(TransformerConfig.encoderDecoder(2, 2, 16, 4, 17, 12, 1252570589691350918L)
        .contentHash()).isEqualTo("5e6029d7c462a0bc");
    assertThat(configs().stream().map(TransformerConfig::toString).toList()).containsExactly(
        "DECODER_ONLY|n_layers=2|d_model=8|n_heads=2|d_ff=32|vocab=7|context=5|norm=PRE_LN"
            + "|tied=false|seed=11|enc=0,0,0,0",
        "ENCODER_ONLY|n_layers=1|d_model=8|n_heads=4|d_ff=12|vocab=9|context=6|norm=POST_LN"
            + "|tied=true|seed=-3|enc=0,0,0,0",
        "ENCODER_DECODER|n_layers=2|d_model=12|n_heads=3|d_ff=10|vocab=17|context=12"
            + "|norm=PRE_LN|tied=false|seed=1252570589691350918|enc=1,8,2,16");
  }

  @Test
  void aSavedModelJsonHoldsThePinnedConfig(@TempDir Path dir) throws IOException {
    TransformerConfig c = encoderDecoderWithProjection();
    ReferenceModelFiles.save(ReferenceModel.build(c), dir);
    String saved = Files.readString(dir.resolve(ReferenceModelFiles.DESCRIPTION_FILE),
        StandardCharsets.UTF_8);
    assertThat(saved).contains("\"config\" : " + ENCODER_DECODER_PROJ.replace("\n", "\n  ")
        + ",\n  \"config_hash\" : \"" + c.contentHash() + "\"");
    assertThat(ReferenceModelFiles.load(dir).config()).isEqualTo(c);
  }
}
