package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ablation.study.report.HtmlReport;
import dev.ablation.study.store.Provenance;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code report.html} in a real browser: Debian's {@code chromium}, driven headless through its
 * {@code chromedriver} (paths set, nothing downloaded at run time; {@code .ci/run} installs both
 * when missing). The page is the report of the golden results fixture. It fails on any console
 * error or Content-Security-Policy violation, on a missing section, on a chart whose drawn
 * point count ({@code data-points}, set by the page as it draws) differs from what the Java
 * report computed ({@code data-expected}), on a runs table that lacks a row of results.json,
 * and when the answer or the summary figure falls outside the first 1280×800 viewport, of which
 * it writes a screenshot to {@code target/report-first-screen.png}. Without a browser it is
 * skipped, except under {@code CI=true}, where it fails.
 */
class HtmlReportBrowserTest {
  private static final String CHROMIUM = System.getProperty("ablation.chromium",
      "/usr/bin/chromium");
  private static final String DRIVER = System.getProperty("ablation.chromedriver",
      "/usr/bin/chromedriver");
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 800;
  private static final List<String> SECTIONS = List.of("answer", "summary", "curves", "runs",
      "originals", "provenance", "downloads");

  @TempDir
  static Path dir;

  private static ChromeDriver browser;
  private static JsonNode results;
  /** The console's warnings and errors while the page loaded and drew. */
  private static List<String> loadErrors;

  @BeforeAll
  static void openTheReport() throws IOException {
    boolean present = new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute();
    if (!present) {
      String missing = "no browser: " + CHROMIUM + " and " + DRIVER + " must be executable "
          + "(apt-get install chromium chromium-driver, as .ci/run does)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(missing + "; under CI=true this fails, never skips");
      }
      Assumptions.abort(missing);
    }
    try (InputStream in = HtmlReportBrowserTest.class.getResourceAsStream(
        "/dev/ablation/study/report/golden/results.json")) {
      assertThat(in).as("the golden results of ablation-study's test jar").isNotNull();
      Files.write(dir.resolve("results.json"), in.readAllBytes());
    }
    results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    Provenance.ofThisProcess("java -jar ablation.jar study --preset quick",
        Duration.ofSeconds(149)).write(dir);
    Path html = HtmlReport.rewrite(dir);

    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM);
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
        "--user-data-dir=" + dir.resolve("profile"), "--window-size=" + WIDTH + "," + HEIGHT);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
    browser = new ChromeDriver(service, o);
    fitViewport();
    browser.get(html.toUri().toString());
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(
        d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    loadErrors = severe();
  }

  /** Resizes the window so that the page's viewport is exactly 1280×800 CSS pixels. */
  private static void fitViewport() {
    browser.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
    @SuppressWarnings("unchecked")
    Map<String, Object> inner = (Map<String, Object>) js(
        "return {w: window.innerWidth, h: window.innerHeight};");
    int w = ((Number) inner.get("w")).intValue();
    int h = ((Number) inner.get("h")).intValue();
    browser.manage().window().setSize(new Dimension(2 * WIDTH - w, 2 * HEIGHT - h));
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.quit();
    }
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  private static List<String> severe() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::toString).toList();
  }

  @Test
  void everySectionIsThereInOrderAndTheConsoleIsClean() {
    int at = -1;
    for (String id : SECTIONS) {
      WebElement s = browser.findElement(By.id(id));
      assertThat(s.isDisplayed()).as("section #%s shown", id).isTrue();
      int top = ((Number) js("return arguments[0].getBoundingClientRect().top + scrollY;", s))
          .intValue();
      assertThat(top).as("section #%s below the one before it", id).isGreaterThan(at);
      at = top;
    }
    assertThat(loadErrors).as("console errors and warnings, policy violations included")
        .isEmpty();
  }

  @Test
  void everyChartDrewThePointsTheReportComputed() {
    List<WebElement> charts = browser.findElements(By.cssSelector("[data-expected]"));
    // the fixture has widths 32 and 64: two summary panels, the curves, the runs, the originals
    assertThat(charts).hasSize(5);
    for (WebElement c : charts) {
      String expected = c.getAttribute("data-expected");
      assertThat(c.getAttribute("data-points")).as("points drawn in #%s", c.getAttribute("id"))
          .isEqualTo(expected);
      assertThat(Integer.parseInt(expected)).as("#%s draws something", c.getAttribute("id"))
          .isPositive();
    }
    int rows = results.get("runs").size() + results.get("failed").size();
    assertThat(browser.findElements(By.cssSelector("#runs-table tbody tr"))).hasSize(rows);
    assertThat(browser.findElements(By.cssSelector("#summary canvas"))).isNotEmpty();
  }

  @Test
  void theAnswerAndTheSummaryFigureFitTheFirstScreen() throws IOException {
    js("window.scrollTo(0, 0);");
    assertThat(((Number) js("return window.innerWidth;")).intValue()).isEqualTo(WIDTH);
    assertThat(((Number) js("return window.innerHeight;")).intValue()).isEqualTo(HEIGHT);
    for (String css : List.of("#answer", "#summary .chart")) {
      for (WebElement e : browser.findElements(By.cssSelector(css))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) js("var r = arguments[0]"
            + ".getBoundingClientRect(); return {b: r.bottom, r: r.right, h: r.height};", e);
        assertThat(((Number) r.get("h")).doubleValue()).as("%s has a height", css).isPositive();
        assertThat(((Number) r.get("b")).doubleValue()).as("%s bottom", css)
            .isLessThanOrEqualTo(HEIGHT);
        assertThat(((Number) r.get("r")).doubleValue()).as("%s right", css)
            .isLessThanOrEqualTo(WIDTH);
      }
    }
    Path shot = Path.of("target", "report-first-screen.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(shot)).isGreaterThan(10_000);
  }

  @Test
  void theRunsTableFiltersAndSorts() {
    int all = browser.findElements(By.cssSelector("#runs-table tbody tr")).size();
    WebElement filter = browser.findElement(By.id("runs-filter"));
    filter.sendKeys("ZERO_OUTPUT");
    int shown = Integer.parseInt(browser.findElement(By.id("runs-table"))
        .getAttribute("data-shown"));
    assertThat(shown).isPositive().isLessThan(all);
    filter.clear();
    filter.sendKeys(" ");
    browser.findElements(By.cssSelector("#runs-table thead th")).get(1).click(); // n_layers
    String first = browser.findElement(By.cssSelector("#runs-table tbody tr td:nth-child(2)"))
        .getText();
    assertThat(first).isEqualTo("2");
  }

  /**
   * The console check can fail, and the policy holds: an image from the network, added after
   * the page drew, is refused by the Content-Security-Policy with a console error.
   */
  @Test
  void aForbiddenFetchIsRefusedByThePolicyAndSeenInTheConsole() {
    js("var i = document.createElement('img'); i.src = 'https://example.invalid/x.png';"
        + "document.body.appendChild(i);");
    java.util.List<String> seen = new java.util.ArrayList<>();
    new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> {
      seen.addAll(severe());
      return seen.stream().anyMatch(e -> e.contains("Content Security Policy"));
    });
    assertThat(String.join("\n", seen)).contains("example.invalid");
  }
}
