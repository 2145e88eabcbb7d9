package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/index.md links every page of docs/ (issue 33: findings.md and tasks.md were missing),
 * and every page it links exists; the README's first screen states the answer and the two
 * commands, and names no figure the dated table of docs/performance.md does not hold.
 */
class DocsIndexTest {
  private static final Path DOCS = Path.of("..", "docs");

  @Test
  void theIndexLinksEveryPageAndOnlyPagesThatExist() throws IOException {
    String index = Files.readString(DOCS.resolve("index.md"), StandardCharsets.UTF_8);
    List<String> pages;
    try (Stream<Path> s = Files.list(DOCS)) {
      pages = s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".md") && !n.equals("index.md")).sorted().toList();
    }
    assertThat(pages).contains("findings.md", "tasks.md");
    for (String page : pages) {
      assertThat(index).as("docs/index.md links %s", page).contains("](" + page + ")");
    }
    Matcher m = Pattern.compile("\\]\\(([^)#]+\\.md)").matcher(index);
    while (m.find()) {
      assertThat(DOCS.resolve(m.group(1))).as("linked page").isRegularFile();
    }
  }

  @Test
  void theReadmesFirstScreenHasTheAnswerAndTheTwoCommandsWithTheirCost() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String first = String.join("\n", lines.subList(0, Math.min(50, lines.size())));
    assertThat(first).contains("## The answer", "## The two commands",
        "java -Xmx1g -XX:+UseSerialGC -jar ablation-cli/target/ablation.jar study",
        "mvn -B verify", "docs/performance.md#measured-figures-the-one-dated-table");
    String table = Files.readString(DOCS.resolve("performance.md"), StandardCharsets.UTF_8);
    // the study's cost line quotes the dated table, figure for figure
    Matcher cost = Pattern.compile("Cost: ([0-9]+ min [0-9]+ s) wall, ([0-9.]+ GB) peak")
        .matcher(first);
    assertThat(cost.find()).as("the study command's cost line").isTrue();
    assertThat(table).contains("| " + cost.group(1) + " |").contains("| " + cost.group(2) + " |");
  }

  /**
   * Every number the README's answer quotes is on docs/findings.md, which a test regenerates
   * from the committed runs: an answer left behind when the data moved fails here.
   */
  @Test
  void everyNumberOfTheReadmesAnswerIsOnTheFindingsPage() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int from = readme.indexOf("## The answer");
    int to = readme.indexOf("\n## ", from + 1);
    assertThat(from).as("the README's answer section").isNotNegative();
    String answer = readme.substring(from, to < 0 ? readme.length() : to)
        .replaceAll("\\]\\([^)]*\\)", "]"); // link targets are not figures
    String page = Files.readString(DOCS.resolve("findings.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("-?[0-9]+(?:[.,][0-9]+)*%?").matcher(answer);
    int numbers = 0;
    while (m.find()) {
      numbers++;
      assertThat(page).as("README's answer quotes %s, which docs/findings.md does not hold",
          m.group()).contains(m.group());
    }
    assertThat(numbers).as("figures in the README's answer").isGreaterThan(5);
  }
}
