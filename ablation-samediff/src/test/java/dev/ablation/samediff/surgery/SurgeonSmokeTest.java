package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.samediff.Batch;
import org.junit.jupiter.api.Test;

class SurgeonSmokeTest {
  @Test
  void buildsTrainsAndWipes() {
    for (ToyGraphs.Toy toy : new ToyGraphs.Toy[] {ToyGraphs.foreignDecoder(1), ToyGraphs.encoderDecoder(2)}) {
      System.out.println(toy.model().layers().layout());
      toy.model().layers().parameters().forEach(p -> System.out.println("  " + p));
      Batch b = toy.batch(3);
      double l0 = StepZeroDamage.evaluate(toy.model(), java.util.List.of(b)).loss();
      long t = System.nanoTime();
      toy.fit(20, 5);
      System.out.println("fit 20 ms " + (System.nanoTime() - t) / 1e6);
      double l1 = StepZeroDamage.evaluate(toy.model(), java.util.List.of(b)).loss();
      System.out.println(l0 + " -> " + l1);
      SameDiffSurgeon s = SameDiffSurgeon.of(toy.model());
      s.wipe(toy.blocks().get(0), ReinitScheme.fresh(), 7);
      assertTrue(l1 < l0);
    }
  }
}
