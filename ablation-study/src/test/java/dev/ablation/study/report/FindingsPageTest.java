package dev.ablation.study.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed findings pages are what {@code ablation.jar findings} makes from the committed
 * runs: regenerated here from {@code data/} (no model, no Python) and compared line by line.
 * A number typed into a page by hand, or data committed without regenerating its page, fails.
 */
class FindingsPageTest {
  /** Each generated page with the data folder it is made from. */
  private static final List<List<String>> PAGES = List.of(
      List.of("../data/issue32", "../docs/findings.md"));

  @Test
  void everyGeneratedPageEqualsWhatTheCommandPrints() throws Exception {
    for (List<String> p : PAGES) {
      Path page = Path.of(p.get(1));
      String expected = Findings.page(Path.of(p.get(0)), page).markdown();
      List<String> committed = Files.readAllLines(page, StandardCharsets.UTF_8);
      assertThat(committed).as(page + ": regenerate with `java -jar ablation.jar findings "
          + p.get(0).substring(3) + " " + p.get(1).substring(3) + "`")
          .containsExactlyElementsOf(expected.lines().toList());
    }
  }

  @Test
  void theReadmesAnswerIsWhatTheCommandWrites() throws Exception {
    List<String> p = PAGES.get(0);
    String expected = Findings.page(Path.of(p.get(0)), Path.of(p.get(1))).readmeAnswer();
    assertThat(Findings.readmeAnswer(Path.of("..", "README.md")).lines().toList())
        .as("README.md's answer: regenerate with data/regenerate.sh")
        .containsExactlyElementsOf(expected.lines().toList());
  }
}
