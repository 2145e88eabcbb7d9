package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.TrainingSettings;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The quick preset on the real SameDiff engine, as the README runs it (about a minute). */
class QuickPresetEndToEndTest {

  @Test
  void quickPresetOnTheRealEngineWritesOneSoundRowPerRun(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("study");
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(Main.DEFAULT_ENGINE);
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    assertThat(cl.execute("study", "--preset", "quick", "--out", out.toString()))
        .as(err.toString()).isZero();

    String header = "arch,n_layers,d_model,layer,scheme,freeze,seed,verdict,examples_to_recover,"
        + "rho,ref_examples,loss_original,loss_after_wipe,loss_deleted,loss_final,"
        + "examples_scratch,wall_s";
    List<String> lines = Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8);
    // existing columns stay first and in order; new ones are appended
    assertThat(lines.get(0) + ",").startsWith(header + ",");

    // S x E from the preset's own settings, not from the writer
    TrainingSettings quick = Presets.QUICK.plan().training();
    long sTimesE = quick.strings() * quick.stopping().maxEpochs();
    Map<String, JsonNode> curves = new HashMap<>();
    for (JsonNode run : new ObjectMapper().readTree(out.resolve("results.json").toFile())
        .get("runs")) {
      curves.put(run.get("layer").asText() + "|" + run.get("scheme").asText() + "|"
          + run.get("seed").asText(), run.get("curve"));
    }
    Set<String> keys = new HashSet<>();
    try (CSVParser p = CSVParser.parse(out.resolve("results.csv"), StandardCharsets.UTF_8,
        CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
      for (CSVRecord r : p) {
        keys.add(r.get("layer") + "|" + r.get("scheme") + "|" + r.get("freeze") + "|"
            + r.get("seed"));
        // the quick preset is sized so that every wipe of its decoder recovers (README): a
        // run that does not means the engine or the preset regressed
        assertThat(r.get("verdict")).as(r.toString()).isEqualTo("RECOVERED");
        double lStar = Double.parseDouble(r.get("loss_original"));
        double l0 = Double.parseDouble(r.get("loss_after_wipe"));
        assertThat(lStar).isPositive().isLessThan(Math.log(8));
        assertThat(l0).as("the wipe did damage").isGreaterThan(lStar + quick.target().epsilon());
        // B_ref: what the original spent until its validation loss stopped improving, at most
        // S x E, in whole batches
        long ref = Long.parseLong(r.get("ref_examples"));
        assertThat(ref).isPositive().isLessThanOrEqualTo(sTimesE);
        assertThat(ref % quick.batchSize()).as("whole batches").isZero();
        long tEps = Long.parseLong(r.get("examples_to_recover"));
        assertThat(tEps).isPositive().isLessThanOrEqualTo(ref);
        assertThat(tEps % quick.batchSize()).as("whole batches").isZero();
        assertThat(Double.parseDouble(r.get("rho")))
            .isCloseTo((double) tEps / ref, within(1e-6));
        // the curve shows what the verdict claims (the confirmed_step rule, docs/protocol.md):
        // the loss at T_eps and at the step after it at or under the target, and the step
        // before it (always on the curve: evaluated or searched) above it
        JsonNode curve = curves.get(r.get("layer") + "|" + r.get("scheme") + "|"
            + r.get("seed"));
        double target = Double.parseDouble(r.get("target_loss"));
        Map<Long, Double> byExamples = new java.util.HashMap<>();
        for (int i = 0; i < curve.size(); i++) {
          byExamples.put(curve.get(i).get("examples").asLong(),
              curve.get(i).get("loss").asDouble());
        }
        long batch = quick.batchSize();
        assertThat(byExamples).as("evaluations at T_eps = %d and the steps around it", tEps)
            .containsKeys(tEps - batch, tEps, tEps + batch);
        assertThat(byExamples.get(tEps)).isLessThanOrEqualTo(target);
        assertThat(byExamples.get(tEps + batch)).isLessThanOrEqualTo(target);
        assertThat(byExamples.get(tEps - batch)).isGreaterThan(target);
        // the CSV writes 7 significant digits, results.json every bit
        assertThat(curve.get(0).get("loss").asDouble()).isCloseTo(l0, within(1e-6 * l0));
        if (r.get("scheme").equals("ZERO_OUTPUT")) {
          // a pre-LN block with zero output projections is the identity: wipe = delete
          assertThat(l0).isEqualTo(Double.parseDouble(r.get("loss_deleted")));
        }
      }
    }
    Set<String> expected = new HashSet<>();
    for (String layer : List.of("blocks.0", "blocks.1")) {
      for (String scheme : List.of("FRESH", "ZERO_OUTPUT")) {
        for (long seed : dev.ablation.study.plan.Presets.QUICK.plan().seeds()) {
          expected.add(layer + "|" + scheme + "|onlyWiped|" + seed);
        }
      }
    }
    assertThat(keys).isEqualTo(expected);
    assertThat(lines).hasSize(1 + expected.size());

    String report = Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8);
    assertThat(report).contains("ρ per layer");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\]\\((plots/[^)]+\\.png)\\)")
        .matcher(report);
    int images = 0;
    while (m.find()) {
      assertThat(out.resolve(m.group(1))).isRegularFile();
      images++;
    }
    assertThat(images).isGreaterThan(0);
    assertThat(out.resolve("results.json")).isNotEmptyFile();

    // resuming a finished study runs nothing again and leaves the rows as they were
    assertThat(Main.commandLine(Main.DEFAULT_ENGINE).execute("study", "--preset", "quick",
        "--out", out.toString(), "--resume")).isZero();
    assertThat(Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8))
        .isEqualTo(lines);
  }
}
