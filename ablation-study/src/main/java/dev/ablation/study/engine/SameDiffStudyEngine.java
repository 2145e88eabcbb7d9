package dev.ablation.study.engine;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.Seeds;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.RunSeeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.study.Arch;
import dev.ablation.study.ModelSpec;
import dev.ablation.study.Original;
import dev.ablation.study.OriginalSpec;
import dev.ablation.study.RecoveryRequest;
import dev.ablation.study.StudyEngine;
import dev.ablation.study.TrainingSettings;
import dev.ablation.study.WipeTarget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.data.BatchIterator;
import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Seq2SeqTask;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.recovery.SameDiffRecovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.Convergence;
import dev.ablation.samediff.train.LrSchedule;
import dev.ablation.samediff.train.ValidationPoint;
import dev.ablation.samediff.train.OriginalTrainer;
import dev.ablation.samediff.train.TrainedOriginal;
import dev.ablation.samediff.train.TrainingPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The study's engine on SameDiff: reference transformers trained on synthetic corpora whose
 * loss floor is known, wiped and retrained by {@link SameDiffRecovery}.
 *
 * <p>Data: decoder-only and encoder-only models learn an order-2 Markov chain over the
 * vocabulary (the language is fixed by {@link #LANGUAGE_SEED}); encoder-decoders learn to
 * reverse strings. The study's master seed reaches nothing directly: {@link Seeds} splits it
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
  private static final int VALIDATION_STRINGS = 256;
  private static final int EVAL_BATCH = 256;

  private final Path cacheDir;
  private final Map<String, Loaded> originals = new HashMap<>();

  /**
   * An engine caching originals under {@code cacheDir}, for the calling thread: it limits that
   * thread to one native thread ({@link NativeThreads}), so use it from the thread that opened
   * it (a study opens one engine per worker, on the worker's thread).
   */
  public SameDiffStudyEngine(Path cacheDir) {
    this.cacheDir = cacheDir;
    NativeThreads.useOneOnThisThread();
  }

  /** One original in memory: the model (kept at its trained weights between runs) and its data. */
  private record Loaded(TrainedOriginal trained, SameDiffSurgeon surgeon, WeightSnapshot weights,
      Split split, List<Batch> validation, StepZeroDamage.Evaluation evaluation) {}

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
    TransformerConfig config = config(spec.model(), t, seeds.originalInit());
    Corpus corpus = corpus(spec.model().arch(), t);
    // which strings the original sees is part of its data: a sub-stream of original_data
    Split split = corpus.split(Math.toIntExact(t.strings()), VALIDATION_STRINGS, length(spec),
        Seeds.derive(seeds.originalData(), "strings"));
    TrainingPlan plan = new TrainingPlan(t.epochs(), t.batchSize(),
        AdamSettings.of(t.learningRate()).withSchedule(
            LrSchedule.warmupInverseSqrt(t.warmupSteps())),
        t.originalEvalEvery(), EVAL_BATCH, seeds.originalData())
        .until(new Convergence(t.convergenceWindow(), t.convergenceDelta()));
    TrainedOriginal trained;
    try {
      // always the saved copy, also right after training it: every worker (and a resumed
      // study) then starts its runs from the same loaded graph, whoever trained it
      OriginalTrainer.trainOrLoad(cacheDir, config, plan, split, p -> { });
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
    List<Batch> validation = model.batches(split.validation(), EVAL_BATCH);
    l = new Loaded(trained, surgeon, surgeon.snapshot(), split, validation,
        StepZeroDamage.evaluate(model.model(), validation));
    originals.put(key, l);
    return l;
  }

  @Override
  public RecoveryResult recover(Original original, RecoveryRequest request,
      RecoveryListener listener) {
    Loaded l = load(original.spec());
    TrainingSettings t = original.spec().training();
    Seeds seeds = Seeds.of(request.seed());
    RecoverySettings settings = new RecoverySettings(t.criterion(original.lossSd()),
        t.recoveryBudget(), original.reference(), t.schedule(), listener);
    AdamSettings adam = AdamSettings.of(t.recoveryRate(request.lrMultiple()))
        .withSchedule(LrSchedule.warmup(t.recoveryWarmup()));
    Map<String, String> config = new LinkedHashMap<>(original.spec().configuration());
    config.put("target", request.target().label());
    config.put("recovery_lr_multiple", Double.toString(request.lrMultiple()));
    config.put("loss_original_sd", Double.toString(original.lossSd()));
    Iterator<Batch> training = trainingOrder(l, t, seeds.recoveryData());
    if (request.target() instanceof WipeTarget.SwapEncoder swap) {
      return withSeeds(swapEncoder(original, l, swap, request, settings, adam, training, config,
          seeds), seeds);
    }
    try {
      return withSeeds(SameDiffRecovery.run(l.surgeon(), new SameDiffRecovery.Plan(
              request.target().layers(), request.scheme(), request.policy(), seeds.wipe(),
              settings, adam),
          training, l.validation(), config), seeds);
    } finally {
      l.surgeon().restore(l.weights());
    }
  }

  /** {@code r} with every seed stream of the run in its manifest. */
  private static RecoveryResult withSeeds(RecoveryResult r, Seeds seeds) {
    RunManifest m = r.manifest();
    RunSeeds all = m.seeds();
    for (Map.Entry<SeedStream, Long> e : seeds.runSeeds().values().entrySet()) {
      all = all.with(e.getKey(), e.getValue());
    }
    RunManifest with = new RunManifest(m.schema(), m.library(), m.configuration(), all,
        m.environment(), m.gitCommit());
    return new RecoveryResult(r.verdict(), r.budgetCap(), r.damage(), r.targetLoss(), r.curve(),
        r.recoveredAt(), r.spent(), r.reference(), r.lossFinal(), r.divergence(),
        r.finalFidelity(), with);
  }

  /**
   * The aside's experiment (c): a fresh encoder of another width with a new projection, the
   * trained decoder copied in, every cross-attention re-initialised by the request's scheme.
   * The encoder, the projection and the cross-attention are the "wiped" layers.
   */
  private RecoveryResult swapEncoder(Original original, Loaded l, WipeTarget.SwapEncoder swap,
      RecoveryRequest request, RecoverySettings settings, AdamSettings adam,
      Iterator<Batch> training, Map<String, String> config, Seeds seeds) {
    TransformerConfig oc = l.trained().model().config();
    int heads = oc.encoderHeads();
    TransformerConfig nc = oc.withEncoder(oc.encoderLayers(), swap.width(), heads,
        4 * swap.width()).withSeed(Seeds.derive(seeds.wipe(), "encoder"));
    ReferenceModel fresh = ReferenceModel.build(nc);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(fresh.model());
    // wiped: the encoder (every layer under the target's paths), what lies between encoder and
    // decoder (OTHER: the projection) and every cross-attention (the SUBLAYERs)
    List<LayerPath> wiped = new ArrayList<>();
    List<LayerPath> crossAttention = new ArrayList<>();
    for (var layer : surgeon.layout().layers()) {
      LayerPath p = layer.path();
      boolean encoderSide = swap.layers().stream().anyMatch(e -> e.contains(p))
          || layer.kind() == LayerKind.OTHER;
      boolean crossAttn = layer.kind() == LayerKind.SUBLAYER;
      if (encoderSide || crossAttn) {
        wiped.add(p);
      }
      if (crossAttn) {
        crossAttention.add(p);
      }
    }
    // copy every trained decoder-side parameter that is not wiped
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> trained = l.trained().model().weights();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> copy = new LinkedHashMap<>(fresh.weights());
    for (ParameterPath p : surgeon.layout().parameterPaths()) {
      boolean isWiped = wiped.stream().anyMatch(w -> w.contains(p));
      String v = fresh.layers().variable(p);
      if (!isWiped && trained.containsKey(v)
          && java.util.Arrays.equals(trained.get(v).shape(), copy.get(v).shape())) {
        copy.put(v, trained.get(v));
      }
    }
    fresh.setWeights(copy);
    surgeon.wipe(crossAttention, request.scheme(), seeds.wipe());
    StepZeroDamage.Evaluation after = StepZeroDamage.evaluate(fresh.model(), l.validation());
    Damage damage = new Damage(original.lossOriginal(), after.loss(), OptionalDouble.empty(),
        Optional.of(StepZeroDamage.fidelity(l.evaluation(), after)));
    config.put("encoder_d_model", Integer.toString(swap.width()));
    RunManifest manifest = RunManifest.of(config, seeds.runSeeds(), SameDiffEnvironment.current());
    return SameDiffRecovery.retrain(fresh.model(), damage, wiped, request.policy(), settings,
        adam, training, l.validation(), Optional.of(l.evaluation()), manifest);
  }

  @Override
  public OptionalLong scratchExamples(Original original) {
    Loaded l = load(original.spec());
    TrainingSettings t = original.spec().training();
    long master = original.spec().seed();
    ReferenceModel fresh = ReferenceModel.build(l.trained().model().config()
        .withSeed(Seeds.derive(master, "scratch_init")));
    RecoverySettings settings = RecoverySettings.of(t.criterion(original.lossSd()),
        t.scratchBudget(), original.reference(), t.schedule());
    RecoveryResult r = SameDiffRecovery.fromScratch(fresh.model(), original.lossOriginal(),
        settings, AdamSettings.of(t.learningRate()).withSchedule(
            LrSchedule.warmupInverseSqrt(t.warmupSteps())),
        trainingOrder(l, t, Seeds.derive(master, "scratch_data")), l.validation(),
        original.spec().configuration());
    return r.recoveredAt().map(s -> OptionalLong.of(s.examples())).orElse(OptionalLong.empty());
  }

  private static Iterator<Batch> trainingOrder(Loaded l, TrainingSettings t, long seed) {
    ReferenceModel m = l.trained().model();
    return new BatchIterator(l.split().train(), t.batchSize(), seed, Integer.MAX_VALUE,
        m::batch);
  }

  static TransformerConfig config(ModelSpec m, TrainingSettings t, long seed) {
    return switch (m.arch()) {
      case DECODER -> TransformerConfig.decoderOnly(m.nLayers(), m.dModel(), m.nHeads(),
          t.vocab(), t.seqLen(), seed);
      case ENCODER -> TransformerConfig.encoderOnly(m.nLayers(), m.dModel(), m.nHeads(),
          t.vocab() + 1, t.seqLen(), seed);
      case ENCODER_DECODER -> TransformerConfig.encoderDecoder(m.nLayers(), m.nLayers(),
          m.dModel(), m.nHeads(), t.vocab(), t.seqLen(), seed);
    };
  }

  static Corpus corpus(Arch arch, TrainingSettings t) {
    return switch (arch) {
      case DECODER, ENCODER -> new MarkovChain(t.vocab(), 2, SHARPNESS, LANGUAGE_SEED);
      case ENCODER_DECODER -> new Seq2SeqTask(Seq2SeqTask.Kind.REVERSE, t.vocab() - 1,
          LANGUAGE_SEED);
    };
  }

  private static int length(OriginalSpec spec) {
    // a causal LM of context T predicts T tokens of a T+1 string; the others fill the context
    return spec.model().arch() == Arch.DECODER ? spec.training().seqLen() + 1
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
    originals.clear();
  }
}
