package dev.ablation.samediff.surgery;

import dev.ablation.samediff.surgery.SurgeonChainPropertiesTest.Harness;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tag;
import net.jqwik.api.state.ActionChain;

/**
 * The surgeon's chains at soak scale: 2,000 chains (wipe, freeze, unfreeze, train by
 * {@code sd.fit} and by AdamStepper, recover through the fast path, freeze schedules through
 * RecoveryLoop, snapshot, restore, undo) over four architectures. Tagged {@code slow}: run
 * with {@code mvn -Pslow -pl ablation-samediff -am test -Dtest=SurgeonChainSoakTest}.
 */
@Tag("slow")
class SurgeonChainSoakTest {
  private static final int ACTIONS = 10;

  @Property(tries = 600, seed = "20261211", shrinking = ShrinkingMode.BOUNDED)
  void soakDecoderOnly(@ForAll("decoderOnly") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 500, seed = "20261212", shrinking = ShrinkingMode.BOUNDED)
  void soakEncoderOnly(@ForAll("encoderOnly") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 500, seed = "20261213", shrinking = ShrinkingMode.BOUNDED)
  void soakForeignDecoder(@ForAll("foreignDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Property(tries = 400, seed = "20261214", shrinking = ShrinkingMode.BOUNDED)
  void soakEncoderDecoder(@ForAll("encoderDecoder") ActionChain<Harness> chain) {
    chain.withInvariant("invariants", Harness::checkInvariants).run();
  }

  @Provide
  Arbitrary<ActionChain<Harness>> decoderOnly() {
    return SurgeonChainPropertiesTest.quickChains("soak decoder-only",
        ReferenceSubjects::decoderOnly, ACTIONS);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> encoderOnly() {
    return SurgeonChainPropertiesTest.quickChains("soak encoder-only",
        ReferenceSubjects::encoderOnly, ACTIONS);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> foreignDecoder() {
    return SurgeonChainPropertiesTest.quickChains("soak foreign", () -> ChainSubject.of(
        "foreign decoder", ToyGraphs.foreignDecoder(5)), ACTIONS);
  }

  @Provide
  Arbitrary<ActionChain<Harness>> encoderDecoder() {
    return SurgeonChainPropertiesTest.quickChains("soak encoder-decoder",
        ReferenceSubjects::encoderDecoder, ACTIONS);
  }
}
