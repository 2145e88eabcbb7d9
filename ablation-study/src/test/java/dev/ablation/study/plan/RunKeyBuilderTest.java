package dev.ablation.study.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.Architecture;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The key's builder: each part set once, bad values refused at the call, all missing at once. */
class RunKeyBuilderTest {

  private static RunKey key() {
    return RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(32)
        .target(new WipeTarget.Block(LayerPath.block(1))).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(7).build();
  }

  /** Every setter, applied to a builder with the same value the key already holds. */
  private static final Map<String, UnaryOperator<RunKey.Builder>> SETTERS = Map.of(
      "arch", b -> b.arch(Architecture.DECODER_ONLY),
      "nLayers", b -> b.nLayers(2),
      "dModel", b -> b.dModel(32),
      "target", b -> b.target(new WipeTarget.Block(LayerPath.block(1))),
      "scheme", b -> b.scheme(ReinitScheme.fresh()),
      "freeze", b -> b.freeze(FreezePolicy.onlyWiped()),
      "seed", b -> b.seed(7),
      "lrMultiple", b -> b.lrMultiple(1.0));

  @Test
  void aSecondCallOfEverySetterFailsNamingIt() {
    SETTERS.forEach((name, set) -> {
      RunKey.Builder b = set.apply(RunKey.builder());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> set.apply(b),
          name);
      assertTrue(e.getMessage().contains(name + " was already set"), e.getMessage());
    });
  }

  @Test
  void copiedPartsMayEachBeReplacedOnceThenNot() {
    RunKey k = key();
    SETTERS.forEach((name, set) -> {
      RunKey.Builder b = set.apply(k.toBuilder());
      assertEquals(k, b.build(), name);
      assertThrows(IllegalStateException.class, () -> set.apply(b), name);
    });
    RunKey other = k.toBuilder().seed(8).lrMultiple(2).build();
    assertEquals(8, other.seed());
    assertEquals(2.0, other.lrMultiple());
    assertEquals(k.target(), other.target());
    assertEquals("decoder,2,32,blocks.1,FRESH,onlyWiped,8,lr=2x", other.toString());
  }

  @Test
  void buildNamesEveryMissingPartInOneMessage() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RunKey.builder().arch(Architecture.DECODER_ONLY).dModel(32).build());
    assertEquals("run key parts not set: [nLayers, target, scheme, freeze, seed]; set each with"
        + " its setter before build()", e.getMessage());
    assertEquals(1.0, RunKey.builder().arch(Architecture.DECODER_ONLY).nLayers(2).dModel(32)
        .target(WipeTarget.allCrossAttention(2)).scheme(ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped()).seed(1).build().lrMultiple());
  }

  @Test
  void badValuesFailAtTheCallNamingThem() {
    IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
        () -> RunKey.builder().target(null));
    assertEquals("run key target must not be null", nul.getMessage());
    for (double bad : List.of(0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RunKey.builder().lrMultiple(bad));
      assertTrue(e.getMessage().contains("learning-rate multiple")
          && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
    }
  }

  @Test
  void equalKeysHashAlikeAndEveryPartCounts() {
    RunKey k = key();
    assertEquals(k, key());
    assertEquals(k.hashCode(), key().hashCode());
    assertNotEquals(k, k.toBuilder().nLayers(3).build());
    assertNotEquals(k, k.toBuilder().dModel(16).build());
    assertNotEquals(k, k.toBuilder().seed(8).build());
    assertNotEquals(k, k.toBuilder().lrMultiple(0.5).build());
    assertNotEquals(k, k.toBuilder().arch(Architecture.ENCODER_DECODER).build());
    assertNotEquals(k, k.toBuilder().freeze(FreezePolicy.allTrainable()).build());
  }

  @Test
  void theFileNameAndTextAreThoseOfTheRecordThatCameBefore() throws Exception {
    RunKey k = key();
    // pinned with the record's code before the builder (commit b18d61c)
    assertEquals("decoder,2,32,blocks.1,FRESH,onlyWiped,7", k.toString());
    assertEquals(PINNED_FILE_NAME, k.fileName());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(k);
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      RunKey back = (RunKey) in.readObject();
      assertEquals(k, back);
      assertEquals(k.fileName(), back.fileName());
    }
  }

  private static final String PINNED_FILE_NAME = "a9308470c80c3729.json";
}
