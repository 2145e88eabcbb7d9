package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.data.Example;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformerConfigTest {

  @Test
  void headsMustDivideTheWidthAndTheMessageListsValidCounts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransformerConfig.decoderOnly(2, 30, 4, 10, 8, 1));
    assertTrue(e.getMessage().contains("d_model=30 is not divisible by n_heads=4"),
        e.getMessage());
    assertTrue(e.getMessage().contains("[1, 2, 3, 5, 6, 10, 15, 30]"), e.getMessage());
  }

  @Test
  void reportsEveryProblemAtOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerConfig(Architecture.DECODER_ONLY, 0, 8, 2, 0, 1, 0,
            NormPosition.PRE_LN, false, 1, 0, 0, 0, 0));
    for (String s : List.of("n_layers must be >= 1, got 0", "d_ff must be >= 1, got 0",
        "vocab must be >= 2, got 1", "context must be >= 1, got 0")) {
      assertTrue(e.getMessage().contains(s), e.getMessage());
    }
    e = assertThrows(IllegalArgumentException.class,
        () -> TransformerConfig.encoderDecoder(1, 1, 8, 2, 5, 4, 1).withEncoder(1, 9, 2, 8));
    assertTrue(e.getMessage().contains("encoder_d_model=9"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TransformerConfig.decoderOnly(1, 8, 2, 5, 4, 1).withEncoder(1, 8, 2, 8));
  }

  @Test
  void contentHashIsStableAndSensitiveToEveryChange() {
    TransformerConfig c = TransformerConfig.decoderOnly(2, 8, 2, 5, 4, 1);
    assertEquals(c.contentHash(), TransformerConfig.decoderOnly(2, 8, 2, 5, 4, 1).contentHash());
    assertEquals(16, c.contentHash().length());
    assertNotEquals(c.contentHash(), c.withSeed(2).contentHash());
    assertNotEquals(c.contentHash(), c.withNorm(NormPosition.POST_LN).contentHash());
    assertNotEquals(c.contentHash(), c.withTiedEmbeddings(true).contentHash());
    assertNotEquals(c.contentHash(), c.withDFf(9).contentHash());
  }

  @Test
  void batchesRejectBadDataNamingTheExampleAndToken() {
    ReferenceModel dec = ReferenceModel.build(TinyModels.decoder());
    assertThrows(IllegalArgumentException.class, () -> ReferenceBatches.of(dec).batch(List.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReferenceBatches.of(dec).batch(List.of(Example.of(1, 2), Example.of(1, 2, 3, 4, 5, 6, 1))));
    assertTrue(e.getMessage().contains("example 1 has 7 tokens"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ReferenceBatches.of(dec).batch(List.of(Example.of(1, 7, 2))));
    assertTrue(e.getMessage().contains("token 7 at position 1"), e.getMessage());
    ReferenceModel enc = ReferenceModel.build(TinyModels.encoder());
    e = assertThrows(IllegalArgumentException.class, () -> ReferenceBatches.of(enc).batch(List.of(Example.of(1, 6))));
    assertTrue(e.getMessage().contains("[MASK]"), e.getMessage());
    ReferenceModel s2s = ReferenceModel.build(TinyModels.encoderDecoderWithProjection());
    assertThrows(IllegalArgumentException.class, () -> ReferenceBatches.of(s2s).batch(List.of(Example.of(1, 2))));
    e = assertThrows(IllegalArgumentException.class,
        () -> ReferenceBatches.of(s2s).batch(List.of(Example.pair(new int[] {1}, new int[] {2, 0}))));
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
  }

  @Test
  void batchCountsPredictedTokens() {
    ReferenceModel dec = ReferenceModel.build(TinyModels.decoder());
    var b = ReferenceBatches.of(dec).batch(List.of(Example.of(1, 2), Example.of(1, 2, 3, 4, 5, 6)));
    assertEquals(2, b.examples());
    assertEquals(1 + 5, b.tokens());
    ReferenceModel enc = ReferenceModel.build(TinyModels.encoder());
    var m = ReferenceBatches.of(enc).batch(List.of(Example.of(1, 2, 3)));
    assertTrue(m.tokens() >= 1 && m.tokens() <= 3);
    assertEquals(m.tokens(), ReferenceBatches.of(enc).batch(List.of(Example.of(1, 2, 3))).tokens());
  }
}
