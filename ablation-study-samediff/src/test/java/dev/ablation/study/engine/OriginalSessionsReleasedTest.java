package dev.ablation.study.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.StudyPlan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: when a run ends, the original's own graph holds no inference session (their array
 * caches, the largest arrays an idle worker kept, are closed then), and the next run on the same
 * original still gives the same row, so closing them changes no number.
 */
class OriginalSessionsReleasedTest {
  @Test
  void aRunLeavesTheOriginalsGraphWithoutSessionsAndTheNextRunIsUnchanged(@TempDir Path dir) {
    StudyPlan plan = PopulationStudyTest.plan();
    OriginalSpec spec = plan.originals().get(0);
    List<RecoveryRequest> runs = plan.runs(spec);
    try (SameDiffStudyEngine engine = new SameDiffStudyEngine(dir)) {
      OriginalRecord original = engine.original(spec);
      assertThat(engine.sessions(spec)).as("loading evaluates L* on the graph").isPositive();

      RecoveryResult first = engine.recover(original, runs.get(0), RecoveryListener.none());
      assertThat(engine.sessions(spec)).isZero();

      RecoveryResult again = engine.recover(original, runs.get(0), RecoveryListener.none());
      assertThat(engine.sessions(spec)).isZero();
      assertThat(again.curve()).isEqualTo(first.curve());
      assertThat(again.lossFinal()).isEqualTo(first.lossFinal());
    }
  }
}
