package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.cli.StudyOptions;
import dev.ablation.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code study} takes its plan options from the one {@link StudyOptions} mixin the Spark
 * application also uses, and defines none of them a second time.
 */
class StudyOptionsOnCommandLineTest {
  @Test
  void studyMixesInTheSharedOptionsAndRepeatsNone() {
    CommandLine study = Main.commandLine(dir -> {
      throw new AssertionError("nothing runs");
    }).getSubcommands().get("study");
    assertThat(study.getCommandSpec().mixins().values())
        .anyMatch(m -> m.userObject() instanceof StudyOptions);
    List<String> names = study.getCommandSpec().options().stream()
        .flatMap(o -> List.of(o.names()).stream()).toList();
    assertThat(names).doesNotHaveDuplicates().contains("--preset", "--converge-delta",
        "--converge-k", "--peak-lr", "--warmup", "--recovery-warmup", "--train-steps", "--out");
  }
}
