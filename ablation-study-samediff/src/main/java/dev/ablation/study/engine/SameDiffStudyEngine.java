package dev.ablation.study.engine;

import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.CpuAccount;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.model.PopulationModel;
import dev.ablation.samediff.recovery.PopulationRecovery;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.recovery.RecoveryBuilder;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.OriginalTrainer;
import dev.ablation.samediff.train.TrainedOriginal;
import dev.ablation.samediff.train.TrainingPlan;
import dev.ablation.samediff.train.ValidationPoint;
import dev.ablation.study.store.OriginalRecord;
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
import java.util.OptionalLong;

/**
 * The study's engine on SameDiff: reference transformers trained on the task of the plan
 * ({@link #corpus}: synthetic languages whose loss floor is known, or Europarl characters with
 * a measured n-gram reference), wiped and retrained through {@link Recovery#builder} (the
 * encoder swaps and {@code T_scratch}, which no {@code Recovery} expresses, through the
 * internal {@link RecoveryLoop}).
 *
 * <p>Data: every synthetic language is fixed by {@link #TaskCorpora.LANGUAGE_SEED}, so all originals of a
 * study learn the same one; decoder-only and encoder-only models learn the language tasks,
 * encoder-decoders the sequence-to-sequence ones (docs/tasks.md). The study's master seed reaches nothing directly: {@link Seeds} splits it
 * into the original's init, the original's data (which strings, and their order), the
 * recovery's data order and the wipe's draw, all written to every run's manifest.
 * Originals are cached under the study's directory by content hash, so a resumed study reuses
 * them.
 */
public final class SameDiffStudyEngine implements StudyEngine {
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

  @Override
  public OriginalRecord original(OriginalSpec spec) {
    Loaded l = load(spec);
    List<CurvePoint> curve = new ArrayList<>();
    for (ValidationPoint p : l.trained().curve()) {
      curve.add(new CurvePoint(p.step(), p.examples(), p.tokens(), p.validationLoss(),
          Double.NaN));
    }
    return new OriginalRecord(spec, l.trained().lossStar(), l.trained().budget(),
        l.surgeon().layout().paths(), l.trained().lossSd(), curve);
  }

  private Loaded load(OriginalSpec spec) {
    String key = spec.contentHash();
    Loaded l = originals.get(key);
    if (l != null) {
      return l;
    }
    TrainingSettings t = spec.training();
    Seeds seeds = Seeds.derivedFrom(spec.seed());
    Corpus corpus = TaskCorpora.corpus(t);
    TransformerConfig config =
        TaskCorpora.config(spec.model(), corpus.vocab(), t, seeds.originalInit());
    // which strings the original sees is part of its data: a sub-stream of original_data
    Split split = corpus.split(Math.toIntExact(t.strings()), VALIDATION_STRINGS, TaskCorpora.length(spec),
        Seeds.derive(seeds.originalData(), "strings"));
    TrainingPlan plan = Recipes.originalPlan(t, seeds.originalData());
    TrainedOriginal trained;
    try {
      // always the saved copy, also right after training it: every worker (and a resumed
      // study) then starts its runs from the same loaded graph, whoever trained it
      OriginalTrainer.trainOrLoad(cacheDir, config, plan, split, Recipes.trainingProgress(spec));
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
        Recipes.evaluationBatch(t));
    l = new Loaded(trained, surgeon, surgeon.snapshot(), split, validation,
        new LossEvaluator(model.model()).evaluate(validation));
    originals.put(key, l);
    return l;
  }

