package dev.ablation.cli;

import dev.ablation.cli.console.Logs;
import dev.ablation.cli.StudyOptions;
import dev.ablation.study.report.HtmlReport;
import dev.ablation.study.report.Report;
import dev.ablation.study.store.Provenance;
import dev.ablation.study.run.Progress;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.run.Study;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.store.StudyLock;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.api.recovery.CpuAccount;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code study}: run a sweep of wipe-and-recover experiments and write results and a report.
 * Every option is checked, and every bad value named, before anything trains.
 */
@Command(name = "study", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train originals, wipe each layer in turn, retrain under each freeze policy, "
        + "and write results.csv, results.json, report.md, report.html and plots/ into --out.",
        "Killed at any moment, the same command with --resume finishes the rest."})
public final class StudyCommand implements Callable<Integer> {

  private final StudyEngine.Factory engines;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "study-out",
      description = "output directory; default: ${DEFAULT-VALUE}")
  Path out;

  @CommandLine.Mixin
  StudyOptions options = new StudyOptions();

  @Option(names = "--force", description = "with --resume: continue a study made by another "
      + "build (library version, native build); its rows and the new ones may differ")
  boolean force;

  @Option(names = "--verbose",
      description = "also show log records (ND4J's, the fast path's) on the terminal; they "
          + "always go to --out/study.log")
  boolean verbose;

  @Option(names = "--workers", paramLabel = "N",
      description = "recoveries run at once, each on its own engine with one native thread; "
          + "default: the number of cores (${DEFAULT-VALUE})")
  int workers = Study.defaultWorkers();

  /** A command that runs studies on engines from {@code engines}. */
  public StudyCommand(StudyEngine.Factory engines) {
    this.engines = Objects.requireNonNull(engines, "engines");
  }

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    StudyPlan plan = validatedPlan();
    PrintWriter o = spec.commandLine().getOut();
    Progress progress = BarProgress.forTerminalOr(
        new PrintStream(new FileOutputStream(FileDescriptor.out), true), Progress.lines(o));
    Study.Outcome outcome;
    CpuAccount.Snapshot start = CpuAccount.snapshot();
    Path report;
    CpuAccount.Snapshot account;
    try (AutoCloseable logs = Logs.toFile(out.resolve(Logs.FILE), verbose)) {
      outcome = Study.runInto(out, plan, engines,
          new Study.Options(workers, options.resume(), progress, force));
      Provenance.ofThisProcess(commandLine(), java.time.Duration.ofNanos(System.nanoTime()
          - started)).write(outcome.dir());
      try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.REPORT)) {
        report = Report.write(outcome.dir(), outcome.records(), plan);
      }
      // the whole command's account, the report included, replaces the study's own
      account = CpuAccount.snapshot().minus(start);
      ResultStore.writeAccount(out, account);
      System.getLogger(StudyCommand.class.getName()).log(System.Logger.Level.INFO,
          "cpu account (study and report):\n" + String.join("\n", account.lines()));
    }
    outcome.notices().forEach(o::println);
    if (outcome.tornBytesDropped() > 0) {
      o.printf(Locale.ROOT, "dropped a torn last line (%d bytes) of %s%n",
          outcome.tornBytesDropped(), out.resolve(ResultStore.CSV));
    }
    o.println();
    Report.headline(outcome.records()).forEach(o::println);
    o.println();
    o.println("Where the CPU went (thread CPU by phase, summed over workers):");
    account.lines().forEach(o::println);
    o.println();
    o.printf(Locale.ROOT, "%d runs in %s (%d run now); report: %s (and %s); log: %s%n",
        outcome.records().size(), out, outcome.ran(), out.resolve(HtmlReport.FILE),
        report.getFileName(), out.resolve(Logs.FILE));
    o.flush();
    return 0;
  }

  /** The command as the process was started, or as picocli parsed it where the OS hides that. */
  private String commandLine() {
    return ProcessHandle.current().info().commandLine().orElseGet(() -> "ablation.jar study "
        + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
  }

  /** The plan the options ask for, or a usage error naming every bad value. */
  StudyPlan validatedPlan() {
    List<String> errors = new ArrayList<>();
    StudyPlan plan = options.plan(errors);
    if (workers < 1) {
      errors.add("--workers " + workers + " must be >= 1");
    }
    errors.addAll(outProblems());
    if (!errors.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "invalid options (nothing was trained):\n  - " + String.join("\n  - ", errors));
    }
    return plan;
  }

  private List<String> outProblems() {
    List<String> errors = new ArrayList<>();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      errors.add("--out " + out + " is a file, not a directory");
      return errors;
    }
    try {
      Files.createDirectories(out);
      Files.delete(Files.createTempFile(out, ".writable", ".probe"));
    } catch (IOException | SecurityException e) {
      errors.add("--out " + out + " is not a writable directory (" + e + ")");
      return errors;
    }
    try {
      StudyLock.liveHolder(out).ifPresent(h -> errors.add("--out " + out + " is in use by "
          + "another study: " + h + "; wait for it to finish or choose another --out"));
    } catch (RuntimeException e) {
      errors.add(e.getMessage());
    }
    if (!options.resume() && ResultStore.holdsResults(out)) {
      errors.add("--out " + out + " already holds study results; add --resume to finish them, "
          + "or choose another --out");
    }
    return errors;
  }
}
