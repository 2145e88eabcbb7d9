package dev.ablation.study.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.study.store.Provenance;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report.html} of the golden results (the fixture {@link ReportGoldenTest} renders):
 * one self-contained file with its sections in order, a policy that forbids every fetch, and
 * chart data that matches the runs. The browser drawing it is tested in ablation-examples
 * ({@code HtmlReportBrowserTest}).
 */
class HtmlReportTest {
  private static final Path GOLDEN =
      Path.of("src/test/resources/dev/ablation/study/report/golden/results.json");

  private static String html(Path dir) throws IOException {
    Files.copy(GOLDEN, dir.resolve("results.json"));
    return Files.readString(HtmlReport.rewrite(dir), StandardCharsets.UTF_8);
  }

  @Test
  void theSectionsComeInTheIssuesOrder(@TempDir Path dir) throws IOException {
    String html = html(dir);
    List<String> ids = List.of("answer", "summary", "curves", "runs", "originals", "provenance",
        "downloads");
    int at = -1;
    for (String id : ids) {
      int i = html.indexOf("<section id=\"" + id + "\">");
      assertThat(i).as("section %s after the one before it", id).isGreaterThan(at);
      at = i;
    }
    assertThat(Files.exists(dir.resolve(Report.PLOTS).resolve("summary.png"))).isTrue();
  }

  @Test
  void itLoadsNothingFromOutsideAndDeclaresAPolicyThatForbidsIt(@TempDir Path dir)
      throws IOException {
    String html = html(dir);
    assertThat(html).contains("http-equiv=\"Content-Security-Policy\" content=\"default-src "
        + "'none';");
    assertThat(html).doesNotContainPattern("(src|href)\\s*=\\s*\"(https?:)?//");
    assertThat(html).doesNotContainPattern("<link\\b");
    assertThat(html).doesNotContainPattern("<script[^>]*\\bsrc=");
    assertThat(html).contains("uPlot"); // the library is inlined, not linked
  }

  @Test
  void theAnswerIsTheHeadlineAndTheTablesCountEveryRun(@TempDir Path dir) throws IOException {
    String html = html(dir);
    List<RunRecord> records = RecordJson.readResults(Files.readString(GOLDEN,
        StandardCharsets.UTF_8));
    Headline h = Sections.of(records, List.of()).headline();
    assertThat(h.lines()).hasSizeGreaterThanOrEqualTo(4);
    for (Headline.Line l : h.lines()) {
      assertThat(html).contains("<th scope=\"row\">" + HtmlRenderer.esc(l.question())
          + "</th><td>" + HtmlRenderer.esc(l.answer()) + "</td>");
    }
    Matcher m = Pattern.compile("id=\"runs-table\" class=\"data\" data-expected=\"(\\d+)\"")
        .matcher(html);
    assertThat(m.find()).isTrue();
    // the golden results hold one failed run beside the records
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(records.size() + 1);
    Matcher curves = Pattern.compile("id=\"curve-chart\" data-expected=\"(\\d+)\"").matcher(html);
    assertThat(curves.find()).isTrue();
    assertThat(Integer.parseInt(curves.group(1))).isPositive();
  }

  /**
   * The standard preset's page must stay under 5 MB: scaled from this fixture's bytes per run
   * to the standard preset's 370 runs (its curves are of the same length: dense evaluations,
   * then every 8 steps, to at most a few hundred steps), it stays well under.
   */
  @Test
  void aStandardSizedStudyStaysUnderFiveMegabytes(@TempDir Path dir) throws IOException {
    String html = html(dir);
    List<RunRecord> records = RecordJson.readResults(Files.readString(GOLDEN,
        StandardCharsets.UTF_8));
    long assets = (HtmlAssets.uplotScript() + HtmlAssets.style() + HtmlAssets.script())
        .getBytes(StandardCharsets.UTF_8).length;
    long page = html.getBytes(StandardCharsets.UTF_8).length;
    double perRun = (double) (page - assets) / records.size();
    assertThat(assets + perRun * 370).isLessThan(5_000_000);
    assertThat(page).isLessThan(1_000_000);
  }

  @Test
  void theDataBlockCannotEndItsScriptEarly(@TempDir Path dir) throws IOException {
    String html = html(dir);
    int start = html.indexOf("id=\"report-data\">");
    int end = html.indexOf("</script>", start);
    assertThat(html.substring(start, end)).doesNotContain("</");
    assertThat(HtmlRenderer.esc("<b a='x'>&\"")).isEqualTo(
        "&lt;b a=&#39;x&#39;&gt;&amp;&quot;");
  }

  @Test
  void provenanceIsShownWhenTheStudyLeftOne(@TempDir Path dir) throws IOException {
    Provenance.ofThisProcess("java -jar ablation.jar study --preset quick",
        Duration.ofSeconds(149)).write(dir);
    String html = html(dir);
    assertThat(html).contains("java -jar ablation.jar study --preset quick")
        .contains("2 min 29 s");
    assertThat(Provenance.read(dir).orElseThrow().wallSeconds()).isEqualTo(149.0);
  }

  @Test
  void aFolderWithoutResultsIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> HtmlReport.rewrite(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("results.json");
  }
}
