package dev.ablation.cli;

import dev.ablation.study.report.HtmlReport;
import dev.ablation.study.report.Report;
import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.RunRecord;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code report DIR}: write {@code report.html} (and {@code plots/summary.png}) from the
 * {@code results.json} of a study that already ran, without training anything, so an output
 * folder made by an older build, or copied from a cluster, can still be opened and explored.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write report.html (and plots/summary.png) from the results.json of an "
        + "existing study output folder; nothing is trained.",
        "Prints the answer's headline and the path of report.html."})
public final class ReportCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR",
      description = "a study's output folder (its --out), holding results.json")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(dir.resolve(ResultStore.JSON))) {
      throw new CommandLine.ParameterException(spec.commandLine(), "DIR " + dir + " holds no "
          + ResultStore.JSON + "; give the --out folder of a study that finished");
    }
    Path html = HtmlReport.rewrite(dir);
    List<RunRecord> records = RecordJson.readResults(
        Files.readString(dir.resolve(ResultStore.JSON), StandardCharsets.UTF_8));
    PrintWriter o = spec.commandLine().getOut();
    Report.headline(records).forEach(o::println);
    o.println();
    o.println("report: " + html);
    o.flush();
    return 0;
  }
}
