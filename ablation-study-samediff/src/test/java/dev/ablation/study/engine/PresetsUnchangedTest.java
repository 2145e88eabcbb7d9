package dev.ablation.study.engine;

import dev.ablation.api.Architecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.Preset;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.TrainingSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The presets' values are study results: a refactoring of how plans and settings are built must
 * leave every one of them as it was. The golden file was generated from the code before the
 * builders replaced the positional constructors (commit "golden: every preset's settings"), and
 * holds, per preset, every axis of the plan, the training settings as the manifest and the
 * originals' content hashes see them, what the criterion, schedule and budgets become, every
 * run of every original, and the plan the engine trains each original with (its cache key).
 *
 * <p>Regenerate only for an intended change of a preset:
 * {@code mvn -pl ablation-study -am test -Dtest=PresetsUnchangedTest -Dgolden.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PresetsUnchangedTest {
  static final Path GOLDEN = Path.of("src/test/resources/dev/ablation/study/presets-golden.txt");

  @Test
  void everyPresetDescribesExactlyWhatItDidBeforeTheBuilders() throws IOException {
    String now = describeAll();
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(GOLDEN, now, StandardCharsets.UTF_8);
    }
    assertThat(now).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  static String describeAll() {
    List<String> lines = new ArrayList<>();
    for (Preset p : Presets.ALL) {
      StudyPlan plan = p.plan();
      TrainingSettings t = plan.training();
      lines.add("preset " + p.name() + ": " + p.description());
      lines.add("  archs " + plan.archs().stream().map(Architecture::key).toList() + " depths " + plan.depths() + " widths "
          + plan.widths() + " heads " + plan.heads() + " wipe " + plan.wipe());
      lines.add("  schemes " + plan.schemes() + " policies " + plan.policies());
      lines.add("  seeds " + plan.seeds() + " recovery-lr " + plan.recoveryLr() + " kinds "
          + plan.kinds() + " design " + plan.design());
      lines.add("  training " + t.asMap());
      lines.add("  criterion(0.01) " + t.criterion(0.01) + " | criterion(0.1) "
          + t.criterion(0.1));
      lines.add("  schedule " + t.schedule() + " | recovery budget " + t.recoveryBudget()
          + " | scratch budget " + t.scratchBudget() + " | target " + t.describeTarget()
          + " | rate(1x) " + t.recoveryRate(1.0) + " | rate(0.3x) " + t.recoveryRate(0.3));
      lines.add("  recovery adam " + Recipes.recoveryAdam(t, 1.0)
          + " | scratch adam " + Recipes.originalAdam(t));
      lines.add("  total runs " + plan.totalRuns());
      for (OriginalSpec o : plan.originals()) {
        lines.add("  original " + o.model() + " seed " + o.seed() + " hash " + o.contentHash()
            + " plan " + Recipes.originalPlan(t, Seeds.derivedFrom(o.seed()).originalData()));
        List<String> runs = plan.runs(o).stream().map(Object::toString).toList();
        lines.add("    " + runs.size() + " runs, sha256 " + Hashing.sha256()
            .hashString(String.join("\n", runs), StandardCharsets.UTF_8));
      }
    }
    return String.join("\n", lines) + "\n";
  }
}
