package dev.ablation.study.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Architecture;
import dev.ablation.study.FakeStudyEngine;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.TrainingSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  static final TrainingSettings TINY = TrainingSettings.builder().vocab(16).seqLen(8).batchSize(8)
      .strings(512).maxEpochs(2).peakRate(1e-3).evalEvery(2).epsilon(0.05).patience(5)
      .budgetFraction(1.0).scratch(true).build();

  static List<RunRecord> study(Path dir) throws IOException {
    StudyPlan plan = StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2, 3))
        .widths(List.of(32, 64)).heads(4).wipe(List.of())
        .schemes(List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput()))
        .policies(List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable()))
        .seeds(List.of(1L, 2L, 3L)).training(TINY).build();
    ResultStore store = ResultStore.open(dir, plan, false);
    new Study(plan, new FakeStudyEngine(), store, Progress.none()).run();
    return store.records();
  }

  @Test
  void reportHasTheTablesAndEmbedsEveryPlotItWrote(@TempDir Path dir) throws IOException {
    List<RunRecord> records = study(dir);
    List<Path> written = Report.write(dir, records, "L* + 0.05 nats");
    String md = Files.readString(dir.resolve("report.md"), StandardCharsets.UTF_8);
    for (String heading : List.of("## The answer", "## Originals", "## ρ per layer",
        "### decoder N=3 D=64", "## How position, N and D change ρ",
        "## Runs that did not recover", "## Undamaged wipes",
        "## Step-0 damage vs layer, and the deleted-layer loss",
        "## Recovery vs training from scratch", "## Control: everything trainable",
        "## Recovery curves", "## ρ against relative depth, and step-0 damage against ρ")) {
      assertTrue(md.contains(heading), heading + " missing:\n" + md);
    }
    // absolute costs lead: the answer's first paragraph, and their table before the method
    String answer = "## The answer\n\n";
    assertTrue(md.startsWith("**Absolute costs first.** Examples seen and optimiser steps",
        md.indexOf(answer) + answer.length()), md);
    int absolute = md.indexOf("## Absolute costs: examples and steps to recover");
    assertTrue(absolute > 0 && absolute < md.indexOf("**Method.**"), md);
    assertTrue(md.contains("| layer | scheme | freeze | lr | recovered | T_ε (examples) | "
        + "T_ε (steps) | resolution (steps) | near the schedule |"), md);
    assertTrue(md.contains("| layer | scheme | freeze | lr | recovered | ρ = T_ε / B_ref | "
        + "ρ_orig = T_ε / T_orig"), md);
    assertTrue(md.contains("| blocks.2 | ZERO_OUTPUT | allTrainable | 1x | 3/3 |"), md);
    assertTrue(md.contains("| decoder | 2 | 32 | blocks.0 | FRESH | onlyWiped | 1x | 1 | PLATEAUED"),
        "the fake stalls layer 0 under FRESH/onlyWiped for odd seeds:\n" + md);
    // one sentence per sub-question, and what the data cannot support
    for (String q : List.of("1. **How many of the original's S×E", "2. **Does the position of L",
        "3. **Do N and D matter?**", "**What the data cannot support.**")) {
      assertTrue(md.contains(q), q + " missing:\n" + md);
    }
    // the stalled odd seeds are censored, not dropped: layer 0 FRESH/onlyWiped has 1 of 3
    // recovered and so no median
    assertTrue(md.contains("| blocks.0 | FRESH | onlyWiped | 1x | 1/3 | ≥ "), md);
    assertFalse(md.contains("Student-t"), md);
    assertNoNegativeOrZeroWidthInterval(md);

    Matcher m = Pattern.compile("!\\[[^]]*]\\((plots/[^)]+\\.png)\\)").matcher(md);
    int embedded = 0;
    while (m.find()) {
      Path png = dir.resolve(m.group(1));
      assertTrue(Files.exists(png), png.toString());
      assertNotNull(ImageIO.read(png.toFile()), "a readable PNG: " + png);
      embedded++;
    }
    // the summary figure first; per (N, D): originals, rho and damage plots, and a curve plot
    // per (scheme, policy); then ρ vs relative depth and damage vs ρ over all of them
    assertEquals(1 + 4 * (3 + 4) + 2, embedded);
    assertTrue(md.indexOf("](plots/summary.png)") < md.indexOf("## The answer"), md);
    // N = 3 sits next to N = 2 of the same width: the (N−1)-layer baseline line
    assertTrue(md.contains("Baseline: an (N−1) = 2-layer model of the same width"), md);
    // the fake's cheapest block deletion costs 0.45 × 0.72 ≈ 0.32 nats above L* (its damage
    // model at N = 3, p = 0.5), far above ε: no block is idle, and the report must say so
    assertTrue(md.contains("No idle block: deleting any single block costs more than ε = "), md);
    assertFalse(md.contains("Idle blocks"), md);
    assertEquals(embedded + 2, written.size()); // the plots, report.html and report.md
    assertTrue(Files.exists(dir.resolve(HtmlReport.FILE)));
  }

  @Test
  void tablesUseRootLocaleNumbersUnderAGermanDefault(@TempDir Path dir) throws IOException {
    List<RunRecord> records = study(dir);
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      Report.write(dir, records, "L* + 0.05 nats");
    } finally {
      Locale.setDefault(before);
    }
    String md = Files.readString(dir.resolve("report.md"), StandardCharsets.UTF_8);
    assertFalse(Pattern.compile("\\d,\\d").matcher(md).find(), "a decimal comma in:\n" + md);
    assertTrue(Pattern.compile("\\| \\d\\.\\d{4} \\[\\d\\.\\d{4}, \\d\\.\\d{4}]").matcher(md)
        .find(), md);
  }

  /** Every {@code x [lo, hi]} in the report has 0 < lo < hi when x is a ρ or a ratio. */
  static void assertNoNegativeOrZeroWidthInterval(String md) {
    Matcher m = Pattern.compile("(\\d[\\d.e-]*) \\[(-?[\\d.e-]+), (-?[\\d.e-]+)]").matcher(md);
    int seen = 0;
    for (String line : md.split("\n")) {
      if (!line.contains("ρ") && !line.startsWith("| decoder") && !line.startsWith("| blocks")) {
        continue;
      }
      if (line.startsWith("| blocks") && line.chars().filter(ch -> ch == '|').count() == 6) {
        continue; // the damage table: loss differences, which may be negative
      }
      m.reset(line);
      while (m.find()) {
        double lo = Double.parseDouble(m.group(2));
        double hi = Double.parseDouble(m.group(3));
        assertTrue(lo > 0, "non-positive lower bound in: " + line);
        assertTrue(hi > lo, "zero-width interval in: " + line);
        seen++;
      }
    }
    assertTrue(seen > 0, "no intervals found in:\n" + md);
  }

  @Test
  void intervalIsAPercentileBootstrapOfTheMean() {
    Interval i = Interval.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0));
    assertEquals(3.0, i.mean(), 1e-12);
    assertTrue(i.low() >= 1.0 && i.low() < 3.0, "low " + i.low());
    assertTrue(i.high() <= 5.0 && i.high() > 3.0, "high " + i.high());
    assertEquals(i, Interval.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0)), "reproducible");
    assertEquals("0.5000", Interval.of(List.of(0.5)).format());
    assertEquals("—", Interval.of(List.of()).format());
  }

  @Test
  void kaplanMeierCensorsInsteadOfDropping() {
    // three recovered at 0.1, 0.2, 0.3 and two censored at 0.05 and 0.5
    List<Censored.Obs> obs = List.of(new Censored.Obs(0.1, true), new Censored.Obs(0.2, true),
        new Censored.Obs(0.3, true), new Censored.Obs(0.05, false), new Censored.Obs(0.5, false));
    // at risk 5 -> censored at 0.05 leaves 4; 0.1: S = 3/4; 0.2: S = 3/4 * 2/3 = 1/2 -> median
    assertEquals(0.2, Censored.kaplanMeierMedian(obs).getAsDouble(), 1e-12);
    // dropping the censored runs would have given 0.2 as well here; with the slow ones
    // censored early the median moves up
    List<Censored.Obs> slow = List.of(new Censored.Obs(0.1, true), new Censored.Obs(0.2, false),
        new Censored.Obs(0.2, false), new Censored.Obs(0.3, true));
    assertEquals(0.3, Censored.kaplanMeierMedian(slow).getAsDouble(), 1e-12);
    // mostly censored: no median, reported as a lower bound
    Censored.Estimate e = Censored.estimate(List.of(new Censored.Obs(1.0, false),
        new Censored.Obs(1.0, false), new Censored.Obs(0.4, true)));
    assertTrue(e.median().isEmpty());
    assertTrue(e.format().startsWith("≥ 1.000"), e.format());
    // an interval on log rho is never below 0
    Censored.Estimate f = Censored.estimate(List.of(new Censored.Obs(0.001, true),
        new Censored.Obs(0.5, true), new Censored.Obs(0.9, true)));
    assertTrue(f.low() > 0 && f.low() < f.high(), f.format());
  }
}
