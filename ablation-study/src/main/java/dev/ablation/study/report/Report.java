package dev.ablation.study.report;

import dev.ablation.study.store.FailedRun;
import dev.ablation.study.store.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import dev.ablation.api.recovery.StepRule;

/**
 * {@code report.md} and its plots: the study's answer in words and tables. {@code ρ} per cell
 * (shape, layer, scheme, policy, recovery rate) is a Kaplan–Meier median over seeds with a
 * 95% bootstrap interval on {@code log ρ} ({@link Censored}): runs that did not recover are
 * censored at what they spent, never dropped; {@code UNDAMAGED} runs are counted apart and
 * never enter {@code ρ}. Nothing is pooled across layers, N or D.
 *
 * <p>Two steps, kept apart: {@link Sections} computes every section from the runs (typed
 * values grouped by typed keys: {@link Shape}, {@link Arm}, {@link CellKey}), then
 * {@link MarkdownRenderer} writes the text and {@link Chart} draws the plots it links to, and
 * {@link HtmlReport} writes the same sections as {@code report.html}.
 */
public final class Report {
  /** The report's file name. */
  public static final String FILE = "report.md";
  /** The folder of the plots, beside the report. */
  public static final String PLOTS = "plots";

  private Report() {}

  /**
   * Writes {@code report.md} and {@code plots/*.png} into {@code dir}.
   *
   * @param criterion one line describing the recovery target, for the method section
   * @return the files written, the report last
   */
  public static List<Path> write(Path dir, List<RunRecord> records, String criterion)
      throws IOException {
    return write(dir, records, List.of(), criterion);
  }

  /**
   * Writes {@code report.md}, {@code report.html} and {@code plots/*.png} into {@code dir},
   * listing the runs that failed (threw instead of ending with a verdict) with their errors.
   *
   * @param criterion one line describing the recovery target, for the method section
   * @return the files written, the report last
   */
  public static List<Path> write(Path dir, List<RunRecord> records,
      List<FailedRun> failures, String criterion) throws IOException {
    Sections sections = Sections.of(records, failures);
    MarkdownRenderer.Rendered r = MarkdownRenderer.render(sections, criterion);
    List<Path> written = new ArrayList<>();
    for (Chart c : r.charts()) {
      Path png = dir.resolve(PLOTS).resolve(c.fileName());
      c.draw(png);
      written.add(png);
    }
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.writeString(tmp, r.markdown(), StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    written.add(dir.resolve(FILE));
    written.add(written.size() - 1, HtmlReport.write(dir, sections, records, failures));
    return written;
  }

  /**
   * Writes the report of a study's {@code records} (e.g. {@code Study.Outcome.records()}) into
   * its directory {@code dir}. Takes the parts, not the study's outcome, so that the report
   * stands on the plan and the store only.
   *
   * @return {@code report.md}
   */
  public static Path write(Path dir, List<RunRecord> records,
      dev.ablation.study.plan.StudyPlan plan) throws IOException {
    List<Path> files = write(dir, records, criterion(plan.training()));
    return files.get(files.size() - 1);
  }

  /**
   * The report's answer in a few aligned lines a person can scan: a title naming the
   * question's arm, then per sub-question (examples to recover, share of S×E, position, N and
   * D) one line with its number and interval, then the limits. What a terminal shows at the
   * end of a study; the same lines open report.md and report.html. Nothing pooled.
   */
  public static List<String> headline(List<RunRecord> records) {
    return Headline.of(Answer.of(Sections.byShape(records), records)).aligned();
  }

  /** The method section's description of how {@code t} judges a recovery. */
  public static String criterion(dev.ablation.study.plan.TrainingSettings t) {
    return String.format(Locale.ROOT,
        "T_ε is the first step whose raw validation loss, and the next step's, are at or under "
            + "the target %s (rule %s: evaluated at steps 1–10, then at doubling gaps up to "
            + "every %d steps, and the steps between the last miss and the first hit searched "
            + "on kept copies of the trainable weights, so T_ε is exact to one step); a run "
            + "PLATEAUED after %d steps without a 1e-3 improvement while above the target, or "
            + "spent %s × B_ref",
        t.describeTarget(), StepRule.CONFIRMED_STEP.key(), t.maxEvaluationGap(),
        t.patienceSteps(), t.budgetFraction());
  }

  /**
   * The sections of {@code records}, rendered: Markdown text and the charts it links to. No
   * file is touched, so tests can compare the text alone.
   */
  static MarkdownRenderer.Rendered render(List<RunRecord> records, List<FailedRun> failures,
      String criterion) {
    return MarkdownRenderer.render(Sections.of(records, failures), criterion);
  }
}
