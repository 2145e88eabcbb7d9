package dev.ablation.study.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.study.Arch;
import dev.ablation.study.FakeStudyEngine;
import dev.ablation.study.Progress;
import dev.ablation.study.ResultStore;
import dev.ablation.study.RunRecord;
import dev.ablation.study.Study;
import dev.ablation.study.StudyPlan;
import dev.ablation.study.TrainingSettings;
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
  static final TrainingSettings TINY = new TrainingSettings(16, 8, 8, 512, 2, 1e-3, 2, 0.05, 5,
      1.0, true);

  static List<RunRecord> study(Path dir) throws IOException {
    StudyPlan plan = new StudyPlan(List.of(Arch.DECODER), List.of(2, 3), List.of(32, 64), 4,
        List.of(), List.of(ReinitScheme.fresh(), ReinitScheme.zeroOutput()),
        List.of(FreezePolicy.onlyWiped(), FreezePolicy.allTrainable()), List.of(1L, 2L, 3L),
        TINY);
    ResultStore store = ResultStore.open(dir, plan, false);
    new Study(plan, new FakeStudyEngine(), store, Progress.none()).run();
    return store.records();
  }

  @Test
  void reportHasTheTablesAndEmbedsEveryPlotItWrote(@TempDir Path dir) throws IOException {
    List<RunRecord> records = study(dir);
    List<Path> written = Report.write(dir, records, "L* + 0.05 nats");
    String md = Files.readString(dir.resolve("report.md"), StandardCharsets.UTF_8);
    for (String heading : List.of("## The answer", "## ρ per layer", "### decoder N=3 D=64",
        "## How position, N and D change ρ", "## Runs that did not recover",
        "## Step-0 damage vs layer, and the deleted-layer loss",
        "## Recovery vs training from scratch", "## Control: everything trainable",
        "## Recovery curves", "## ρ against relative depth, and step-0 damage against ρ")) {
      assertTrue(md.contains(heading), heading + " missing:\n" + md);
    }
    assertTrue(md.contains("| layer | scheme | freeze | recovered | ρ = T_ε / B_ref (95% CI)"));
    assertTrue(md.contains("| blocks.2 | ZERO_OUTPUT | allTrainable | 3/3 |"), md);
    assertTrue(md.contains("| decoder | 2 | 32 | blocks.0 | FRESH | onlyWiped | 1 | PLATEAUED"),
        "the fake stalls layer 0 under FRESH/onlyWiped for odd seeds:\n" + md);
    assertTrue(md.contains("Student-t"), md);

    Matcher m = Pattern.compile("!\\[[^]]*]\\((plots/[^)]+\\.png)\\)").matcher(md);
    int embedded = 0;
    while (m.find()) {
      Path png = dir.resolve(m.group(1));
      assertTrue(Files.exists(png), png.toString());
      assertNotNull(ImageIO.read(png.toFile()), "a readable PNG: " + png);
      embedded++;
    }
    // per (N, D): rho plot, damage plot, and a curve plot per (scheme, policy); then ρ vs
    // relative depth and damage vs ρ over all of them
    assertEquals(4 * (2 + 4) + 2, embedded);
    // N = 3 sits next to N = 2 of the same width: the (N−1)-layer baseline line
    assertTrue(md.contains("Baseline: an (N−1) = 2-layer model of the same width"), md);
    assertTrue(md.contains("No idle block") || md.contains("Idle blocks"), md);
    assertEquals(embedded + 1, written.size());
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

  @Test
  void intervalIsStudentT() {
    Interval i = Interval.of(List.of(1.0, 2.0, 3.0));
    assertEquals(2.0, i.mean(), 1e-12);
    assertEquals(2.0 - 4.303 / Math.sqrt(3), i.low(), 1e-9);
    assertEquals(2.0 + 4.303 / Math.sqrt(3), i.high(), 1e-9);
    assertEquals("0.5000", Interval.of(List.of(0.5)).format());
    assertEquals("—", Interval.of(List.of()).format());
  }
}
