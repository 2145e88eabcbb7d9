package dev.ablation.study.plan;

import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.run.StudyJob;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.WipeKind;
import dev.ablation.study.plan.WipeTarget;

import dev.ablation.api.Architecture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunKeyTest {

  @Test
  void everyTargetLabelReadsBackToTheSameTarget() {
    for (Architecture a : Architecture.values()) {
      ModelSpec m = new ModelSpec(a, 3, 32, 4);
      for (WipeTarget t : m.targets()) {
        assertEquals(t, WipeTarget.parse(t.label(), m.nLayers()), t.label());
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WipeTarget.parse("blocks..1", 2));
    assertTrue(e.getMessage().contains("'blocks..1'") && e.getMessage().contains("valid"),
        e.getMessage());
  }

  @Test
  void everyKindsLabelsReadBackAndSublayerTargetsHoldOnlyTheirBlocksParts() {
    for (Architecture a : Architecture.values()) {
      ModelSpec m = new ModelSpec(a, 3, 32, 4);
      StudyPlan plan = Presets.QUICK.plan().toBuilder().archs(List.of(a))
          .depths(List.of(3)).kinds(List.of(WipeKind.values())).build();
      List<WipeTarget> targets = plan.targets(m);
      for (WipeTarget t : targets) {
        assertEquals(t, WipeTarget.parse(t.label(), m.nLayers()), t.label());
        if (t instanceof WipeTarget.Sublayers s) {
          LayerPathCheck.allInOneBlock(s);
        }
      }
      long perBlock = java.util.Arrays.stream(WipeKind.values())
          .filter(k -> k.perBlock() && k.appliesTo(a)).count();
      long once = java.util.Arrays.stream(WipeKind.values())
          .filter(k -> !k.perBlock() && k.appliesTo(a)).count();
      assertEquals(3 * perBlock + once, targets.size(), a + ": " + targets);
    }
    assertEquals(List.of("decoder.blocks.1.ln1", "decoder.blocks.1.ln2", "decoder.blocks.1.ln3"),
        WipeTarget.parse("decoder.blocks.1.ln", 2).layers().stream().map(Object::toString)
            .toList());
    assertEquals(new WipeTarget.SwapEncoder(16, WipeTarget.EncoderSource.STITCHED),
        WipeTarget.parse("encoder.stitched(d_model=16)", 2));
  }

  /** A sublayer target names parts of exactly one block, and no whole block. */
  static final class LayerPathCheck {
    static void allInOneBlock(WipeTarget.Sublayers s) {
      var block = s.sublayers().get(0).stack().orElseThrow() + "."
          + s.sublayers().get(0).blockIndex().orElseThrow();
      for (var p : s.sublayers()) {
        assertTrue(p.toString().startsWith(block + "."), s + " mixes blocks");
        assertTrue(p.segments().size() >= 3, p + " is not a sublayer");
      }
    }
  }

  @Test
  void keysSortByTypedValuesNumbersAsNumbers() {
    List<RunKey> keys = new ArrayList<>();
    ModelSpec enc = new ModelSpec(Architecture.ENCODER_DECODER, 12, 32, 4);
    for (WipeTarget t : enc.targets()) {
      keys.add(RunKey.builder().arch(Architecture.ENCODER_DECODER).nLayers(12).dModel(32).target(t)
          .scheme(ReinitScheme.fresh()).freeze(FreezePolicy.onlyWiped()).seed(1).build());
    }
    Collections.reverse(keys);
    Collections.sort(keys);
    List<String> layers = keys.stream().map(RunKey::layer).toList();
    assertEquals("decoder.blocks.0", layers.get(0));
    assertEquals("decoder.blocks.2", layers.get(2));
    assertEquals("decoder.blocks.10", layers.get(10));
    assertEquals("decoder.cross_attn.all", layers.get(12));
    assertEquals("encoder.swap(d_model=16)", layers.get(13));
  }

  @Test
  void aReaderResolvesThePlansOwnPoliciesByKey() {
    FreezePolicy attnOnly = FreezePolicy.matching("attnOnly",
        p -> p.toString().contains(".attn."));
    FreezePolicy scheduled = FreezePolicy.onlyWiped().thenAfter(8, FreezePolicy.allTrainable());
    RunKey.Reader reader = new RunKey.Reader(List.of(ReinitScheme.fresh()),
        List.of(attnOnly, scheduled));
    RunKey a = reader.read("decoder", 2, 32, "blocks.1", "FRESH", "attnOnly", 3);
    assertSame(attnOnly, a.freeze());
    assertEquals(scheduled, reader.read("decoder", 2, 32, "blocks.1", "FRESH",
        scheduled.key(), 3).freeze());
    RunKey parsed = RunKey.Reader.parsing().read("encdec", 2, 32, "decoder.cross_attn.all",
        "SHRINK_PERTURB(0.5,0.01)", "wipedPlusNeighbours(1)", 7);
    assertEquals(RunKey.builder().arch(Architecture.ENCODER_DECODER).nLayers(2).dModel(32)
        .target(WipeTarget.allCrossAttention(2)).scheme(ReinitScheme.shrinkPerturb(0.5, 0.01))
        .freeze(FreezePolicy.wipedPlusNeighbours(1)).seed(7).build(), parsed);
    assertEquals("encdec,2,32,decoder.cross_attn.all,SHRINK_PERTURB(0.5,0.01),"
        + "wipedPlusNeighbours(1),7", parsed.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RunKey.Reader.parsing().read("decoder", 2, 32, "blocks.1", "FRESH", "attnOnly", 1));
    assertTrue(e.getMessage().contains("attnOnly"), e.getMessage());
  }

  @Test
  void jobsSerialiseForAClusterDriver() throws Exception {
    StudyPlan plan = Presets.ENCDEC.plan();
    for (OriginalSpec o : plan.originals()) {
      for (RecoveryRequest r : plan.runs(o)) {
        StudyJob job = new StudyJob.Recover(o, r);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
          out.writeObject(job);
        }
        try (ObjectInputStream in = new ObjectInputStream(
            new ByteArrayInputStream(bytes.toByteArray()))) {
          StudyJob back = (StudyJob) in.readObject();
          assertEquals(job, back);
          assertEquals(((StudyJob.Recover) job).key(), ((StudyJob.Recover) back).key());
        }
      }
    }
  }
}
