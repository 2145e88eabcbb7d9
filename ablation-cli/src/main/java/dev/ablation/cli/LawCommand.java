package dev.ablation.cli;

import dev.ablation.study.report.LawTable;
import dev.ablation.study.report.WidthDepthLaw;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.RunRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code law DIR...}: the width/depth law of the question's arm over the runs of one or more
 * finished studies ({@link WidthDepthLaw}), with a held-out shape checked against the fit's
 * prediction interval. Reads the study's {@code runs/} records (so a study still running gives
 * what it has), else {@code results.json}; trains nothing.
 */
@Command(name = "law", mixinStandardHelpOptions = true,
    description = {"Fit ln(examples to recover) = a + b ln D + c ln N (+ d L/(N-1) for blocks "
        + "2..N-1) to the question's arm (decoder, whole block, FRESH, onlyWiped) of the "
        + "given study folders, one fit per place (block 0, block 1, later), 95 %% intervals "
        + "resampling whole originals; optionally hold one shape out and check it against "
        + "the fit's 95 %% prediction interval. Nothing is trained."})
public final class LawCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "DIR",
      description = "study output folders (their runs/, else results.json)")
  List<Path> dirs;

  @Option(names = "--hold-out", paramLabel = "NxD",
      description = "fit without this shape, e.g. 4x256, and check its cells against the fit")
  String holdOut;

  @Option(names = "--resamples", paramLabel = "B", defaultValue = "2000",
      description = "bootstrap replicates, >= 100 (default: ${DEFAULT-VALUE})")
  int resamples;

  @Override
  public Integer call() throws IOException {
    List<RunRecord> records = new ArrayList<>();
    for (Path d : dirs) {
      records.addAll(read(d));
    }
    Optional<int[]> held;
    try {
      held = holdOut == null ? Optional.empty() : Optional.of(WidthDepthLaw.parseShape(holdOut));
      if (resamples < 100) {
        throw new IllegalArgumentException("--resamples " + resamples + " must be >= 100");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    WidthDepthLaw.Result r = WidthDepthLaw.fit(records, held, resamples);
    PrintWriter o = spec.commandLine().getOut();
    o.println("Runs read: " + records.size() + " from " + dirs + ".");
    o.println();
    LawTable.format(r).forEach(o::println);
    o.flush();
    return 0;
  }

  private List<RunRecord> read(Path dir) throws IOException {
    if (Files.isDirectory(dir.resolve("runs"))) { // a study's own records, also while it runs
      return dev.ablation.study.store.RunFiles.finished(dir);
    }
    Path json = dir.resolve(ResultStore.JSON);
    if (Files.isRegularFile(json)) {
      return RecordJson.readResults(Files.readString(json, StandardCharsets.UTF_8));
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "DIR " + dir + " holds no runs/ "
        + "or " + ResultStore.JSON + "; give the --out folder of a study");
  }
}
