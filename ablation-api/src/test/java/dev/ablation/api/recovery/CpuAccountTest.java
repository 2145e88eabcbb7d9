package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuAccountTest {
  /** Burns this thread's CPU for about {@code ms} milliseconds of it. */
  private static double burn(long ms) {
    java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
    long end = t.getCurrentThreadCpuTime() + ms * 1_000_000;
    double x = 0;
    while (t.getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 10_000; i++) {
        x += Math.sqrt(i + x);
      }
    }
    return x;
  }

  @Test
  void nestedPhaseIsChargedToItselfNotTheEnclosingOne() {
    CpuAccount.Snapshot before = CpuAccount.snapshot();
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.RECOVERY_STEPS)) {
      burn(60);
      try (CpuAccount.Scope e = CpuAccount.enter(CpuAccount.Phase.RECOVERY_EVALUATION)) {
        burn(120);
      }
      burn(60);
    }
    CpuAccount.Snapshot d = CpuAccount.snapshot().minus(before);
    assertThat(d.seconds(CpuAccount.Phase.RECOVERY_EVALUATION)).isBetween(0.115, 0.2);
    assertThat(d.seconds(CpuAccount.Phase.RECOVERY_STEPS)).isBetween(0.115, 0.2);
    assertThat(d.evaluationSeconds()).isEqualTo(d.seconds(CpuAccount.Phase.RECOVERY_EVALUATION));
    assertThat(d.processSeconds()).isGreaterThanOrEqualTo(d.chargedSeconds() * 0.95);
  }

  @Test
  void absorbingPhaseKeepsWhatRunsInsideIt() {
    CpuAccount.Snapshot before = CpuAccount.snapshot();
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.SCRATCH)) {
      try (CpuAccount.Scope e = CpuAccount.enter(CpuAccount.Phase.RECOVERY_EVALUATION)) {
        burn(80);
      }
    }
    CpuAccount.Snapshot d = CpuAccount.snapshot().minus(before);
    assertThat(d.seconds(CpuAccount.Phase.SCRATCH)).isGreaterThan(0.075);
    assertThat(d.seconds(CpuAccount.Phase.RECOVERY_EVALUATION)).isZero();
  }

  @Test
  void closingOutOfOrderIsRefused() {
    CpuAccount.Scope outer = CpuAccount.enter(CpuAccount.Phase.DAMAGE);
    CpuAccount.Scope inner = CpuAccount.enter(CpuAccount.Phase.FIDELITY);
    assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("out of order");
    inner.close();
    outer.close();
  }

  @Test
  void linesNameEveryPhaseAndTheShare() {
    assertThat(CpuAccount.snapshot().lines()).anyMatch(l -> l.contains("recovery_search"))
        .anyMatch(l -> l.contains("eval cpu share")).anyMatch(l -> l.contains("other"));
  }
}
