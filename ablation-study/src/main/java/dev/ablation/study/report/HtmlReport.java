package dev.ablation.study.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.FailedRun;
import dev.ablation.study.store.Provenance;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code report.html}: the study in one self-contained file a person opens and explores, offline.
 * In order: the answer (one line per sub-question, {@link Headline}), the summary figure
 * (examples to recover per block, a panel per width, a line per depth, {@link Summary}),
 * interactive recovery curves per seed, every run in a sortable, filterable table, the
 * originals, provenance, and the raw rows to download. It renders the same computed
 * {@link Sections} as {@code report.md}, and also writes the summary figure as
 * {@code plots/summary.png} for the Markdown and the docs.
 *
 * <p>Every script and style is inlined (uPlot from its webjar), and the page declares
 * {@value #CONTENT_SECURITY_POLICY}: it cannot reach the network even by mistake.
 */
public final class HtmlReport {
  /** The file's name in a study's directory. */
  public static final String FILE = "report.html";

  /** The page's policy: nothing from anywhere; inline script and style only; data: images. */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; "
      + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
      + "base-uri 'none'; form-action 'none'";

  private HtmlReport() {}

  /**
   * Writes {@code report.html} and {@code plots/summary.png} into {@code dir}, with the
   * provenance a study left there ({@link Provenance#FILE}), if any.
   *
   * @return {@code report.html}
   */
  public static Path write(Path dir, List<RunRecord> records, List<FailedRun> failures)
      throws IOException {
    Sections s = Sections.of(records, failures);
    for (Chart c : s.summary().chart().stream().toList()) {
      c.draw(dir.resolve(Report.PLOTS).resolve(c.fileName()));
    }
    return write(dir, s, records, failures);
  }

  /** Writes {@code report.html} of the computed {@code s}; its charts are drawn by the caller. */
  static Path write(Path dir, Sections s, List<RunRecord> records, List<FailedRun> failures)
      throws IOException {
    String html = HtmlRenderer.render(s, records, failures, Provenance.read(dir));
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.writeString(tmp, html, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return dir.resolve(FILE);
  }

  /**
   * Writes {@code report.html} from the {@code results.json} of an existing study directory
   * (what {@code ablation.jar report DIR} runs): the study need not be rerun.
   *
   * @throws IllegalArgumentException naming {@code dir} when it holds no {@code results.json},
   *     or naming the file when it is not one
   */
  public static Path rewrite(Path dir) throws IOException {
    Path results = dir.resolve(ResultStore.JSON);
    if (!Files.isRegularFile(results)) {
      throw new IllegalArgumentException(dir + " holds no " + ResultStore.JSON + ": give the "
          + "--out directory of a study that finished (or ran with --resume to the end)");
    }
    String json = Files.readString(results, StandardCharsets.UTF_8);
    List<RunRecord> records = RecordJson.readResults(json);
    List<FailedRun> failures = new ArrayList<>();
    JsonNode root = new ObjectMapper().readTree(json);
    root.path("failed").elements().forEachRemaining(
        n -> failures.add(RecordJson.failedFromNode(n, RunKey.Reader.parsing())));
    return write(dir, records, failures);
  }
}