  @Override
  public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
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
  RecoveryResult recoverOn(OriginalRecord original, RecoveryRequest request,
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

  private RecoveryResult recoverLoaded(OriginalRecord original, Loaded l, RecoveryRequest request,
      RecoveryListener listener) {
    Run run = prepare(original, l, request, listener);
    Seeds seeds = run.seeds();
    RecoverySettings settings = run.settings();
    AdamSettings adam = run.adam();
    Map<String, String> config = run.config();
    Iterator<Batch> training = run.training();
    if (request.target() instanceof WipeTarget.SwapEncoder swap) {
      return withSeeds(EncoderSwap.run(original, l, swap, request, settings, adam, training, config,
          seeds, this::load), seeds);
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
    RecoveryBuilder b = Recovery.builder(l.surgeon())
        .wipe(request.target().layers(), request.scheme())
        .freeze(request.policy())
        .seeds(run.seeds())
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
  public PopulationChoice choosePopulation(OriginalRecord original, List<RecoveryRequest> runs) {
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
    List<RecoveryRequest> eligible = runs.stream().filter(PopulationCalibration::poolable)
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
      ratio = PopulationCalibration.calibrate(populations.calibrationSteps(), original, l, eligible.subList(0, k));
    } catch (RuntimeException e) {
      // a failed measurement must not fail the study: its runs go one at a time, as before
      return PopulationChoice.single("calibration failed (" + e + ")");
    }
    return new PopulationChoice(k, ratio, ratio > 1, String.format(java.util.Locale.ROOT,
        "measured on this original: %d single fast-path steps against %d population steps "
            + "of %d members, with one evaluation per %d steps, thread CPU time", k * populations.calibrationSteps(),
        populations.calibrationSteps(), k, original.spec().training().evalEvery()));
  }

  @Override
  public void recoverAll(OriginalRecord original, List<RecoveryRequest> requests,
      RecoveryListener listener, java.util.function.BiConsumer<Integer, RecoveryResult> decided) {
    Loaded l = load(original.spec());
    boolean model = PopulationModel.refusal(l.trained().model()).isEmpty();
    // one population per recovery rate (one Adam setting per population); the rest singly
    Map<Double, List<Integer>> byRate = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      RecoveryRequest r = requests.get(i);
      if (model && PopulationCalibration.poolable(r)) {
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
        Recovery.runTogether(l.trained().model(), members, l.validation(),
            PopulationRecovery.Shrink.AT_HALF,
            (m, result) -> decided.accept(group.get(m), withSeeds(result, seeds.get(m))));
      } finally {
        l.surgeon().restore(l.weights());
        l.releaseSessions();
      }
    }
  }

  /** What {@link #recover} gives one run: its seeds, settings, optimiser, data and manifest. */
  private record Run(Seeds seeds, RecoverySettings settings, AdamSettings adam,
      Map<String, String> config, Iterator<Batch> training) {}

  private Run prepare(OriginalRecord original, Loaded l, RecoveryRequest request,
      RecoveryListener listener) {
    TrainingSettings t = original.spec().training();
    Seeds seeds = Seeds.derivedFrom(request.seed());
    RecoverySettings settings = new RecoverySettings(t.criterion(original.lossSd()),
        t.recoveryBudget(), original.reference(), t.schedule(), listener, t.horizonSteps());
    AdamSettings adam = Recipes.recoveryAdam(t, request.lrMultiple());
    Map<String, String> config = new LinkedHashMap<>(original.spec().configuration());
    config.put("target", request.target().label());
    config.put("recovery_lr_multiple", Double.toString(request.lrMultiple()));
    config.put("loss_original_sd", Double.toString(original.lossSd()));
    // the task's Bayes-optimal loss where it is known: the report draws it under the originals
    References.lossFloor(original.spec()).ifPresent(f -> config.put(References.LOSS_FLOOR, Double.toString(f)));
    // natural text has no floor: the like-for-like n-gram of its training windows instead
    References.textReference(original.spec(), l.split()).ifPresent(c -> {
      config.put(References.NGRAM_REFERENCE, Double.toString(c.validationLoss()));
      config.put(References.NGRAM_REFERENCE + "_model", c.order() + "-gram, add-" + c.k());
    });
    References.wholeTextReference(original.spec(), l.split())
        .ifPresent(w -> config.put(References.NGRAM_WHOLE_REFERENCE, Double.toString(w)));
    return new Run(seeds, settings, adam, config, Recipes.trainingOrder(l, t, seeds.recoveryData()));
  }

  /** {@code r} with every seed stream of the run in its manifest. */
  private static RecoveryResult withSeeds(RecoveryResult r, Seeds seeds) {
    RunManifest m = r.manifest();
    RunManifest with = new RunManifest(m.schema(), m.library(), m.configuration(),
        m.seeds().with(seeds),
        m.environment(), m.gitCommit());
    return r.withManifest(with);
  }

  @Override
  public OptionalLong scratchExamples(OriginalRecord original) {
    Loaded l = load(original.spec());
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.SCRATCH)) {
      return scratchExamples(original, l);
    }
  }

  private OptionalLong scratchExamples(OriginalRecord original, Loaded l) {
    TrainingSettings t = original.spec().training();
    long master = original.spec().seed();
    ReferenceModel fresh = ReferenceModel.build(l.trained().model().config()
        .withSeed(Seeds.derive(master, "scratch_init")));
    RecoverySettings settings = RecoverySettings.of(t.criterion(original.lossSd()),
        t.scratchBudget(), original.reference(), t.schedule());
    RecoveryBuilder b = Recovery.builder(fresh.model())
        .fromScratch()
        .referenceLoss(original.lossOriginal())
        .target(settings.criterion(), settings.reference())
        .budget(settings.budget())
        .evaluate(settings.schedule())
        .optimiser(Recipes.originalAdam(t));
    original.spec().configuration().forEach(b::describe);
    RecoveryResult r = b.build().run(
        Recipes.trainingOrder(l, t, Seeds.derive(master, "scratch_data")), l.validation());
    return r.recoveredAt().map(s -> OptionalLong.of(s.examples())).orElse(OptionalLong.empty());
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
