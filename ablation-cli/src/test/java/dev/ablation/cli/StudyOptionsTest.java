package dev.ablation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.study.plan.Design;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class StudyOptionsTest {

  @Command(name = "host")
  static final class Host {
    @Mixin
    StudyOptions options = new StudyOptions();
  }

  /** The options of {@code args} as the plan they ask for; {@code errors} collects problems. */
  static StudyPlan plan(List<String> errors, String... args) {
    Host h = new Host();
    new CommandLine(h).parseArgs(args);
    return h.options.plan(errors);
  }

  /**
   * Every option that shapes a study is a {@link Setting} with that flag, and every setting
   * with a flag is an option here: adding a setting to one and not the other fails.
   */
  @Test
  void theOptionsAreTheSettingsCatalogue() {
    java.util.Set<String> options = new java.util.TreeSet<>();
    new CommandLine(new Host()).getCommandSpec().options()
        .forEach(o -> options.add(o.longestName()));
    options.removeAll(List.of("--preset", "--resume")); // what runs, not how
    java.util.Set<String> described = new java.util.TreeSet<>();
    for (dev.ablation.study.plan.Setting s : dev.ablation.study.plan.Setting.values()) {
      s.flag().ifPresent(described::add);
    }
    assertThat(options).isEqualTo(described);
  }

  @Test
  void noOptionsIsThePresetExactly() {
    List<String> errors = new ArrayList<>();
    assertThat(plan(errors)).isEqualTo(Presets.DEFAULT.plan());
    assertThat(plan(errors, "--preset", "standard")).isEqualTo(Presets.STANDARD.plan());
    assertThat(errors).isEmpty();
  }

  @Test
  void theProtocolOptionsReachTheSettings() {
    List<String> errors = new ArrayList<>();
    TrainingSettings t = plan(errors, "--preset", "quick", "--converge-delta", "0.005",
        "--converge-k", "6", "--peak-lr", "1e-3", "--warmup", "10", "--recovery-warmup", "4",
        "--train-steps", "500").training();
    assertThat(errors).isEmpty();
    assertThat(t.stopping()).isEqualTo(new TrainingSettings.Stopping(16, 6, 0.005, 8, 500));
    assertThat(t.optimiser()).isEqualTo(new TrainingSettings.Optimiser(1e-3, 10, 4));
    assertThat(t.asMap()).containsEntry("train_steps", "500");
    // nothing else moved
    assertThat(t.toBuilder().convergenceDelta(0.01).convergenceWindow(5).peakRate(3e-3)
        .warmupSteps(32).recoveryWarmup(8).trainSteps(0).build())
        .isEqualTo(Presets.QUICK.plan().training());
  }

  @Test
  void everyBadProtocolValueIsNamedWithItsRangeAtOnce() {
    List<String> errors = new ArrayList<>();
    plan(errors, "--converge-delta", "-0.5", "--converge-k", "1", "--peak-lr", "0",
        "--warmup", "-1", "--recovery-warmup", "-2", "--train-steps", "0");
    String all = String.join("\n", errors);
    assertThat(all)
        .contains("--converge-delta").contains("-0.5").contains(">= 0")
        .contains("--converge-k").contains("got 1").contains(">= 2")
        .contains("--peak-lr").contains("got 0.0").contains("> 0")
        .contains("--warmup) must be >= 0 steps, got -1")
        .contains("--recovery-warmup) must be >= 0 steps, got -2")
        .contains("--train-steps 0 must be >= 1");
    assertThat(errors).filteredOn(m -> m.contains("--train-steps")).hasSize(1);
  }

  @Test
  void aRateIsCheckedByOneRuleWhereverItIsGiven() {
    List<String> errors = new ArrayList<>();
    plan(errors, "--peak-lr", "Infinity", "--recovery-lr", "0x,NaN,abc,2x");
    String all = String.join("\n", errors);
    assertThat(all).contains("peak learning rate (--peak-lr) must be finite and > 0, got "
        + "Infinity");
    assertThat(all).contains("0.0x in --recovery-lr").contains("NaNx in --recovery-lr")
        .contains("must be finite and > 0");
    assertThat(all).contains("--recovery-lr 'abc' is not a multiple");
    assertThat(all).doesNotContain("2.0x");
  }

  @Test
  void optionsChooseTheDesign() {
    List<String> errors = new ArrayList<>();
    assertThat(plan(errors, "--preset", "default", "--arms-at", "3").design())
        .isEqualTo(Design.oneAtATime(List.of(3)));
    assertThat(errors).isEmpty();
    plan(errors, "--preset", "default", "--arms-at", "3", "--design", "factorial");
    assertThat(errors).singleElement().asString().contains("--arms-at").contains("one-at-a-time");
    errors.clear();
    plan(errors, "--design", "latin-square");
    assertThat(errors).singleElement().asString().contains("latin-square")
        .contains("factorial, one-at-a-time");
  }

  /** A duration: "< 2 min", "58 s", "1 h 16 min", "two hours", "15 minutes". */
  static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile(
      "(?i)(\\d+([.,]\\d+)?\\s*(s|sec|secs|seconds?|min|mins|minutes?|h|hrs?|hours?)\\b)"
          + "|\\b(one|two|three|ten|a few)\\s+(seconds?|minutes?|hours?)\\b|<\\s*\\d");

  @Test
  void noPresetsHelpNamesADuration() {
    // durations in help went stale with every change of speed (issue 33): they live in
    // docs/performance.md's dated table, measured, and nowhere else
    for (String line : StudyOptions.presetsFooter().split("%n")) {
      assertThat(DURATION.matcher(line).find()).as("help line names a duration: %s", line)
          .isFalse();
    }
    Presets.ALL.forEach(p -> assertThat(DURATION.matcher(p.description()).find())
        .as("preset %s's description names a duration", p.name()).isFalse());
    // and the check can fail
    for (String stale : List.of("seeds 1-5; < 2 min", "about 58 s", "1 h 16 min", "two hours",
        "< 15 min (docs/study.md)")) {
      assertThat(DURATION.matcher(stale).find()).as(stale).isTrue();
    }
    for (String fine : List.of("decoder N=2..8 D=32,64,128", "seeds 1-5", "FRESH+ZERO_OUTPUT",
        "a cluster")) {
      assertThat(DURATION.matcher(fine).find()).as(fine).isFalse();
    }
  }

  @Test
  void theFooterListsEveryPreset() {
    String footer = StudyOptions.presetsFooter();
    Presets.names().forEach(n -> assertThat(footer).contains("  " + n + " "));
  }

  @Test
  void errorLinesKeepTheirCauses() {
    Exception e = new IllegalStateException("cannot store run 3",
        new java.io.IOException("No space left on device"));
    assertThat(ErrorMessages.describe(e))
        .isEqualTo("cannot store run 3; caused by IOException: No space left on device");
  }
}
