package dev.ablation.samediff.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleAndConvergenceTest {

  @Test
  void warmupRisesLinearlyThenInverseSqrtDecays() {
    LrSchedule s = LrSchedule.warmupInverseSqrt(4);
    assertEquals(0.25, s.factor(0), 1e-12);
    assertEquals(0.75, s.factor(2), 1e-12);
    assertEquals(1.0, s.factor(3), 1e-12);
    assertEquals(Math.sqrt(4.0 / 16), s.factor(15), 1e-12);
    assertEquals(1.0, LrSchedule.warmup(4).factor(1000), 0);
    assertEquals(1.0, LrSchedule.constant().factor(0), 0);
    assertEquals(3e-3 * 0.5, AdamSettings.of(3e-3).withSchedule(LrSchedule.warmup(4)).rateAt(1),
        1e-15);
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(-1,
        LrSchedule.Decay.CONSTANT));
  }

  @Test
  void convergenceNeedsLessThanDeltaOverTheLastKEvaluations() {
    Convergence c = new Convergence(3, 0.01);
    List<Double> falling = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      falling.add(3.0 - 0.1 * i);
    }
    assertFalse(c.holds(falling), "still falling by 0.1 per evaluation");
    List<Double> flat = new ArrayList<>(falling);
    for (int i = 0; i < 3; i++) {
      flat.add(falling.get(falling.size() - 1) - 0.002 * (i + 1));
    }
    assertTrue(c.holds(flat), "improved 0.006 < 0.01 over the last 3");
    assertFalse(c.holds(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)), "needs 2k + 1 evaluations");
    assertTrue(c.holds(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)));
  }
}
