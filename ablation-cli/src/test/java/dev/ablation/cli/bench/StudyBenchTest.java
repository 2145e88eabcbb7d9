package dev.ablation.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.TrainingSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs the study figures on a tiny plan, child JVMs included: checks the names and that the
 * ratios are the ratios of the printed times, not the figures themselves.
 */
class StudyBenchTest {

  @Test
  void printsTheStudyFiguresAndTheMachineCeiling() {
    StudyPlan tiny = StudyPlan.builder().archs(List.of(Architecture.DECODER_ONLY)).depths(List.of(2))
        .widths(List.of(16)).heads(4).wipe(List.of()).schemes(List.of(ReinitScheme.fresh()))
        .policies(List.of(FreezePolicy.onlyWiped())).seeds(List.of(1L))
        .training(TrainingSettings.builder().vocab(8).seqLen(8).batchSize(8).strings(64)
            .maxEpochs(1).peakRate(3e-3).evalEvery(2).epsilon(0.05).patience(2)
            .budgetFraction(0.25).scratch(false).build())
        .build();
    StringWriter text = new StringWriter();
    new StudyBench(tiny, new PrintWriter(text)).run();
    List<String> lines = text.toString().lines().toList();
    assertThat(lines).allMatch(l -> l.matches("[a-z0-9_]+=[0-9.]+"), "name=value lines");
    Map<String, Double> v = lines.stream().collect(Collectors.toMap(
        l -> l.substring(0, l.indexOf('=')), l -> Double.parseDouble(l.substring(l.indexOf('=') + 1))));
    assertThat(v).containsKeys("study_wall_s_workers1", "study_wall_s_workers2",
        "study_speedup_workers2", "process_wall_s_alone", "process_wall_s_pair",
        "machine_parallel_ceiling", "study_eval_cpu_share");
    assertThat(v.get("study_wall_s_workers1")).isPositive();
    // a study evaluates, and validation passes are part of the process's CPU, not more than it
    assertThat(v.get("study_eval_cpu_share")).isGreaterThan(0).isLessThan(1);
    assertThat(v.get("study_speedup_workers2")).isCloseTo(
        v.get("study_wall_s_workers1") / v.get("study_wall_s_workers2"),
        org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(v.get("machine_parallel_ceiling")).isCloseTo(
        2 * v.get("process_wall_s_alone") / v.get("process_wall_s_pair"),
        org.assertj.core.data.Percentage.withPercentage(1));
  }
}
