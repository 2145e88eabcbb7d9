package dev.ablation.samediff.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.Architecture;
import dev.ablation.samediff.data.Example;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
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
  void eachBadValueIsRefusedAtItsCallNamingItAndWhatIsValid() {
    TransformerConfigBuilder b = TransformerConfig.builder(Architecture.DECODER_ONLY);
    assertThatIllegalArgumentException().isThrownBy(() -> b.nLayers(0))
        .withMessage("invalid transformer config: n_layers must be >= 1, got 0");
    assertThatIllegalArgumentException().isThrownBy(() -> b.dModel(-1))
        .withMessageContaining("d_model must be >= 1, got -1");
    assertThatIllegalArgumentException().isThrownBy(() -> b.nHeads(0))
        .withMessageContaining("n_heads must be >= 1, got 0");
    assertThatIllegalArgumentException().isThrownBy(() -> b.dFf(0))
        .withMessageContaining("d_ff must be >= 1, got 0");
    assertThatIllegalArgumentException().isThrownBy(() -> b.vocab(1))
        .withMessageContaining("vocab must be >= 2, got 1");
    assertThatIllegalArgumentException().isThrownBy(() -> b.context(0))
        .withMessageContaining("context must be >= 1, got 0");
    assertThatIllegalArgumentException().isThrownBy(() -> b.norm(null))
        .withMessageContaining("norm is required (PRE_LN or POST_LN)");
    assertThatIllegalArgumentException().isThrownBy(() -> TransformerConfig.builder(null))
        .withMessageContaining("architecture is required (DECODER_ONLY, ENCODER_ONLY,"
            + " ENCODER_DECODER)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.encoder(TransformerConfig.Encoder.of(1, 8, 2)))
        .withMessageContaining("is for ENCODER_DECODER only; DECODER_ONLY has one stack");
    // a refused value is not set: the setting can still be given
    assertThat(b.nLayers(1).dModel(8).nHeads(2).dFf(4).vocab(2).context(1).seed(0)
        .norm(NormPosition.POST_LN).build().nLayers()).isEqualTo(1);
  }

  @Test
  void anEncoderReportsEveryBadSizeAtOnceWithItsPrefix() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TransformerConfig.Encoder(0, 9, 2, 0))
        .withMessageContaining("encoder_n_layers must be >= 1, got 0")
        .withMessageContaining("encoder_d_model=9 is not divisible by encoder_n_heads=2;"
            + " valid head counts for this width: [1, 3, 9]")
        .withMessageContaining("encoder_d_ff must be >= 1, got 0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransformerConfig.encoderDecoder(1, 1, 8, 2, 5, 4, 1)
            .withEncoder(new TransformerConfig.Encoder(1, 9, 2, 8)));
    assertTrue(e.getMessage().contains("encoder_d_model=9"), e.getMessage());
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransformerConfig.decoderOnly(1, 8, 2, 5, 4, 1)
            .withEncoder(TransformerConfig.Encoder.of(1, 8, 2)))
        .withMessage("withEncoder needs ENCODER_DECODER, this is DECODER_ONLY");
  }

  @Test
  void buildReportsEveryMissingSettingAndCombinationAtOnce() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransformerConfig.builder(Architecture.ENCODER_DECODER).dModel(30)
            .nHeads(4).build())
        .withMessage("invalid transformer config: nLayers(…) is required; vocab(…) is required;"
            + " context(…) is required; seed(…) is required; ENCODER_DECODER needs"
            + " encoder(…), e.g. encoder(TransformerConfig.Encoder.of(nLayers, dModel, nHeads));"
            + " d_model=30 is not divisible by n_heads=4; valid head counts for this width:"
            + " [1, 2, 3, 5, 6, 10, 15, 30]");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransformerConfig.builder(Architecture.DECODER_ONLY).build())
        .withMessageContaining("nLayers(…) is required; dModel(…) is required; nHeads(…) is"
            + " required; vocab(…) is required; context(…) is required; seed(…) is required");
  }

  /** Every setter, each with a valid value that differs from {@link TinyModels}' configs. */
  private static Map<String, UnaryOperator<TransformerConfigBuilder>> setters() {
    Map<String, UnaryOperator<TransformerConfigBuilder>> m = new LinkedHashMap<>();
    m.put("nLayers", b -> b.nLayers(3));
    m.put("dModel", b -> b.dModel(15));
    m.put("nHeads", b -> b.nHeads(4));
    m.put("dFf", b -> b.dFf(20));
    m.put("vocab", b -> b.vocab(9));
    m.put("context", b -> b.context(6));
    m.put("norm", b -> b.norm(NormPosition.POST_LN));
    m.put("tiedEmbeddings", b -> b.tiedEmbeddings(true));
    m.put("seed", b -> b.seed(99));
    m.put("encoder", b -> b.encoder(new TransformerConfig.Encoder(1, 6, 3, 7)));
    return m;
  }

  @Test
  void aSecondCallOfEachSetterIsRefusedNamingTheSetting() {
    setters().forEach((name, set) -> {
      TransformerConfigBuilder b = set.apply(
          TransformerConfig.builder(Architecture.ENCODER_DECODER));
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.apply(b))
          .withMessageStartingWith(name + " was already set to ")
          .withMessageEndingWith(" on this builder; set each setting once");
    });
  }

  @Test
  void valuesCopiedByToBuilderMayEachBeReplacedOnce() {
    TransformerConfig c = TinyModels.encoderDecoderWithProjection();
    assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
    setters().forEach((name, set) -> {
      TransformerConfigBuilder b = set.apply(c.toBuilder());
      TransformerConfig changed = b.build();
      assertThat(changed).as(name).isNotEqualTo(c);
      assertThat(changed.contentHash()).as(name).isNotEqualTo(c.contentHash());
      assertThatIllegalStateException().as(name).isThrownBy(() -> set.apply(b))
          .withMessageStartingWith(name + " was already set to ");
    });
    TransformerConfig d = c.toBuilder().dModel(16).nHeads(4).seed(5).build();
    assertThat(d.dModel()).isEqualTo(16);
    assertThat(d.dFf()).as("a copied d_ff stays when d_model changes").isEqualTo(c.dFf());
    assertThat(d.encoder()).isEqualTo(c.encoder());
    assertThat(d.architecture()).isEqualTo(Architecture.ENCODER_DECODER);
    assertThat(d.seed()).isEqualTo(5);
  }

  @Test
  void theDefaultsAreTheShorthandsAndTheEncoderIsItsOwnValue() {
    TransformerConfig built = TransformerConfig.builder(Architecture.ENCODER_DECODER)
        .nLayers(2).dModel(8).nHeads(2).vocab(5).context(4).seed(1)
        .encoder(TransformerConfig.Encoder.of(3, 8, 2)).build();
    assertThat(built).isEqualTo(TransformerConfig.encoderDecoder(3, 2, 8, 2, 5, 4, 1));
    assertThat(built.dFf()).isEqualTo(32);
    assertThat(built.norm()).isEqualTo(NormPosition.PRE_LN);
    assertThat(built.tiedEmbeddings()).isFalse();
    assertThat(built.encoder()).contains(new TransformerConfig.Encoder(3, 8, 2, 32));
    assertThat(List.of(built.encoderLayers(), built.encoderDModel(), built.encoderHeads(),
        built.encoderDFf())).containsExactly(3, 8, 2, 32);
    assertThat(built.hasProjection()).isFalse();
    assertThat(TinyModels.encoderDecoderWithProjection().hasProjection()).isTrue();
    TransformerConfig dec = TransformerConfig.decoderOnly(2, 8, 2, 5, 4, 1);
    assertThat(dec.encoder()).isEmpty();
    assertThat(List.of(dec.encoderLayers(), dec.encoderDModel(), dec.encoderHeads(),
        dec.encoderDFf())).containsExactly(0, 0, 0, 0);
  }

  @Property(tries = 40, seed = "34")
  void equalSettingsGiveEqualConfigsAndAnyChangeGivesAnotherOne(
      @ForAll @IntRange(min = 1, max = 4) int layers,
      @ForAll @IntRange(min = 1, max = 4) int heads,
      @ForAll @IntRange(min = 1, max = 8) int perHead,
      @ForAll @IntRange(min = 2, max = 50) int vocab,
      @ForAll long seed, @ForAll boolean tied, @ForAll("changes") String change) {
    Supplier<TransformerConfigBuilder> b = () -> TransformerConfig.builder(
        Architecture.ENCODER_DECODER).nLayers(layers).dModel(heads * perHead).nHeads(heads)
        .vocab(vocab).context(4).tiedEmbeddings(tied).seed(seed)
        .encoder(TransformerConfig.Encoder.of(layers, heads * perHead, heads));
    Assume.that(!change.equals("dModel") || 15 % heads == 0);
    Assume.that(!change.equals("nHeads") || heads * perHead % 4 == 0);
    TransformerConfig a = b.get().build();
    TransformerConfig same = b.get().build();
    assertThat(same).isEqualTo(a).hasSameHashCodeAs(a).hasToString(a.toString());
    assertThat(same.contentHash()).isEqualTo(a.contentHash());
    TransformerConfig other = setters().get(change).apply(a.toBuilder()).build();
    if (!other.equals(a)) {
      assertThat(other.contentHash()).isNotEqualTo(a.contentHash());
      assertThat(other.toString()).isNotEqualTo(a.toString());
    } else { // the change gave the value it had
      assertThat(other.contentHash()).isEqualTo(a.contentHash());
    }
  }

  @Provide
  Arbitrary<String> changes() {
    return Arbitraries.of(List.copyOf(setters().keySet()));
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
