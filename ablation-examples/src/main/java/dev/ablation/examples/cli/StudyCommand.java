package dev.ablation.examples.cli;

import dev.ablation.study.report.Report;
import dev.ablation.study.PlanOptions;
import dev.ablation.study.Progress;
import dev.ablation.study.ResultStore;
import dev.ablation.study.Study;
import dev.ablation.study.StudyEngine;
import dev.ablation.study.StudyLock;
import dev.ablation.study.StudyPlan;
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
        + "and write results.csv, results.json, report.md and plots/ into --out.",
        "Killed at any moment, the same command with --resume finishes the rest."})
public final class StudyCommand implements Callable<Integer> {

  private final StudyEngine.Factory engines;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--preset", paramLabel = "NAME", defaultValue = "default",
      description = "quick, default, full or encdec (see below); default: ${DEFAULT-VALUE}")
  String preset;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "study-out",
      description = "output directory; default: ${DEFAULT-VALUE}")
  Path out;

  @Option(names = "--resume", description = "finish the study already in --out, skipping done runs")
  boolean resume;

  @Option(names = "--task", paramLabel = "TASK",
      description = "what the originals learn: markov, bigram, hops, text, dyck (decoder, encoder); "
          + "reverse, translate (encdec); see docs/tasks.md")
  String task;

  @Option(names = "--vocab", paramLabel = "V",
      description = "vocabulary of the synthetic task (ignored by text)")
  Integer vocab;

  @Option(names = "--seq-len", paramLabel = "T", description = "tokens per training string")
  Integer seqLen;

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

  @Option(names = "--arch", split = ",", paramLabel = "ARCH",
      description = "architectures: decoder, encoder, encdec")
  List<String> archs;

  @Option(names = "--layers", split = ",", paramLabel = "N", description = "depths n_layers")
  List<Integer> depths;

  @Option(names = "--widths", split = ",", paramLabel = "D", description = "widths d_model")
  List<Integer> widths;

  @Option(names = "--heads", paramLabel = "H", description = "attention heads (d_model must be a multiple)")
  Integer heads;

  @Option(names = "--wipe", split = ",", paramLabel = "L",
      description = "wipe only these block indices (0-based, each < every N); default: all")
  List<Integer> wipe;

  @Option(names = "--design", paramLabel = "DESIGN",
      description = "factorial (every kind x scheme x policy x rate; default of most presets) "
          + "or one-at-a-time (the first of each list everywhere, the others varied one at a "
          + "time)")
  String design;

  @Option(names = "--arms-at", split = ",", paramLabel = "N",
      description = "one-at-a-time: the depths at which the other arms run (default: all)")
  List<Integer> armsAt;

  @Option(names = "--wipe-kinds", split = ",", paramLabel = "KIND",
      description = "what to wipe: block, attn, mlp, norms (per block); cross_attn (per "
          + "decoder block), all_cross_attn, fresh_encoder, trained_encoder, stitched_encoder "
          + "(encdec)")
  List<String> kinds;

  // commas inside parentheses belong to SHRINK_PERTURB(lambda,sigma), not to the list
  @Option(names = "--schemes", split = ",(?![^(]*\\))", splitSynopsisLabel = ",",
      paramLabel = "SCHEME", description = "FRESH, RESTORE_INITIAL, ZERO_OUTPUT, "
          + "SHRINK_PERTURB(lambda,sigma), COPY_FROM(blocks.i)")
  List<String> schemes;

  @Option(names = "--policies", split = ",(?![^(]*\\))", splitSynopsisLabel = ",", paramLabel = "POLICY",
      description = "onlyWiped, wipedPlusLayerNorms, wipedPlusNeighbours(k), wipedPlusHead, "
          + "allTrainable")
  List<String> policies;

  @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "master seeds")
  List<Long> seeds;

  @Option(names = "--eval-every", paramLabel = "K", description = "evaluate every K recovery steps")
  Integer evalEvery;

  @Option(names = "--epsilon", paramLabel = "EPS",
      description = "the target's epsilon: nats for --target nats|noise, a fraction for damage")
  Double epsilon;

  @Option(names = "--target", paramLabel = "RULE",
      description = "nats: L* + EPS; noise: L* + max(EPS, 2 sigma) (default); damage: EPS of the "
          + "step-0 damage undone")
  String target;

  @Option(names = "--recovery-lr", split = ",", paramLabel = "Mx",
      description = "recovery peak learning rates as multiples of the original's, e.g. "
          + "0.3x,1x,3x (default 1x)")
  List<String> recoveryLr;

  @Option(names = "--budget", paramLabel = "F",
      description = "a recovery may spend at most F x S x E examples")
  Double budget;

  @Option(names = "--strings", paramLabel = "S", description = "training strings of an original")
  Long strings;

  @Option(names = "--epochs", paramLabel = "E",
      description = "cap on an original's epochs (it stops earlier once converged)")
  Integer epochs;

  @Option(names = "--scratch", negatable = true,
      description = "measure T_scratch (training from a fresh init to the same target)")
  Boolean scratch;

  /** A command that runs studies on engines from {@code engines}. */
  public StudyCommand(StudyEngine.Factory engines) {
    this.engines = Objects.requireNonNull(engines, "engines");
  }

  @Override
  public Integer call() throws Exception {
    StudyPlan plan = validatedPlan();
    PrintWriter o = spec.commandLine().getOut();
    Progress progress = BarProgress.forTerminalOr(
        new PrintStream(new FileOutputStream(FileDescriptor.out), true), Progress.lines(o));
    Study.Outcome outcome;
    try (AutoCloseable logs = Logs.toFile(out.resolve(Logs.FILE), verbose)) {
      outcome = Study.runInto(out, plan, engines,
          new Study.Options(workers, resume, progress, force));
    }
    outcome.notices().forEach(o::println);
    if (outcome.tornBytesDropped() > 0) {
      o.printf(Locale.ROOT, "dropped a torn last line (%d bytes) of %s%n",
          outcome.tornBytesDropped(), out.resolve(ResultStore.CSV));
    }
    Path report = Report.write(outcome, plan);
    o.println();
    for (String line : Report.headline(outcome.records())) {
      o.println(line.replace("**", ""));
    }
    o.println();
    o.printf(Locale.ROOT, "%d runs in %s (%d run now); report: %s; log: %s%n",
        outcome.records().size(), out, outcome.ran(), report, out.resolve(Logs.FILE));
    o.flush();
    return 0;
  }

  /** The plan the options ask for, or a usage error naming every bad value. */
  StudyPlan validatedPlan() {
    PlanOptions p = new PlanOptions();
    p.preset = preset;
    p.archs = archs;
    p.depths = depths;
    p.widths = widths;
    p.heads = heads;
    p.wipe = wipe;
    p.schemes = schemes;
    p.policies = policies;
    p.seeds = seeds;
    p.evalEvery = evalEvery;
    p.epsilon = epsilon;
    p.budget = budget;
    p.strings = strings;
    p.epochs = epochs;
    p.scratch = scratch;
    p.target = target;
    p.recoveryLr = recoveryLr;
    p.task = task;
    p.vocab = vocab;
    p.seqLen = seqLen;
    p.kinds = kinds;
    p.design = design;
    p.armsAt = armsAt;
    List<String> errors = new ArrayList<>();
    StudyPlan plan = p.plan(errors);
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
    if (!resume && ResultStore.holdsResults(out)) {
      errors.add("--out " + out + " already holds study results; add --resume to finish them, "
          + "or choose another --out");
    }
    return errors;
  }
}
