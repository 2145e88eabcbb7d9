package dev.ablation.study.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Architecture;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small plan run one recovery at a time and in populations (forced, and chosen by a
 * calibration): the same rows apart from {@code wall_s} and the losses' last digits (a
 * population's losses equal a single run's to float rounding, not bit for bit: compared within
 * 1e-5 relative), the same verdicts, steps and {@code T_ε}, and {@code study.json} records how
 * each original ran.
 */
class PopulationStudyTest {
  /** One original, two blocks × two policies: 4 runs, one population of 4. */
  static StudyPlan plan() {
    return StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2)).widths(List.of(16))
        .heads(4).wipe(List.of()).schemes(List.of(ReinitScheme.zeroOutput()))
        .policies(List.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusHead()))
        .seeds(List.of(1L)).training(SameDiffWorkersTest.TINY).build();
  }

  private static Study.Outcome run(Path dir, Populations p) throws IOException {
    return Study.runInto(dir, plan(), cacheDir -> new SameDiffStudyEngine(cacheDir, p),
        new Study.Options(1, false, Progress.none()));
  }

  private static JsonNode population(Path dir) throws IOException {
    JsonNode study = new ObjectMapper().readTree(
        Files.readString(dir.resolve("study.json"), StandardCharsets.UTF_8));
    JsonNode all = study.get("population");
    assertEquals(1, all.size(), "one original recorded: " + all);
    return all.elements().next();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  @Test
  void populationsGiveTheRowsOfSingleRuns(@TempDir Path root) throws IOException {
    Study.Outcome single = run(root.resolve("single"), Populations.of(PopulationMode.NEVER));
    // the other two load the original the first trained (as a resumed study does)
    for (String way : List.of("forced", "auto")) {
      copy(root.resolve("single").resolve(Study.ORIGINALS),
          root.resolve(way).resolve(Study.ORIGINALS));
    }
    Study.Outcome forced = run(root.resolve("forced"),
        new Populations(PopulationMode.ALWAYS, 4, 2));
    Study.Outcome auto = run(root.resolve("auto"), new Populations(PopulationMode.AUTO, 4, 2));

    assertEquals(plan().totalRuns(), single.ran());
    assertEquals(plan().totalRuns(), forced.ran());
    assertEquals(plan().totalRuns(), auto.ran());
    assertEquals(false, population(root.resolve("single")).get("chosen").asBoolean());
    JsonNode f = population(root.resolve("forced"));
    assertTrue(f.get("chosen").asBoolean() && f.get("size").asInt() == 4, f.toString());
    JsonNode a = population(root.resolve("auto"));
    assertTrue(a.get("ratio").isNumber() && a.get("ratio").asDouble() > 0, a.toString());

    List<List<String>> expected = SameDiffWorkersTest.withoutWallTime(root.resolve("single"));
    int differing = 0;
    for (String way : List.of("forced", "auto")) {
      List<List<String>> got = SameDiffWorkersTest.withoutWallTime(root.resolve(way));
      assertEquals(expected.size(), got.size(), way);
      List<String> header = expected.get(0);
      assertEquals(header, got.get(0), way);
      for (int r = 1; r < expected.size(); r++) {
        for (int c = 0; c < header.size(); c++) {
          String want = expected.get(r).get(c);
          String have = got.get(r).get(c);
          String where = way + " row " + r + " " + header.get(c);
          if (!want.equals(have)) {
            differing++;
          }
          if (header.get(c).startsWith("loss_") && !header.get(c).equals("loss_original")
              && !header.get(c).equals("loss_original_sd") && !want.isEmpty()) {
            double x = Double.parseDouble(want);
            assertTrue(Math.abs(Double.parseDouble(have) - x) <= 1e-5 * Math.abs(x),
                where + ": " + have + " vs " + want);
          } else {
            assertEquals(want, have, where);
          }
        }
      }
    }
    // informational: how many cells differ in text at all (7 significant digits)
    System.out.println("population rows: " + differing + " loss cells differ in their last "
        + "digits from single runs' rows");
    for (int i = 0; i < single.records().size(); i++) {
      RunRecord s = single.records().get(i);
      RunRecord p = forced.records().get(i);
      assertEquals(s.key(), p.key());
      assertEquals(s.curve().size(), p.curve().size(), s.key().toString());
      for (int j = 0; j < s.curve().size(); j++) {
        double x = s.curve().get(j).loss();
        assertEquals(s.curve().get(j).step(), p.curve().get(j).step());
        assertTrue(Math.abs(p.curve().get(j).loss() - x) <= 1e-5 * Math.abs(x),
            s.key() + " evaluation " + j);
      }
    }
    assertTrue(single.records().stream().anyMatch(r -> r.curve().size() > 2),
        "some runs retrained for several evaluations");
  }
}
