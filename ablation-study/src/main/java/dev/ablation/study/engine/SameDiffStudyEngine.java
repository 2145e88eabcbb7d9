package dev.ablation.study.engine;

import dev.ablation.samediff.NativeMemory;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.Seeds;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.CpuAccount;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.RunSeeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.data.BatchIterator;
import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.DyckLanguage;
import dev.ablation.samediff.data.CharNgram;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.HopRecall;
import dev.ablation.samediff.data.InContextBigram;
import dev.ablation.samediff.data.LooseTranslation;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Seq2SeqTask;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.SessionMemory;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.model.PopulationModel;
import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.internal.RecoveryStepper;
import dev.ablation.samediff.recovery.PopulationRecovery;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.train.PopulationStepper;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.Convergence;
import dev.ablation.samediff.train.LrSchedule;
import dev.ablation.samediff.train.OriginalTrainer;
import dev.ablation.samediff.train.TrainedOriginal;
import dev.ablation.samediff.train.TrainingPlan;
import dev.ablation.samediff.train.ValidationPoint;
import dev.ablation.samediff.model.Architecture;
import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.store.Original;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.store.PopulationChoice;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.plan.TrainingSettings;
import dev.ablation.study.plan.WipeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The study's engine on SameDiff: reference transformers trained on the task of the plan
 * ({@link #corpus}: synthetic languages whose loss floor is known, or Europarl characters with
 * a measured n-gram reference), wiped and retrained through {@link Recovery#builder} (the
 * encoder swaps and {@code T_scratch}, which no {@code Recovery} expresses, through the
 * internal {@link RecoveryLoop}).
 *
 * <p>Data: every synthetic language is fixed by {@link #LANGUAGE_SEED}, so all originals of a
 * study learn the same one; decoder-only and encoder-only models learn the language tasks,
 * encoder-decoders the sequence-to-sequence ones (docs/tasks.md). The study's master seed reaches nothing directly: {@link Seeds} splits it
 * into the original's init, the original's data (which strings, and their order), the
 * recovery's data order and the wipe's draw, all written to every run's manifest.
 * Originals are cached under the study's directory by content hash, so a resumed study reuses
 * them.
 */
public final class SameDiffStudyEngine implements StudyEngine {
  /** The seed of the synthetic language itself: the same task for every run of a study. */
  public static final long LANGUAGE_SEED = 20_261_126L;
  /**
   * How predictable the Markov language is: 3 puts its loss floor at about 40% of
   * {@code ln vocab}, so a trained original is far from uniform and a wipe does visible damage.
   */
  public static final double SHARPNESS = 3.0;
  /**
   * The Dirichlet concentration of the in-context bigram task: sparse rows (most of a
   * string's transitions from a token go to one or two successors), so reading them pays.
   */
  public static final double BIGRAM_ALPHA = 0.3;
  /**
   * q of the loose translation: the probability that a target token follows the target-side
   * chain instead of translating its source token. At 0.5 (vocabulary 17, strings of 12) the
   * floor is 0.985 nats, the best source-blind decoder 1.761, uniform ln 17 = 2.833: half the
   * target is learnable only from the prefix, half only from the source.
   */
  public static final double LOOSENESS = 0.5;
  /** k of the multi-hop recall task: answers are π applied this many times. */
  public static final int HOPS = 2;
  /** Deepest nesting of the Dyck task. */
  public static final int DYCK_DEPTH = 4;
  /** Probability of opening a bracket in the Dyck task (when allowed). */
  public static final double DYCK_OPEN = 0.55;
  private static final int VALIDATION_STRINGS = 256;

  private final Path cacheDir;
  /**
   * The originals this engine has loaded, least recently used first. Bounded: each holds its
   * graphs, split graphs and arrays off the heap, and a study of many originals (the default
   * preset's ten) ran out of native memory when every worker kept every one it had used.
   */
  private final Map<String, Loaded> originals = new LinkedHashMap<>(4, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
      if (size() > LOADED_ORIGINALS) {
        eldest.getValue().release();
        return true;
      }
      return false;
    }
  };

  /** How many loaded originals an engine keeps (a worker's current one and the one before). */
  static final int LOADED_ORIGINALS = 2;

  /**
   * An engine caching originals under {@code cacheDir}, for the calling thread: it limits that
   * thread to one native thread ({@link NativeThreads}), so use it from the thread that opened
   * it (a study opens one engine per worker, on the worker's thread).
   */
  public SameDiffStudyEngine(Path cacheDir) {
    this(cacheDir, Populations.fromSystemProperty());
  }

  /**
   * As {@link #SameDiffStudyEngine(Path)}, running recoveries in populations as
   * {@code populations} says.
   */
  public SameDiffStudyEngine(Path cacheDir, Populations populations) {
    this.cacheDir = cacheDir;
    this.populations = java.util.Objects.requireNonNull(populations, "populations");
    NativeThreads.useOneOnThisThread();
  }

  /** Whether recoveries of one original may run in populations (K runs in one graph). */
  public enum PopulationMode {
    /** One recovery at a time (the default: see {@link Populations#fromSystemProperty()}). */
    NEVER,
    /** Populations where a calibration on the original measures them faster. */
    AUTO,
    /** Populations wherever the runs allow them, unmeasured (tests, benchmarks). */
    ALWAYS
  }

  /**
   * How this engine batches recoveries.
   *
   * @param mode never, where measured faster, or always
   * @param size K, runs per population (≥ 2)
   * @param calibrationSteps timed steps per member and of the population in a calibration
   *     (after one untimed warm-up step each), ≥ 1
   */
  public record Populations(PopulationMode mode, int size, int calibrationSteps) {
    /** The system property read by {@link #fromSystemProperty()}. */
    public static final String PROPERTY = "ablation.population";

    /** Validates. */
    public Populations {
      java.util.Objects.requireNonNull(mode, "mode");
      if (size < 2 || calibrationSteps < 1) {
        throw new IllegalArgumentException("a population needs size >= 2 and calibration "
            + "steps >= 1; got " + size + ", " + calibrationSteps);
      }
    }

    /** {@code mode} with K = 8 and 4 calibration steps. */
    public static Populations of(PopulationMode mode) {
      return new Populations(mode, 8, 4);
    }

    /**
     * {@code -Dablation.population=never|auto|always} (default {@code never}). Off by default
     * because a population's losses equal a single run's only to float rounding (≈ 1e-6
     * relative, not bit for bit), and a timing-based choice would let the same seed give rows
     * that differ in their last digits from one machine (or load) to the next.
     *
     * @throws IllegalArgumentException for another value, naming the valid ones
     */
    public static Populations fromSystemProperty() {
      String v = System.getProperty(PROPERTY, "never").strip();
      for (PopulationMode m : PopulationMode.values()) {
        if (m.name().equalsIgnoreCase(v)) {
          return of(m);
        }
      }
      throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + " is not one of "
          + java.util.Arrays.stream(PopulationMode.values())
              .map(m -> m.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }
  }

  private final Populations populations;

  /**
   * For tests: how many inference sessions the loaded original's own graph (and its gradient
   * function) holds now, or -1 if this engine has not loaded it.
   */
  int sessions(OriginalSpec spec) {
    Loaded l = originals.get(spec.contentHash());
    if (l == null) {
      return -1;
    }
    org.nd4j.autodiff.samediff.SameDiff g = l.trained().model().model().graph();
    org.nd4j.autodiff.samediff.SameDiff grad = g.getFunction("grad");
    return g.getSessions().size() + (grad == null ? 0 : grad.getSessions().size());
  }

  /** One original in memory: the model (kept at its trained weights between runs) and its data. */
  private record Loaded(TrainedOriginal trained, SameDiffSurgeon surgeon, WeightSnapshot weights,
      Split split, List<Batch> validation, LossEvaluator.Evaluation evaluation) {
    /**
     * Frees what this original holds off the heap and no one else uses: its graph's session
     * caches, its validation batches and the original's logits. Called when the engine drops
     * it, so the memory goes back then and not at some later garbage collection.
     */
    void release() {
      validation.forEach(Batch::free);
      for (org.nd4j.linalg.api.ndarray.INDArray a : evaluation.logits()) {
        if (!a.wasClosed() && a.closeable()) {
          a.close();
        }
      }
      releaseSessions(); // last: it trims, giving back everything freed above too
    }

    /**
     * Frees the original's own graph's session caches (its evaluations at the validation
     * batch size, its whole-model training steps) when a run ends. Between runs they are
     * idle, yet they are the largest arrays a worker holds: an evaluation session caches every
     * op output of the last evaluation, and each worker keeps two originals. The next run
     * starts new sessions (one step's reallocation); no loss changes.
     */
    void releaseSessions() {
      SessionMemory.release(trained.model().model().graph());
      NativeMemory.trim();
    }
  }

  @Override
  public Original original(OriginalSpec spec) {
    Loaded l = load(spec);
    List<CurvePoint> curve = new ArrayList<>();
    for (ValidationPoint p : l.trained().curve()) {
      curve.add(new CurvePoint(p.step(), p.examples(), p.tokens(), p.validationLoss(),
          Double.NaN));
    }
    return new Original(spec, l.trained().lossStar(), l.trained().budget(),
        l.surgeon().layout().paths(), l.trained().lossSd(), curve);
  }

  private Loaded load(OriginalSpec spec) {
    String key = spec.contentHash();
    Loaded l = originals.get(key);
    if (l != null) {
      return l;
    }
    TrainingSettings t = spec.training();
    Seeds seeds = Seeds.of(spec.seed());
    Corpus corpus = corpus(t);
    TransformerConfig config = config(spec.model(), corpus.vocab(), t, seeds.originalInit());
    // which strings the original sees is part of its data: a sub-stream of original_data
    Split split = corpus.split(Math.toIntExact(t.strings()), VALIDATION_STRINGS, length(spec),
        Seeds.derive(seeds.originalData(), "strings"));
    TrainingPlan plan = originalPlan(t, seeds.originalData());
    TrainedOriginal trained;
    try {
      // always the saved copy, also right after training it: every worker (and a resumed
      // study) then starts its runs from the same loaded graph, whoever trained it
      OriginalTrainer.trainOrLoad(cacheDir, config, plan, split, trainingProgress(spec));
      trained = TrainedOriginal.load(
          cacheDir.resolve(OriginalTrainer.cacheKey(config, plan, split)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot train or load the original for " + spec.model()
          + " seed " + spec.seed() + " under " + cacheDir + " (" + e + ")", e);
    } catch (RuntimeException e) {
      // ND4J's own exceptions may have no message: name the original, the directory and the type
      throw new IllegalStateException("cannot train or load the original for " + spec.model()
          + " seed " + spec.seed() + " under " + cacheDir + " ("
          + (e.getMessage() == null ? e.getClass().getName() : e.toString()) + ")", e);
    }
    ReferenceModel model = trained.model();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> now = model.weights();
    model.setWeights(trained.initialWeights());
    WeightSnapshot theta0 = SameDiffSurgeon.of(model.model()).snapshot();
    model.setWeights(now);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model.model(), theta0);
    List<Batch> validation = ReferenceBatches.of(model).batches(split.validation(),
        evaluationBatch(t));
    l = new Loaded(trained, surgeon, surgeon.snapshot(), split, validation,
        new LossEvaluator(model.model()).evaluate(validation));
    originals.put(key, l);
    return l;
  }

  @Override
  public RecoveryResult recover(Original original, RecoveryRequest request,
      RecoveryListener listener) {
    Loaded l = load(original.spec());
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.RECOVERY_SETUP)) {
      return recoverLoaded(original, l, request, listener);
    }
  }

  /**
   * {@link #recover} evaluated on {@code schedule} instead of the settings' own: how
   * {@link ExactnessCheck} compares a run searched to the step with one evaluated after every
   * step. Nothing else about the run changes.
   */
  RecoveryResult recoverOn(Original original, RecoveryRequest request,
      dev.ablation.api.recovery.EvaluationSchedule schedule) {
    Loaded l = load(original.spec());
    Run run = prepare(original, l, request, RecoveryListener.none());
    Run on = new Run(run.seeds(), run.settings().withSchedule(schedule), run.adam(),
        run.config(), run.training());
    try {
      return withSeeds(recovery(l, request, on).run(on.training(), l.validation()), on.seeds());
    } finally {
      l.surgeon().restore(l.weights());
      l.releaseSessions();
    }
  }

  private RecoveryResult recoverLoaded(Original original, Loaded l, RecoveryRequest request,
      RecoveryListener listener) {
    Run run = prepare(original, l, request, listener);
    Seeds seeds = run.seeds();
    RecoverySettings settings = run.settings();
    AdamSettings adam = run.adam();
    Map<String, String> config = run.config();
    Iterator<Batch> training = run.training();
    if (request.target() instanceof WipeTarget.SwapEncoder swap) {
      return withSeeds(swapEncoder(original, l, swap, request, settings, adam, training, config,
          seeds), seeds);
    }
    try {
      return withSeeds(recovery(l, request, run).run(training, l.validation()), seeds);
    } finally {
      l.surgeon().restore(l.weights());
      l.releaseSessions();
    }
  }

  /** The run as a {@link Recovery} on the original's surgeon. */
  private static Recovery recovery(Loaded l, RecoveryRequest request, Run run) {
    RecoverySettings s = run.settings();
    Recovery.Builder b = Recovery.builder(l.surgeon())
        .wipe(request.target().layers(), request.scheme())
        .freeze(request.policy())
        .seeds(RunSeeds.of(run.seeds()))
        .target(s.criterion(), s.reference())
        .budget(s.budget())
        .evaluate(s.schedule())
        .listener(s.listener())
        .optimiser(run.adam())
        // evaluated once when the original was loaded, on these batches, at these weights
        .originalEvaluation(l.evaluation());
    if (s.trainsPastTarget()) {
      b.trainPastTarget(s.horizonSteps());
    }
    run.config().forEach(b::describe);
    return b.build();
  }

  @Override
  public PopulationChoice choosePopulation(Original original, List<RecoveryRequest> runs) {
    if (populations.mode() == PopulationMode.NEVER) {
      return PopulationChoice.single("populations off (-D" + Populations.PROPERTY + "=never)");
    }
    if (original.spec().training().horizonSteps() > 0) {
      return PopulationChoice.single("recoveries train past their target (--past-target)");
    }
    Loaded l = load(original.spec());
    Optional<String> refused = PopulationModel.refusal(l.trained().model());
    if (refused.isPresent()) {
      return PopulationChoice.single(refused.get());
    }
    List<RecoveryRequest> eligible = runs.stream().filter(SameDiffStudyEngine::poolable)
        .toList();
    if (eligible.size() < 2) {
      return PopulationChoice.single(eligible.size() + " of " + runs.size()
          + " runs can share a population");
    }
    int k = Math.min(populations.size(), eligible.size());
    if (populations.mode() == PopulationMode.ALWAYS) {
      return new PopulationChoice(k, Double.NaN, true, "forced (ALWAYS)");
    }
    double ratio;
    try {
      ratio = calibrate(original, l, eligible.subList(0, k));
    } catch (RuntimeException e) {
      // a failed measurement must not fail the study: its runs go one at a time, as before
      return PopulationChoice.single("calibration failed (" + e + ")");
    }
    return new PopulationChoice(k, ratio, ratio > 1, String.format(java.util.Locale.ROOT,
        "measured on this original: %d single fast-path steps against %d population steps "
            + "of %d members, with one evaluation per %d steps, thread CPU time", k * populations.calibrationSteps(),
        populations.calibrationSteps(), k, original.spec().training().evalEvery()));
  }

  /** Runs a population can take: not the encoder swaps, no freeze schedule. */
  private static boolean poolable(RecoveryRequest r) {
    return !(r.target() instanceof WipeTarget.SwapEncoder)
        && r.policy().nextChangeAfter(0).isEmpty();
  }

  /**
   * K single recovery steps (each member a fresh {@link RecoveryStepper} over its own trainable
   * set, on batches of its own training order it has not seen: the fast path as a run meets
   * it) over K steps of one population of the same members, in this thread's CPU time, after
   * one untimed step each; each side charged one validation pass per {@code evalEvery} steps
   * (timed once, after an untimed one). Leaves the original as it was.
   */
  private double calibrate(Original original, Loaded l, List<RecoveryRequest> members) {
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    TrainingSettings t = original.spec().training();
    ReferenceModel model = l.trained().model();
    int steps = populations.calibrationSteps();
    List<List<String>> trainable = new ArrayList<>();
    List<List<Batch>> data = new ArrayList<>();
    AdamSettings adam = recoveryAdam(t, 1.0);
    try {
      for (RecoveryRequest r : members) {
        l.surgeon().freeze(r.policy(), r.target().layers(), 0);
        trainable.add(List.copyOf(l.surgeon().trainableVariables()));
        // kept: these batches are stepped on again below (trainingOrder frees each one)
        Iterator<Batch> order = keptOrder(l, t, Seeds.of(r.seed()).recoveryData());
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
          batches.add(order.next());
        }
        data.add(batches);
      }
      // steps, plus one evaluation per evalEvery steps (the steady schedule): a single run on
      // the fast path evaluates only above its cut, a population every member's whole graph
      double evaluationsPerStep = 1.0 / t.evalEvery();
      double single = 0;
      for (int m = 0; m < members.size(); m++) {
        try (RecoveryStepper stepper =
            RecoveryStepper.create(model.model(), trainable.get(m), adam)) {
          stepper.tryStep(data.get(m).get(0));
          // the activation cache keeps a batch from its second visit on: two passes fill it
          stepper.meanLoss(l.validation());
          stepper.meanLoss(l.validation());
          long c0 = cpu.getCurrentThreadCpuTime();
          for (int i = 1; i <= steps; i++) {
            stepper.tryStep(data.get(m).get(i));
          }
          single += cpu.getCurrentThreadCpuTime() - c0;
          c0 = cpu.getCurrentThreadCpuTime();
          stepper.meanLoss(l.validation());
          single += (cpu.getCurrentThreadCpuTime() - c0) * evaluationsPerStep * steps;
        }
        l.surgeon().restore(l.weights());
      }
      List<Map<String, org.nd4j.linalg.api.ndarray.INDArray>> weights = new ArrayList<>();
      for (int m = 0; m < members.size(); m++) {
        weights.add(model.weights());
      }
      PopulationStepper population = new PopulationStepper(PopulationModel.stack(model, weights),
          trainable, adam);
      population.step(round(data, 0));
      evaluate(population.model(), l.validation());
      long c0 = cpu.getCurrentThreadCpuTime();
      for (int i = 1; i <= steps; i++) {
        population.step(round(data, i));
      }
      double pop = cpu.getCurrentThreadCpuTime() - c0;
      c0 = cpu.getCurrentThreadCpuTime();
      evaluate(population.model(), l.validation());
      pop += (cpu.getCurrentThreadCpuTime() - c0) * evaluationsPerStep * steps;
      population.close();
      data.forEach(batches -> batches.forEach(Batch::free));
      return single / Math.max(1, pop);
    } finally {
      l.surgeon().restore(l.weights());
    }
  }

  /** Every member's loss on every validation batch, as a population recovery evaluates. */
  private static void evaluate(PopulationModel population, List<Batch> validation) {
    for (Batch b : validation) {
      population.memberLosses(java.util.Collections.nCopies(population.members(), b));
    }
  }

  private static List<Batch> round(List<List<Batch>> data, int i) {
    List<Batch> out = new ArrayList<>();
    for (List<Batch> d : data) {
      out.add(d.get(i));
    }
    return out;
  }

  @Override
  public void recoverAll(Original original, List<RecoveryRequest> requests,
      RecoveryListener listener, java.util.function.BiConsumer<Integer, RecoveryResult> decided) {
    Loaded l = load(original.spec());
    boolean model = PopulationModel.refusal(l.trained().model()).isEmpty();
    // one population per recovery rate (one Adam setting per population); the rest singly
    Map<Double, List<Integer>> byRate = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      RecoveryRequest r = requests.get(i);
      if (model && poolable(r)) {
        byRate.computeIfAbsent(r.lrMultiple(), x -> new ArrayList<>()).add(i);
      } else {
        decided.accept(i, recover(original, r, listener));
      }
    }
    for (List<Integer> group : byRate.values()) {
      if (group.size() == 1) {
        decided.accept(group.get(0), recover(original, requests.get(group.get(0)), listener));
        continue;
      }
      List<PopulationRecovery.Member> members = new ArrayList<>();
      List<Seeds> seeds = new ArrayList<>();
      for (int i : group) {
        RecoveryRequest r = requests.get(i);
        Run run = prepare(original, l, r, listener);
        seeds.add(run.seeds());
        members.add(new PopulationRecovery.Member(recovery(l, r, run), run.training()));
      }
      try {
        PopulationRecovery.run(l.trained().model(), l.surgeon(), members, l.validation(),
            PopulationRecovery.Shrink.AT_HALF,
            (m, result) -> decided.accept(group.get(m), withSeeds(result, seeds.get(m))));
      } finally {
        l.surgeon().restore(l.weights());
        l.releaseSessions();
      }
    }
  }

  /** The manifest key of the task's Bayes-optimal loss, nats per predicted token. */
  static final String LOSS_FLOOR = "loss_floor";
  /**
   * The manifest key of a text original's like-for-like reference: the validation loss
   * (nats/char) of the best add-k character n-gram of order 1–5 counted on exactly its
   * training windows ({@link CharNgram#best}); {@code ngram_reference_model} names it.
   */
  static final String NGRAM_REFERENCE = "ngram_reference";
  private static final Map<String, CharNgram.Choice> NGRAM_REFERENCES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The like-for-like n-gram reference of a text original (empty for other tasks), computed
   * once per original: every window it trained on is counted, so a model that does not beat
   * this has not learned more than counting its own training characters would.
   */
  static Optional<CharNgram.Choice> textReference(OriginalSpec spec, Split split) {
    if (spec.training().task() != dev.ablation.study.plan.Task.TEXT) {
      return Optional.empty();
    }
    return Optional.of(NGRAM_REFERENCES.computeIfAbsent(spec.contentHash(),
        k -> CharNgram.best(split.train(), split.validation(), EuroparlText.VOCAB)));
  }

  /**
   * The manifest key of the text reference beside the like-for-like one: the add-0.1
   * character 4-gram counted on the corpus's whole training part ({@link
   * EuroparlText#ngramLoss}), scored on the original's validation windows: what counting far
   * more characters than the original saw would give.
   */
  static final String NGRAM_WHOLE_REFERENCE = "ngram_whole_4gram";
  private static final Map<String, Double> WHOLE_REFERENCES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** {@link #NGRAM_WHOLE_REFERENCE} of a text original (empty for other tasks), once each. */
  static OptionalDouble wholeTextReference(OriginalSpec spec, Split split) {
    if (spec.training().task() != dev.ablation.study.plan.Task.TEXT) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(WHOLE_REFERENCES.computeIfAbsent(spec.contentHash(),
        k -> EuroparlText.load().ngramLoss(4, split.validation())));
  }

  private static final java.util.concurrent.ConcurrentMap<String, OptionalDouble> FLOORS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The Bayes-optimal loss of {@code spec}'s task at its string length (empty where none is
   * known: natural text, encoder-only models), computed once per task and length: the
   * in-context bigram's is an average over 20,000 strings, too dear to repeat for every run.
   * A language's floor is a causal LM's (tokens 1..T of a T+1 string); a
   * sequence-to-sequence task's is an encoder-decoder's (every target token of a source of
   * {@code seqLen} tokens), which is what {@link Corpus#lossFloor} gives for a pair corpus.
   */
  static OptionalDouble lossFloor(OriginalSpec spec) {
    TrainingSettings t = spec.training();
    int length = length(spec);
    if (t.task() == dev.ablation.study.plan.Task.TEXT
        || spec.model().arch() == Architecture.ENCODER_ONLY) {
      // text has no known floor (and loading it is not free); a masked LM's is no corpus's
      return OptionalDouble.empty();
    }
    return FLOORS.computeIfAbsent(t.task() + "/" + t.vocab() + "/" + length + "/"
        + spec.model().arch(), k -> corpus(t).lossFloor(length));
  }

  private static final System.Logger LOG = System.getLogger(SameDiffStudyEngine.class.getName());
  /** At most one progress line per original per this many nanoseconds. */
  private static final long PROGRESS_EVERY_NANOS = 60_000_000_000L;

  /**
   * A line in the log at most once a minute while an original trains (its step, of how many
   * when the length is fixed, and its validation loss): an original of the larger shapes trains
   * for tens of minutes, and nothing else shows it is alive.
   */
  private static java.util.function.Consumer<dev.ablation.samediff.train.ValidationPoint>
      trainingProgress(OriginalSpec spec) {
    long[] last = {System.nanoTime()};
    long fixed = spec.training().convergence().fixedSteps();
    String of = fixed > 0 ? " of " + fixed : "";
    return p -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY_NANOS) {
        last[0] = now;
        LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
            "original %s seed %d: step %d%s, validation loss %.4f", spec.model(), spec.seed(),
            p.step(), of, p.validationLoss()));
      }
    };
  }

  /** What {@link #recover} gives one run: its seeds, settings, optimiser, data and manifest. */
  private record Run(Seeds seeds, RecoverySettings settings, AdamSettings adam,
      Map<String, String> config, Iterator<Batch> training) {}

  private Run prepare(Original original, Loaded l, RecoveryRequest request,
      RecoveryListener listener) {
    TrainingSettings t = original.spec().training();
    Seeds seeds = Seeds.of(request.seed());
    RecoverySettings settings = new RecoverySettings(t.criterion(original.lossSd()),
        t.recoveryBudget(), original.reference(), t.schedule(), listener, t.horizonSteps());
    AdamSettings adam = recoveryAdam(t, request.lrMultiple());
    Map<String, String> config = new LinkedHashMap<>(original.spec().configuration());
    config.put("target", request.target().label());
    config.put("recovery_lr_multiple", Double.toString(request.lrMultiple()));
    config.put("loss_original_sd", Double.toString(original.lossSd()));
    // the task's Bayes-optimal loss where it is known: the report draws it under the originals
    lossFloor(original.spec()).ifPresent(f -> config.put(LOSS_FLOOR, Double.toString(f)));
    // natural text has no floor: the like-for-like n-gram of its training windows instead
    textReference(original.spec(), l.split()).ifPresent(c -> {
      config.put(NGRAM_REFERENCE, Double.toString(c.validationLoss()));
      config.put(NGRAM_REFERENCE + "_model", c.order() + "-gram, add-" + c.k());
    });
    wholeTextReference(original.spec(), l.split())
        .ifPresent(w -> config.put(NGRAM_WHOLE_REFERENCE, Double.toString(w)));
    return new Run(seeds, settings, adam, config, trainingOrder(l, t, seeds.recoveryData()));
  }

  /** {@code r} with every seed stream of the run in its manifest. */
  private static RecoveryResult withSeeds(RecoveryResult r, Seeds seeds) {
    RunManifest m = r.manifest();
    RunSeeds all = m.seeds();
    for (Map.Entry<SeedStream, Long> e : RunSeeds.of(seeds).values().entrySet()) {
      all = all.with(e.getKey(), e.getValue());
    }
    RunManifest with = new RunManifest(m.schema(), m.library(), m.configuration(), all,
        m.environment(), m.gitCommit());
    return r.withManifest(with);
  }

  /**
   * The aside's encoder swaps: an encoder of another width with a new projection, the trained
   * decoder copied in. {@code FRESH}: the encoder is freshly initialised and the encoder, the
   * projection and every (wiped) cross-attention retrain. {@code TRAINED}: the encoder comes
   * from an original of that width trained on the same task and seed (trained, or loaded from
   * the cache, like any original) and stays frozen; the projection and the wiped
   * cross-attention retrain. {@code STITCHED}: the same trained encoder, the original
   * cross-attention kept, only the projection retrains.
   */
  private RecoveryResult swapEncoder(Original original, Loaded l, WipeTarget.SwapEncoder swap,
      RecoveryRequest request, RecoverySettings settings, AdamSettings adam,
      Iterator<Batch> training, Map<String, String> config, Seeds seeds) {
    TransformerConfig oc = l.trained().model().config();
    int heads = oc.encoderHeads();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> donor = Map.of();
    TransformerConfig nc;
    if (swap.source() == WipeTarget.EncoderSource.FRESH) {
      nc = oc.withEncoder(oc.encoderLayers(), swap.width(), heads, 4 * swap.width())
          .withSeed(Seeds.derive(seeds.wipe(), "encoder"));
    } else {
      ModelSpec m = original.spec().model();
      OriginalSpec donorSpec = new OriginalSpec(new ModelSpec(m.arch(), m.nLayers(),
          swap.width(), m.nHeads()), original.spec().training(), original.spec().seed());
      TransformerConfig dc = load(donorSpec).trained().model().config();
      donor = load(donorSpec).trained().model().weights();
      nc = oc.withEncoder(dc.encoderLayers(), dc.encoderDModel(), dc.encoderHeads(),
          dc.encoderDFf()).withSeed(Seeds.derive(seeds.wipe(), "encoder"));
      config.put("encoder_donor", donorSpec.contentHash());
    }
    ReferenceModel fresh = ReferenceModel.build(nc);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(fresh.model());
    List<LayerPath> encoderSide = new ArrayList<>();
    List<LayerPath> crossAttention = new ArrayList<>();
    LayerPath projection = null;
    for (var layer : surgeon.layout().layers()) {
      LayerPath p = layer.path();
      // by type and path segments, never by name text: the encoder is what the target's
      // paths hold, the projection the OTHER layer outside it, cross-attention the SUBLAYERs
      // whose last segment is cross_attn (every block has sublayers: attn, mlp, ln1, …)
      if (swap.layers().stream().anyMatch(e -> e.contains(p))) {
        encoderSide.add(p);
      } else if (layer.kind() == LayerKind.OTHER) {
        projection = p;
      } else if (layer.kind() == LayerKind.SUBLAYER
          && p.segments().get(p.segments().size() - 1).equals("cross_attn")) {
        crossAttention.add(p);
      }
    }
    if (projection == null) {
      throw new IllegalStateException("the swapped model has no projection layer 'proj'; "
          + "its encoder width " + swap.width() + " equals the decoder's?");
    }
    // the trained decoder (and, unless stitched, no cross-attention) from the original; the
    // encoder from the donor when there is one; the projection stays fresh
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> trained = l.trained().model().weights();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> copy = new LinkedHashMap<>(fresh.weights());
    boolean keepCross = swap.source() == WipeTarget.EncoderSource.STITCHED;
    for (ParameterPath p : surgeon.layout().parameterPaths()) {
      String v = fresh.layers().variable(p);
      boolean encoder = encoderSide.stream().anyMatch(w -> w.contains(p));
      boolean cross = crossAttention.stream().anyMatch(w -> w.contains(p));
      Map<String, org.nd4j.linalg.api.ndarray.INDArray> from = encoder ? donor
          : projection.contains(p) || (cross && !keepCross) ? Map.of() : trained;
      if (from.containsKey(v) && java.util.Arrays.equals(from.get(v).shape(), copy.get(v).shape())) {
        copy.put(v, from.get(v));
      } else if (encoder && !donor.isEmpty()) {
        throw new IllegalStateException("the donor encoder has no parameter " + v
            + " of shape " + java.util.Arrays.toString(copy.get(v).shape()));
      }
    }
    fresh.setWeights(copy);
    if (!keepCross) {
      surgeon.wipe(crossAttention, request.scheme(), seeds.wipe());
    }
    List<LayerPath> retrained = new ArrayList<>();
    retrained.add(projection);
    if (!keepCross) {
      retrained.addAll(crossAttention);
    }
    if (swap.source() == WipeTarget.EncoderSource.FRESH) {
      retrained.addAll(encoderSide);
    }
    LossEvaluator.Evaluation after;
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.DAMAGE)) {
      after = new LossEvaluator(fresh.model()).evaluate(l.validation());
    }
    Damage damage = new Damage(original.lossOriginal(), after.loss(), OptionalDouble.empty(),
        Optional.of(LossEvaluator.fidelity(l.evaluation(), after)));
    config.put("encoder_d_model", Integer.toString(swap.width()));
    config.put("encoder_source", swap.source().name());
    RunManifest manifest = RunManifest.of(config, RunSeeds.of(seeds), SameDiffEnvironment.current());
    return RecoveryLoop.retrain(fresh.model(), damage, retrained, request.policy(),
        settings, adam, training, l.validation(), Optional.of(l.evaluation()), manifest);
  }

  @Override
  public OptionalLong scratchExamples(Original original) {
    Loaded l = load(original.spec());
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.SCRATCH)) {
      return scratchExamples(original, l);
    }
  }

  private OptionalLong scratchExamples(Original original, Loaded l) {
    TrainingSettings t = original.spec().training();
    long master = original.spec().seed();
    ReferenceModel fresh = ReferenceModel.build(l.trained().model().config()
        .withSeed(Seeds.derive(master, "scratch_init")));
    RecoverySettings settings = RecoverySettings.of(t.criterion(original.lossSd()),
        t.scratchBudget(), original.reference(), t.schedule());
    RecoveryResult r = RecoveryLoop.fromScratch(fresh.model(), original.lossOriginal(),
        settings, originalAdam(t), trainingOrder(l, t, Seeds.derive(master, "scratch_data")), l.validation(),
        original.spec().configuration());
    return r.recoveredAt().map(s -> OptionalLong.of(s.examples())).orElse(OptionalLong.empty());
  }

  /**
   * Strings per validation batch: the training batch size. A validation pass then has the
   * shapes of a training step, so a graph session's array cache serves both from one set of
   * arrays; at 256 strings per batch each evaluation would hold a second set eight times a
   * step's size (0.5 GB more resident on two workers at N = 8, D = 128, measured). The loss is
   * the same token-weighted mean over the same 256 strings; only its float rounding differs
   * (sixth significant digit).
   */
  static int evaluationBatch(TrainingSettings t) {
    return t.batchSize();
  }

  /** How an original of settings {@code t} is trained; its shuffle seed is {@code dataSeed}. */
  static TrainingPlan originalPlan(TrainingSettings t, long dataSeed) {
    TrainingSettings.Convergence c = t.convergence();
    TrainingPlan plan = new TrainingPlan(c.maxEpochs(), t.batchSize(), originalAdam(t),
        c.evalEvery(), evaluationBatch(t), dataSeed)
        .until(new Convergence(c.window(), c.delta()));
    return c.isFixedLength() ? plan.forSteps(c.fixedSteps()) : plan;
  }

  /**
   * The original's optimiser (also {@code T_scratch}'s: a fresh model trained as one): warm-up,
   * then inverse-sqrt decay, or, for a fixed length, linear decay to 0 over that length.
   */
  static AdamSettings originalAdam(TrainingSettings t) {
    TrainingSettings.Optimiser o = t.optimiser();
    TrainingSettings.Convergence c = t.convergence();
    return AdamSettings.of(o.peakRate()).withSchedule(c.isFixedLength()
        ? LrSchedule.warmupLinearDecay(o.warmupSteps(), c.fixedSteps())
        : LrSchedule.warmupInverseSqrt(o.warmupSteps()));
  }

  /** A recovery's fresh optimiser at {@code multiple} of the original's peak rate. */
  static AdamSettings recoveryAdam(TrainingSettings t, double multiple) {
    return AdamSettings.of(t.recoveryRate(multiple))
        .withSchedule(LrSchedule.warmup(t.optimiser().recoveryWarmup()));
  }

  private static Iterator<Batch> trainingOrder(Loaded l, TrainingSettings t, long seed) {
    return new FreeingIterator(keptOrder(l, t, seed));
  }

  /** The same order as {@link #trainingOrder}, each batch left to its user. */
  private static Iterator<Batch> keptOrder(Loaded l, TrainingSettings t, long seed) {
    ReferenceBatches batcher = ReferenceBatches.of(l.trained().model());
    return new BatchIterator(l.split().train(), t.batchSize(), seed, Integer.MAX_VALUE,
        batcher::batch);
  }

  /**
   * Frees each batch when the next one is asked for: a recovery step is over by then, and the
   * batch was drawn for that step alone (its off-heap arrays go back when its step ends, not
   * at some later garbage collection).
   */
  private static final class FreeingIterator implements Iterator<Batch> {
    private final Iterator<Batch> batches;
    private Batch last;

    FreeingIterator(Iterator<Batch> batches) {
      this.batches = batches;
    }

    @Override
    public boolean hasNext() {
      return batches.hasNext();
    }

    @Override
    public Batch next() {
      if (last != null) {
        last.free();
      }
      last = batches.next();
      return last;
    }
  }

  /** The model of shape {@code m} for a corpus of {@code vocab} tokens (plus a mask token for encoder-only). */
  static TransformerConfig config(ModelSpec m, int vocab, TrainingSettings t, long seed) {
    return switch (m.arch()) {
      case DECODER_ONLY -> TransformerConfig.decoderOnly(m.nLayers(), m.dModel(), m.nHeads(),
          vocab, t.seqLen(), seed);
      case ENCODER_ONLY -> TransformerConfig.encoderOnly(m.nLayers(), m.dModel(), m.nHeads(),
          vocab + 1, t.seqLen(), seed);
      case ENCODER_DECODER -> TransformerConfig.encoderDecoder(m.nLayers(), m.nLayers(),
          m.dModel(), m.nHeads(), vocab, t.seqLen(), seed);
    };
  }

  /**
   * The corpus of {@code t.task()} ({@code docs/tasks.md}): every language is fixed by
   * {@link #LANGUAGE_SEED}, so every original of a study learns the same task.
   */
  public static Corpus corpus(TrainingSettings t) {
    int v = t.vocab();
    return switch (t.task()) {
      case MARKOV -> new MarkovChain(v, 2, SHARPNESS, LANGUAGE_SEED);
      case BIGRAM -> new InContextBigram(v, BIGRAM_ALPHA);
      case HOPS -> new HopRecall(v, HOPS);
      case TEXT -> EuroparlText.load();
      case DYCK -> new DyckLanguage(Math.max(1, v / 2), DYCK_DEPTH, DYCK_OPEN);
      case REVERSE -> new Seq2SeqTask(Seq2SeqTask.Kind.REVERSE, v - 1, LANGUAGE_SEED);
      case TRANSLATE -> Seq2SeqTask.translating(
          new MarkovChain((v - 1) / 2, 1, SHARPNESS, LANGUAGE_SEED), LANGUAGE_SEED);
      case LOOSE -> new LooseTranslation((v - 1) / 2, LOOSENESS, SHARPNESS, LANGUAGE_SEED);
    };
  }

  private static int length(OriginalSpec spec) {
    // a causal LM of context T predicts T tokens of a T+1 string; the others fill the context
    return spec.model().arch() == Architecture.DECODER_ONLY ? spec.training().seqLen() + 1
        : spec.training().seqLen();
  }

  /** ND4J's version, its backend and which native build of it is on the class path. */
  @Override
  public Map<String, String> build() {
    return Map.of("nd4j", SameDiffEnvironment.nd4jVersion(),
        "nd4j_backend", org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName(),
        "native_build", SameDiffEnvironment.nativeBuild());
  }

  @Override
  public void close() {
    originals.values().forEach(Loaded::release);
    originals.clear();
  }
}
