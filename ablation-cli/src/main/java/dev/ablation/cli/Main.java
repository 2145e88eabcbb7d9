package dev.ablation.cli;

import dev.ablation.cli.console.Logs;
import dev.ablation.samediff.GradientChatter;
import dev.ablation.cli.ErrorMessages;
import dev.ablation.cli.StudyOptions;
import dev.ablation.cli.StudyCommand;
import dev.ablation.study.run.StudyEngine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar ablation.jar <command>}: the entry point of the shaded jar. */
@Command(name = "ablation", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Wipe one layer of a trained transformer, freeze the rest, and measure how "
        + "much retraining it takes to recover.")
public final class Main implements Runnable {

  /** The engine the jar runs studies on: SameDiff (tests pass their own to {@link #execute}). */
  static final StudyEngine.Factory DEFAULT_ENGINE =
      dev.ablation.study.engine.SameDiffStudyEngine::new;

  @picocli.CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    // SameDiff's INFO start-up lines and its per-op "Added differentiated op" println would
    // bury the progress bar and break bench's name=value output
    Logs.quiet();
    System.exit(GradientChatter.quietly(() -> execute(DEFAULT_ENGINE, args)));
  }

  /** Runs the command line on {@code engines} and returns its exit status (for tests and embedding). */
  public static int execute(StudyEngine.Factory engines, String... args) {
    return commandLine(engines).execute(args);
  }

  /** The command tree: {@code study}, {@code report} and {@code bench}. */
  public static CommandLine commandLine(StudyEngine.Factory engines) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // plots render without a display
    }
    CommandLine cl = new CommandLine(new Main());
    CommandLine study = new CommandLine(new StudyCommand(engines));
    study.getCommandSpec().usageMessage().footer(StudyOptions.presetsFooter());
    cl.addSubcommand("study", study);
    cl.addSubcommand("report", new dev.ablation.cli.ReportCommand());
    cl.addSubcommand("law", new dev.ablation.cli.LawCommand());
    cl.addSubcommand("findings", new dev.ablation.cli.FindingsCommand());
    cl.addSubcommand("bench", new dev.ablation.cli.BenchCommand(Main.class.getName()));
    cl.setExecutionExceptionHandler(ErrorMessages.handler());
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing command; try: study --preset quick");
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ablation " + (v == null ? "dev" : v)};
    }
  }
}
