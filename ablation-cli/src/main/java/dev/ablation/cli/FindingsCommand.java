package dev.ablation.cli;

import dev.ablation.study.report.Findings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code findings DATA PAGE}: regenerate a findings page from the study folders committed under
 * {@code DATA} ({@link Findings}), without training anything; a test fails when the committed
 * page differs from what this writes.
 */
@Command(name = "findings", mixinStandardHelpOptions = true,
    description = {"Write a findings page (the answer, the width/depth law, provenance and the "
        + "full report) from the runs of every study folder under DATA; its plots go beside "
        + "it in PAGE-stem-plots/. Nothing is trained."})
public final class FindingsCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DATA",
      description = "a folder of study output folders (each with runs/), e.g. data/issue32")
  Path data;

  @Parameters(index = "1", paramLabel = "PAGE",
      description = "the Markdown page to write, e.g. docs/findings.md")
  Path page;

  @CommandLine.Option(names = "--readme", paramLabel = "FILE",
      description = "also rewrite the answer in FILE (e.g. README.md) between its two marker "
          + "lines, from the same runs")
  Path readme;

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(data)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "DATA " + data
          + " is not a folder; give a folder of study output folders, e.g. data/issue32");
    }
    Path written = page;
    try {
      Findings.Page p = Findings.write(data, page);
      if (readme != null) {
        Findings.writeReadme(readme, p.readmeAnswer());
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    spec.commandLine().getOut().println("wrote " + written + " and "
        + written.resolveSibling(Findings.plotsFolder(written))
        + (readme == null ? "" : ", and the answer in " + readme));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
