package dev.ablation.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.examples.Main;
import dev.ablation.study.PlanOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code study} offers every option the study's {@link PlanOptions} reads, so the Spark
 * application (which checks the same list) and this command stay interchangeable.
 */
class StudyOptionsTest {
  @Test
  void studyHasEveryPlanOption() {
    CommandLine study = Main.commandLine(dir -> {
      throw new AssertionError("nothing runs");
    }).getSubcommands().get("study");
    List<String> names = study.getCommandSpec().options().stream()
        .flatMap(o -> List.of(o.names()).stream()).toList();
    assertThat(names).containsAll(PlanOptions.ALL);
  }
}
