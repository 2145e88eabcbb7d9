package dev.ablation.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.cli.Main;
import dev.ablation.study.FakeStudyEngine;
import dev.ablation.study.store.ResultsCsv;
import dev.ablation.study.run.StudyEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StudyCommandTest {
  final AtomicInteger opened = new AtomicInteger();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    StudyEngine.Factory f = dir -> {
      opened.incrementAndGet();
      return new FakeStudyEngine();
    };
    CommandLine cl = Main.commandLine(f);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void namesEveryBadValueAndTheValidChoicesBeforeTraining(@TempDir Path dir) {
    int code = run("study", "--out", dir.resolve("o").toString(), "--arch", "decoder,gpt",
        "--schemes", "FRESH,SCRAMBLE,SHRINK_PERTURB(0.5,0.01)", "--policies", "onlyWiped,frozen",
        "--layers", "2,4", "--widths", "32,30", "--heads", "4", "--wipe", "1,3");
    String e = err.toString();
    assertEquals(2, code, e);
    assertEquals(0, opened.get(), "no engine was opened");
    assertTrue(e.contains("unknown arch 'gpt'") && e.contains("[decoder, encoder, encdec]"), e);
    assertTrue(e.contains("'SCRAMBLE'") && e.contains("ZERO_OUTPUT"), e);
    assertFalse(e.contains("SHRINK_PERTURB(0.5'"), "the comma inside parentheses is no list separator: " + e);
    assertTrue(e.contains("'frozen'") && e.contains("allTrainable"), e);
    assertTrue(e.contains("d_model 30") && e.contains("--heads 4"), e);
    assertTrue(e.contains("layer 3 in --wipe") && e.contains("0..1"), e);
    assertFalse(e.contains("layer 1 in --wipe"), e);
    assertFalse(e.contains("needs at least one value"), e);
    assertFalse(Files.exists(dir.resolve("o/results.csv")));
  }

  @Test
  void rejectsAnUnknownPresetAndAnUnwritableOut(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    int code = run("study", "--preset", "huge", "--out", file.toString());
    String e = err.toString();
    assertEquals(2, code, e);
    assertTrue(e.contains("unknown preset 'huge'") && e.contains("quick"), e);
    assertTrue(e.contains("--out " + file) && e.contains("not a directory"), e);
    assertEquals(0, opened.get());
  }

  @Test
  void refusesAnOutWithResultsUnlessResumed(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("o");
    String[] args = {"study", "--preset", "quick", "--out", o.toString()};
    assertEquals(0, run(args), err.toString());
    List<String> first = Files.readAllLines(o.resolve("results.csv"));
    assertEquals(2, run(args));
    assertTrue(err.toString().contains("--resume") && err.toString().contains("--out"),
        err.toString());
    String[] resumed = {"study", "--preset", "quick", "--out", o.toString(), "--resume"};
    assertEquals(0, run(resumed), err.toString());
    assertEquals(first, Files.readAllLines(o.resolve("results.csv")));
  }

  @Test
  void quickPresetWritesEveryFileWithOneRowPerLayerSchemePolicySeed(@TempDir Path dir)
      throws IOException {
    Path o = dir.resolve("o");
    assertEquals(0, run("study", "--preset", "quick", "--out", o.toString()), err.toString());
    List<String> lines = Files.readAllLines(o.resolve("results.csv"));
    assertEquals(String.join(",", ResultsCsv.HEADER), lines.get(0));
    // quick: N=2 -> 2 layers x its schemes x its policies x its seeds
    dev.ablation.study.plan.StudyPlan quick = dev.ablation.study.plan.Presets.QUICK.plan();
    int runs = 2 * quick.schemes().size() * quick.policies().size() * quick.seeds().size();
    assertEquals(runs, quick.totalRuns());
    assertEquals(1 + runs, lines.size());
    for (String f : List.of("results.json", "report.md", "report.html", "study.json",
        "provenance.json", "plots/summary.png")) {
      assertTrue(Files.size(o.resolve(f)) > 0, f);
    }
    assertTrue(out.toString().contains(runs + " runs"), out.toString());
    // the last screen: a few aligned lines, one per sub-question, and the page to open
    String shown = out.toString();
    assertTrue(shown.contains("  examples to recover  ") && shown.contains("  N and D  "),
        shown);
    assertTrue(shown.contains(o.resolve("report.html").toString()), shown);
    assertTrue(shown.lines().allMatch(l -> l.length() < 400), "no line of dense prose: " + shown);
    // where the CPU went: on the last screen and in results.json (issue 36)
    assertTrue(shown.contains("Where the CPU went") && shown.contains("recovery_evaluation")
        && shown.contains("eval cpu share"), shown);
    String json = Files.readString(o.resolve("results.json"),
        java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(json.contains("\"cpu_account\"") && json.contains("\"study_eval_cpu_share\"")
        && json.contains("\"report\""), json.substring(0, Math.min(400, json.length())));
  }

  @Test
  void reportRewritesTheHtmlOfAFinishedStudyAndNamesAFolderWithoutOne(@TempDir Path dir)
      throws IOException {
    Path o = dir.resolve("o");
    assertEquals(0, run("study", "--preset", "quick", "--out", o.toString()), err.toString());
    Files.delete(o.resolve("report.html"));
    int trained = opened.get();
    assertEquals(0, run("report", o.toString()), err.toString());
    assertTrue(Files.readString(o.resolve("report.html"), java.nio.charset.StandardCharsets.UTF_8)
        .contains("<section id=\"answer\">"));
    assertEquals(trained, opened.get(), "report trains nothing");
    assertTrue(out.toString().contains("report: " + o.resolve("report.html")), out.toString());
    assertEquals(2, run("report", dir.resolve("empty").toString()));
    assertTrue(err.toString().contains(dir.resolve("empty") + " holds no results.json"),
        err.toString());
  }

  @Test
  void overridesReplaceThePresetsValues(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("o");
    assertEquals(0, run("study", "--preset", "quick", "--out", o.toString(), "--layers", "3",
        "--wipe", "0,2", "--schemes", "SHRINK_PERTURB(0.5,0.01)", "--policies",
        "onlyWiped,wipedPlusNeighbours(1)", "--seeds", "7", "--no-scratch"), err.toString());
    List<String> lines = Files.readAllLines(o.resolve("results.csv"));
    assertEquals(1 + 2 * 1 * 2 * 1, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(1).startsWith("decoder,3,32,blocks.0,\"SHRINK_PERTURB(0.5,0.01)\","),
        lines.get(1));
    List<dev.ablation.study.store.StudyRow> rows = ResultsCsv.read(
        Files.newBufferedReader(o.resolve("results.csv"), java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(rows.stream().allMatch(r -> r.examplesScratch().isEmpty()),
        "examples_scratch empty with --no-scratch: " + lines);
  }

  @Test
  void taskIsTypedAndMustFitTheArchitecture(@TempDir Path dir) {
    int code = run("study", "--out", dir.resolve("a").toString(), "--task", "poetry");
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains("unknown task 'poetry'")
        && err.toString().contains("[markov, bigram, hops, text, dyck, reverse, translate, loose]"), err.toString());
    err.getBuffer().setLength(0);
    code = run("study", "--out", dir.resolve("b").toString(), "--task", "bigram", "--arch",
        "decoder,encdec");
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains("--task bigram cannot train --arch encdec; valid for "
        + "encdec: [reverse, translate, loose]"), err.toString());
    assertEquals(0, opened.get(), "no engine was opened");
  }

  @Test
  void refusesBadProtocolValuesNamingTheValueAndTheRange(@TempDir Path dir) {
    int code = run("study", "--preset", "quick", "--out", dir.resolve("o").toString(),
        "--converge-k", "1", "--converge-delta", "-1", "--peak-lr", "0", "--warmup", "-4",
        "--recovery-warmup", "-1", "--train-steps", "-5", "--past-target", "0");
    String e = err.toString();
    assertEquals(2, code, e);
    assertEquals(0, opened.get(), "no engine was opened");
    assertTrue(e.contains("nothing was trained"), e);
    assertTrue(e.contains("(--converge-k) must be >= 2 evaluations, got 1"), e);
    assertTrue(e.contains("(--converge-delta) must be finite and >= 0 nats, got -1.0"), e);
    assertTrue(e.contains("(--peak-lr) must be finite and > 0, got 0.0"), e);
    assertTrue(e.contains("(--warmup) must be >= 0 steps, got -4"), e);
    assertTrue(e.contains("(--recovery-warmup) must be >= 0 steps, got -1"), e);
    assertTrue(e.contains("--train-steps -5 must be >= 1 step"), e);
    assertTrue(e.contains("--past-target 0 must be >= 1 step"), e);
  }

  @Test
  void pastTargetSetsTheRecoveriesHorizonOnly() {
    dev.ablation.cli.StudyOptions o = new dev.ablation.cli.StudyOptions();
    new CommandLine(o).parseArgs("--preset", "quick", "--past-target", "640");
    List<String> errors = new java.util.ArrayList<>();
    var plan = o.plan(errors);
    assertTrue(errors.isEmpty(), errors.toString());
    assertEquals(640, plan.training().horizonSteps());
    assertEquals(dev.ablation.study.plan.Presets.QUICK.plan().training(),
        plan.training().toBuilder().horizonSteps(0).build(), "nothing else moved");
  }

  @Test
  void helpListsThePresets() {
    assertEquals(0, run("study", "--help"));
    String h = out.toString();
    for (String p : List.of("quick", "default", "standard", "full", "encdec")) {
      assertTrue(h.contains("  " + p + " "), h);
    }
    assertTrue(h.contains("--resume") && h.contains("--eval-every"), h);
  }

  /**
   * Picocli formats every description line with {@code String.format}; a bare {@code %} (as
   * in "2 % differ") makes it print a warning on stderr whenever help is shown, and show the
   * raw line.
   */
  @Test
  void everyCommandsHelpRendersWithoutAPicocliWarning() {
    CommandLine root = Main.commandLine(dir -> new FakeStudyEngine());
    List<CommandLine> commands = new java.util.ArrayList<>(List.of(root));
    commands.addAll(root.getSubcommands().values());
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    StringBuilder help = new StringBuilder();
    try {
      System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
      for (CommandLine c : commands) {
        help.append(c.getUsageMessage());
      }
    } finally {
      System.setErr(saved);
    }
    String warnings = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertFalse(warnings.contains("picocli WARN"), warnings);
    assertTrue(help.indexOf("--exactness") >= 0, "bench's help was rendered: " + help);
  }

  @Test
  void theJarsDefaultEngineSaysItIsMissingAfterValidating(@TempDir Path dir) {
    CommandLine cl = Main.commandLine(cacheDir -> {
      throw new IllegalStateException("no engine");
    });
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(out, true));
    assertEquals(1, cl.execute("study", "--preset", "quick", "--out", dir.toString()));
    assertTrue(err.toString().contains("no engine"), err.toString());
    assertFalse(dev.ablation.study.store.ResultStore.holdsResults(dir), "dir left untouched");
  }

  @Test
  void lawReadsFinishedStudiesAndRefusesBadInput(@TempDir Path dir) {
    Path o = dir.resolve("o");
    assertEquals(0, run("study", "--preset", "quick", "--out", o.toString(), "--seeds", "1,2,3"),
        err.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("law", o.toString(), "--resamples", "100"), err.toString());
    String printed = out.toString();
    // 2 blocks x FRESH, ZERO_OUTPUT x 3 seeds; the question's arm is FRESH, and one shape
    // is too few for a law: the place is named with why it has no fit
    assertTrue(printed.contains("Runs read: 12") && printed.contains("no fit: ")
        && printed.contains("too few"), printed);
    assertEquals(2, run("law", o.toString(), "--hold-out", "4by256"));
    assertTrue(err.toString().contains("'4by256'"), err.toString());
    assertEquals(2, run("law", dir.resolve("none").toString()));
    assertTrue(err.toString().contains("holds no runs/ or results.json"), err.toString());
  }
}
