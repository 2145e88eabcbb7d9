package dev.ablation.samediff.recovery;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.ablation.api.AblationException;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Surgery;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.ReferenceBudget;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.RunSeeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.GradientChatter;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.api.recovery.CpuAccount;
import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.FitOptimiser;
import com.google.common.collect.MapMaker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * One recovery of your own SameDiff model, read as one expression: what to wipe and how, what
 * counts as recovered against which reference, which optimiser retrains it; then either the
 * whole run ({@link #run}) or your own {@code sd.fit} loop ({@link #startFit}).
 *
 * <pre>{@code
 * Recovery recovery = Recovery.builder(surgeon)
 *     .wipe(LayerPath.block("h", 1), ReinitScheme.fresh())          // required
 *     .target(RecoveryCriterion.withinNats(0.05), reference)         // required: L*+eps, S x E
 *     .learningRate(3e-3)                                            // required: a fresh Adam
 *     .freeze(FreezePolicy.onlyWiped())                              // optional (the default)
 *     .build();                                                      // every problem at once
 * RecoveryResult r = recovery.run(train, validation);               // and the model is back
 * }</pre>
 *
 * <p>This is the one way in, for the library's loop and for your own {@code sd.fit}. Both
 * routes try the batches on the graph before changing it (a failure names each placeholder
 * whose array is not of the declared shape, with both shapes), measure the step-0 damage against
 * the model as it is when they start, wipe, apply the freeze policy, start a fresh optimiser
 * (in {@code sd.fit} too: M2.1 otherwise keeps the first updater it built, see
 * {@link FitOptimiser}), charge every step to the budget, evaluate the validation loss every
 * {@code evaluateEvery} steps, and return a {@link RecoveryResult} with its manifest
 * (configuration, seeds, versions, native build, commit).
 *
 * <p>Each route snapshots the model when it starts and puts it back: {@link #run} when it
 * returns, {@link Fit#restore()} (or closing the {@link Fit}) for {@code sd.fit}. A start on a
 * model that still carries a wipe (a {@link Fit} not restored, a wipe of your own) is refused:
 * it would measure the original's loss on a damaged model.
 *
 * <p>Graphs whose weights are constants (imported ones): declare the layer map with
 * {@code LayerMap.Builder.includeConstants()}; the freeze step makes exactly the parameters
 * the policy trains variables.
 *
 * <p>Immutable; {@link #run} and {@link #startFit} each perform one recovery on the model.
 */
public final class Recovery {
  private final SameDiffSurgeon surgeon;
  private final List<LayerPath> wiped;
  private final ReinitScheme scheme;
  private final FreezePolicy freeze;
  private final RecoverySettings settings;
  private final AdamSettings adam;
  private final RunSeeds seeds;
  private final Map<String, String> configuration;
  private final Optional<List<List<String>>> fitMapping;
  private final Optional<LossEvaluator.Evaluation> knownOriginal;

  private Recovery(Builder b) {
    this.surgeon = b.surgeon;
    this.wiped = ImmutableList.copyOf(b.wiped);
    this.scheme = b.scheme;
    this.freeze = b.freeze;
    this.settings = new RecoverySettings(b.criterion, b.budget, b.reference, b.schedule,
        b.listener, b.horizonSteps);
    this.adam = b.adam;
    this.seeds = b.seeds;
    this.configuration = ImmutableMap.copyOf(b.configuration);
    this.fitMapping = b.fitMapping;
    this.knownOriginal = b.knownOriginal;
  }

  /**
   * The graphs a recovery has wiped and not yet put back, with who holds each. The wipe lives
   * in the graph, but each builder may bring its own surgeon ({@link #builder(SameDiffModel)}
   * makes a new one), so a surgeon's own {@link SameDiffSurgeon#pendingWipes()} cannot see
   * another recovery's wipe; M2.1's {@code SameDiff} has no place to keep it. Weak keys by
   * identity: a graph nobody uses any more leaves the map with its last reference.
   */
  private static final ConcurrentMap<SameDiff, Holder> HELD =
      new MapMaker().weakKeys().makeMap();

  /**
   * Who wiped a graph: the surgeon is held weakly (it references the graph, which would then
   * never leave {@link #HELD}). A holder whose surgeon no longer carries a wipe (restored by
   * hand with {@code surgeon.restore(snapshot)}, say) holds nothing.
   */
  private record Holder(String who, java.lang.ref.WeakReference<SameDiffSurgeon> surgeon) {
    boolean holds(SameDiffSurgeon other) {
      SameDiffSurgeon s = surgeon.get();
      return s != null && s != other && !s.pendingWipes().isEmpty();
    }
  }

  /**
   * What one recovery does, as a population member and this package's tests take it.
   *
   * @param layers the layers to wipe (one block, or e.g. every cross-attention sublayer)
   * @param scheme how to re-initialise them
   * @param freeze which parameters train
   * @param seed the wipe's seed (data order is the caller's iterator's)
   * @param settings criterion, budget, reference and evaluation schedule
   * @param adam the fresh optimiser's settings
   */
  record Plan(List<LayerPath> layers, ReinitScheme scheme, FreezePolicy freeze, long seed,
      RecoverySettings settings, AdamSettings adam) {
    Plan {
      Objects.requireNonNull(scheme, "scheme");
      Objects.requireNonNull(freeze, "freeze");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(adam, "adam");
      if (layers == null || layers.isEmpty()) {
        throw new IllegalArgumentException("a recovery needs at least one layer to wipe");
      }
      layers = List.copyOf(layers);
    }
  }

  private Recovery(SameDiffSurgeon surgeon, Plan plan,
      Map<String, String> configuration) {
    this.surgeon = surgeon;
    this.wiped = plan.layers();
    this.scheme = plan.scheme();
    this.freeze = plan.freeze();
    this.settings = plan.settings();
    this.adam = plan.adam();
    this.seeds = RunSeeds.of(SeedStream.WIPE, plan.seed());
    this.configuration = ImmutableMap.copyOf(configuration);
    this.fitMapping = Optional.empty();
    this.knownOriginal = Optional.empty();
  }

  /** The recovery {@code plan} describes, unvalidated (this package's tests and populations). */
  static Recovery of(SameDiffSurgeon surgeon, Plan plan,
      Map<String, String> configuration) {
    return new Recovery(surgeon, plan, configuration);
  }

  /** This recovery as a plan: what a population member runs. */
  Plan plan() {
    return new Plan(wiped, scheme, freeze, seed(), settings, adam);
  }

  /** A recovery of {@code model}, with a new surgeon over it. */
  public static Builder builder(SameDiffModel model) {
    return new Builder(SameDiffSurgeon.of(Objects.requireNonNull(model, "model")));
  }

  /** A recovery through {@code surgeon} (one surgeon per graph: pass yours if you have one). */
  public static Builder builder(SameDiffSurgeon surgeon) {
    return new Builder(Objects.requireNonNull(surgeon, "surgeon"));
  }

  /** The surgeon operating on the model: snapshot before, restore after. */
  public SameDiffSurgeon surgeon() {
    return surgeon;
  }

  /** The layers this recovery wipes. */
  public List<LayerPath> wiped() {
    return wiped;
  }

  /** Criterion, budget, reference and evaluation interval. */
  public RecoverySettings settings() {
    return settings;
  }

  // ------------------------------------------------------------------------------- run

  /**
   * The whole recovery with the library's own loop (exact freezing by construction, the fast
   * path where it is valid): {@code train} is cycled in order until the criterion or the
   * budget ends the run. When it returns (or throws) the model's weights and trainable set are
   * what they were before: the result holds what was measured. To look at the recovered
   * weights, do so in a listener's {@code onFinish}, which runs before the restore.
   *
   * @param train training batches, cycled
   * @param validation held-out batches, evaluated without gradients
   * @throws IllegalArgumentException if a batch does not run through the graph (each
   *     placeholder whose array is not of the declared shape named, with both shapes), before
   *     anything changed
   * @throws IllegalStateException if the model carries a wipe that was not restored
   */
  public RecoveryResult run(List<Batch> train, List<Batch> validation) {
    requireBatches("training", train);
    requireBatches("validation", validation);
    requireUnwiped();
    new BatchShapes(surgeon.model().graph(), surgeon.model().lossVariable(), "training")
        .check(placeholders(train));
    return runChecked(RecoveryLoop.cycle(train), validation);
  }

  /**
   * As {@link #run(List, List)}, on batches in the order {@code training} gives them: for a
   * training order of your own (a shuffle per epoch, batches made as they are needed). The
   * iterator must not run out before the run is decided (an endless one); its batches are not
   * tried on the graph up front, so one that does not run through it fails at its step (the
   * model is put back all the same).
   *
   * @throws IllegalArgumentException if a validation batch does not run through the graph,
   *     before anything changed
   * @throws IllegalStateException if the model carries a wipe that was not restored, or the
   *     iterator ran out
   */
  public RecoveryResult run(Iterator<Batch> training, List<Batch> validation) {
    Objects.requireNonNull(training, "training");
    requireBatches("validation", validation);
    requireUnwiped();
    return runChecked(training, validation);
  }

  private RecoveryResult runChecked(Iterator<Batch> training, List<Batch> validation) {
    SameDiff sd = surgeon.model().graph();
    new BatchShapes(sd, surgeon.model().lossVariable(), "validation")
        .check(placeholders(validation));
    Holder held = hold("a running Recovery.run");
    try (CpuAccount.Scope setup = CpuAccount.enter(CpuAccount.Phase.RECOVERY_SETUP)) {
      LossEvaluator.Evaluation original;
      try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.DAMAGE)) {
        original = knownOriginal.isPresent() ? knownOriginal.get()
            : new LossEvaluator(surgeon.model()).evaluate(validation);
      }
      WeightSnapshot before = surgeon.snapshot();
      try {
        surgeon.wipe(wiped, scheme, seed());
        Damage damage;
        try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.DAMAGE)) {
          damage = StepZeroDamage.measure(surgeon, wiped, original, validation);
        }
        // constants the policy trains become variables; nothing else about the graph changes
        Set<ParameterPath> trainable = freeze.resolve(surgeon.layout(), wiped, 0);
        if (!surgeon.trainable().containsAll(trainable)) {
          Set<ParameterPath> all = new LinkedHashSet<>(surgeon.trainable());
          all.addAll(trainable);
          surgeon.setTrainable(all);
        }
        return RecoveryLoop.retrain(surgeon, damage, wiped, freeze, settings, adam, training,
            validation, Optional.of(original), manifest("run"));
      } finally {
        surgeon.restore(before);
      }
    } finally {
      release(sd, held);
    }
  }

  private static List<Map<String, INDArray>> placeholders(List<Batch> batches) {
    return batches.stream().map(Batch::placeholders).toList();
  }

  /** A recovery starts from the model as trained, never from one it (or anyone) wiped. */
  private void requireUnwiped() {
    List<Surgery> pending = surgeon.pendingWipes();
    if (!pending.isEmpty()) {
      throw new IllegalStateException("the model still carries " + pending + ", so a recovery"
          + " would measure the original's loss L* on a damaged model; nothing was changed."
          + " Put the trained weights back first: fit.restore() (or close the Fit) of the"
          + " recovery that wiped it, surgeon.restore(snapshot) or surgery.undo()");
    }
    Holder holder = HELD.get(surgeon.model().graph());
    if (holder != null && holder.holds(surgeon)) {
      throw new IllegalStateException("the graph is held by " + holder.who() + ", another recovery"
          + " that wiped it and has not put it back, so this one would measure the original's"
          + " loss L* on a damaged model; nothing was changed. Restore the first: fit.restore()"
          + " (or close the Fit, e.g. in try-with-resources) of that recovery; or rebuild the"
          + " graph (a fresh model) for this one");
    }
  }

  /** Marks the graph as wiped by this recovery, until it is put back. */
  private Holder hold(String who) {
    Holder h = new Holder(who + " wiping " + wiped, new java.lang.ref.WeakReference<>(surgeon));
    HELD.put(surgeon.model().graph(), h);
    return h;
  }

  private static void release(SameDiff graph, Holder h) {
    HELD.remove(graph, h);
  }

  // --------------------------------------------------------------------------- sd.fit

  /**
   * Starts the recovery for your own {@code sd.fit}: measures the original on
   * {@code validation}, wipes, measures the damage, freezes by the policy (frozen parameters
   * become constants, so {@code sd.fit} cannot touch them) and installs a fresh Adam. Then:
   *
   * <pre>{@code
   * try (Recovery.Fit fit = recovery.startFit(validation)) {   // closing it restores the model
   *   sd.fit(fit.iterator(train), 1, fit.listener());          // ends itself when decided
   *   RecoveryResult r = fit.result();
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException if a validation batch does not run through the graph
   *     (each placeholder whose array is not of the declared shape named, with both shapes),
   *     before anything changed
   * @throws IllegalStateException if the graph has no training configuration and no
   *     {@link Builder#fitMapping} was given (nothing says which placeholders a batch feeds),
   *     or if the model carries a wipe that was not restored (a second start, say)
   */
  public Fit startFit(List<Batch> validation) {
    requireBatches("validation", validation);
    requireUnwiped();
    SameDiff sd = surgeon.model().graph();
    new BatchShapes(sd, surgeon.model().lossVariable(), "validation")
        .check(placeholders(validation));
    List<String> features;
    List<String> labels;
    if (fitMapping.isPresent()) {
      features = fitMapping.get().get(0);
      labels = fitMapping.get().get(1);
    } else {
      TrainingConfig tc = FitOptimiser.requireConfig(sd);
      features = List.copyOf(tc.getDataSetFeatureMapping());
      labels = tc.getDataSetLabelMapping() == null ? List.of()
          : List.copyOf(tc.getDataSetLabelMapping());
    }
    LossEvaluator.Evaluation original = new LossEvaluator(surgeon.model()).evaluate(validation);
    WeightSnapshot start = surgeon.snapshot();
    Set<ParameterPath> before = surgeon.trainable();
    Holder held = hold("an unrestored Recovery.Fit");
    try {
      surgeon.wipe(wiped, scheme, seed());
      Damage damage = StepZeroDamage.measure(surgeon, wiped, original, validation);
      surgeon.freeze(freeze, wiped, 0);
      surgeon.materializeForFit(); // the sd.fit route: frozen parameters become constants
      FitOptimiser.replace(sd, adam, features, labels);
      sd.setLossVariables(surgeon.model().lossVariable());
      // the gradient function sd.fit would build (printing ~1 line per op) on its first step
      GradientChatter.buildGradientFunction(sd);
      RecoveryMonitor monitor = RecoveryMonitor.start(settings, damage, manifest("sd.fit"));
      return new Fit(monitor, validation, original, features, labels, before, start, held);
    } catch (RuntimeException e) {
      surgeon.restore(start); // no Fit to restore it later: leave the model as it was
      release(sd, held);
      throw e;
    }
  }

  /**
   * One recovery inside {@code sd.fit}: the iterator to train on, the listener that watches
   * it, and the result. The iterator charges each batch to the budget before {@code fit} uses
   * it and ends the epoch once the run is decided; {@code fit} then stops. A run decided before
   * its first step (a budget of 0, a wipe that did no damage) ends {@code fit} without changing
   * a weight.
   *
   * <p>It holds the model as it was at {@link #startFit}: {@link #restore()}, or closing it in
   * a {@code try}-with-resources, puts those weights and that trainable set back, after which
   * the model may start another recovery. The graph keeps the recovery's optimiser: set your
   * own training configuration again to go on training it.
   */
  public final class Fit implements AutoCloseable {
    private final RecoveryMonitor monitor;
    private final List<Batch> validation;
    private final LossEvaluator.Evaluation original;
    private final List<String> features;
    private final List<String> labels;
    private final Set<ParameterPath> trainableBefore;
    private final RecoveryFitListener listener;
    private final long parameterCount;
    private final WeightSnapshot start;
    private final Holder held;
    private RecoveryResult result;
    private boolean restored;

    private Fit(RecoveryMonitor monitor, List<Batch> validation,
        LossEvaluator.Evaluation original, List<String> features, List<String> labels,
        Set<ParameterPath> trainableBefore, WeightSnapshot start, Holder held) {
      this.start = start;
      this.held = held;
      this.monitor = monitor;
      this.validation = ImmutableList.copyOf(validation);
      this.original = original;
      this.features = features;
      this.labels = labels;
      this.trainableBefore = trainableBefore;
      this.listener = new RecoveryFitListener(monitor, surgeon.model(), this.validation);
      long n = 0;
      for (ParameterInfo p : surgeon.layout().parameters()) {
        n += p.shape().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
      }
      this.parameterCount = n;
    }

    /**
     * {@code sd.fit}'s iterator over {@code train}: an endless cycle in order (one epoch is
     * enough: it ends when the run is decided), each batch fed to the placeholders of the
     * graph's feature and label mapping and charged its {@link Batch#examples()} and
     * {@link Batch#tokens()}.
     *
     * @throws IllegalArgumentException if a batch lacks a mapped placeholder or does not run
     *     through the graph (each placeholder not of its declared shape named, both shapes)
     */
    public MultiDataSetIterator iterator(List<Batch> train) {
      requireBatches("training", train);
      requireOpen();
      BatchShapes shapes = new BatchShapes(surgeon.model().graph(),
          surgeon.model().lossVariable(), "training");
      for (int i = 0; i < train.size(); i++) {
        shapes.check(i, fed(arrays(train.get(i), features),
            labels.isEmpty() ? null : arrays(train.get(i), labels)));
      }
      List<MultiDataSet> data = new ArrayList<>();
      Map<MultiDataSet, Batch> source = new java.util.IdentityHashMap<>();
      for (Batch b : train) {
        MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(arrays(b, features),
            labels.isEmpty() ? null : arrays(b, labels));
        data.add(m);
        source.put(m, b);
      }
      return listener.wrap(new CyclingMultiDataSetIterator(data), m -> cost(source.get(m)));
    }

    /**
     * Wraps your own {@code sd.fit} iterator: each batch is charged one step, its examples
     * (the first feature array's first dimension) and tokens ({@code tokensPerExample} each).
     * Give it as many epochs as you like: {@code fit} stops once the run is decided. Each batch
     * of shapes not seen before is tried on the graph before {@code fit} uses it.
     */
    public MultiDataSetIterator wrap(MultiDataSetIterator train, long tokensPerExample) {
      Objects.requireNonNull(train, "train");
      if (tokensPerExample < 1) {
        throw new IllegalArgumentException("tokensPerExample must be >= 1, got "
            + tokensPerExample);
      }
      requireOpen();
      BatchShapes shapes = new BatchShapes(surgeon.model().graph(),
          surgeon.model().lossVariable(), "training");
      long[] index = {0};
      return listener.wrap(train, m -> {
        shapes.check(Math.toIntExact(index[0]++), fed(m.getFeatures(), m.getLabels()));
        long examples = m.getFeatures(0).size(0);
        long tokens = Math.multiplyExact(examples, tokensPerExample);
        return new Cost(1, examples, tokens, 6.0 * parameterCount * tokens);
      });
    }

    /** The listener to give {@code sd.fit} (or {@code sd.setListeners}) with the iterator. */
    public Listener listener() {
      return listener;
    }

    /**
     * Whether the run is decided: the criterion gave its verdict or the budget is spent. Once
     * it is, the iterator ends its epoch and {@code sd.fit} returns; {@link #result()} is then
     * final. True already at start when there was nothing to train (a budget of 0, a wipe that
     * did no damage). A loop of your own can poll it to stop early.
     */
    public boolean isFinished() {
      return monitor.isFinished();
    }

    /**
     * The result, once {@code fit} has trained (or the run was decided at start); puts back
     * the trainable set the model had before {@link #startFit}. A run that trained but stopped
     * before a verdict (your iterator ran out) counts as {@link Verdict#BUDGET_EXHAUSTED}.
     * Repeated calls return the same result.
     *
     * @throws IllegalStateException before any step: nothing was measured yet (call
     *     {@code sd.fit(fit.iterator(train), 1, fit.listener())} first), or after
     *     {@link #restore()} without a result taken before it
     */
    public RecoveryResult result() {
      if (result != null) {
        return result;
      }
      requireOpen();
      if (!monitor.isFinished() && monitor.spent().steps() == 0) {
        throw new IllegalStateException("no step was trained yet, so there is no result: run"
            + " sd.fit(fit.iterator(train), 1, fit.listener()) (or your own iterator through"
            + " fit.wrap(...)) first");
      }
      Optional<Fidelity> fidelity = Optional.empty();
      if (!original.logits().isEmpty()
          && monitor.verdict().orElse(Verdict.BUDGET_EXHAUSTED) != Verdict.DIVERGED) {
        fidelity = Optional.of(LossEvaluator.fidelity(original,
            new LossEvaluator(surgeon.model()).evaluate(validation)));
      }
      result = monitor.result(fidelity);
      if (!trainableBefore.isEmpty() && !trainableBefore.equals(surgeon.trainable())) {
        surgeon.setTrainable(trainableBefore);
      }
      return result;
    }

    /**
     * Puts back the weights and the trainable set the model had at {@link #startFit}, so that
     * it may start another recovery. Take {@link #result()} first: it is measured on the
     * recovered model. Idempotent.
     */
    public void restore() {
      if (!restored) {
        surgeon.restore(start);
        restored = true;
        release(surgeon.model().graph(), held);
      }
    }

    /** {@link #restore()}: a {@code try}-with-resources block leaves the model as it was. */
    @Override
    public void close() {
      restore();
    }

    private void requireOpen() {
      if (restored) {
        throw new IllegalStateException("this Fit was restored: the model is back to its"
            + " trained weights; start a new one with recovery.startFit(validation)");
      }
    }

    /** What one {@code sd.fit} batch feeds: features and labels by placeholder. */
    private Map<String, INDArray> fed(INDArray[] f, INDArray[] l) {
      Map<String, INDArray> out = new LinkedHashMap<>(BatchShapes.byName(features, f));
      out.putAll(BatchShapes.byName(labels, l));
      return out;
    }

    private Cost cost(Batch b) {
      return new Cost(1, b.examples(), b.tokens(), 6.0 * parameterCount * b.tokens());
    }
  }

  private static INDArray[] arrays(Batch b, List<String> names) {
    INDArray[] out = new INDArray[names.size()];
    for (int i = 0; i < out.length; i++) {
      INDArray a = b.placeholders().get(names.get(i));
      if (a == null) {
        throw new IllegalArgumentException("a batch has no array for placeholder '"
            + names.get(i) + "' of sd.fit's mapping; the batch has " + b.placeholders().keySet());
      }
      out[i] = a;
    }
    return out;
  }

  private long seed() {
    return seeds.get(SeedStream.WIPE).orElseThrow();
  }

  /**
   * The manifest of a run of this recovery by {@code route} ({@code run}, {@code sd.fit},
   * {@code population}): the one list of what a recovery records, whichever loop runs it.
   */
  RunManifest manifest(String route) {
    Map<String, String> m = new LinkedHashMap<>(configuration);
    m.put("route", route);
    m.put("wiped", wiped.toString());
    m.put("scheme", scheme.toString());
    m.put("freeze", freeze.key());
    m.put("criterion", settings.criterion().toString());
    m.put("budget", settings.budget().toString());
    m.put("evaluate_every", String.valueOf(settings.evaluateEvery()));
    m.put("reference_examples", String.valueOf(settings.reference().examples()));
    m.put("reference_tokens", String.valueOf(settings.reference().tokens()));
    m.put("adam", adam.toString());
    return RunManifest.of(m, seeds, SameDiffEnvironment.current());
  }

  private static void requireBatches(String what, List<Batch> batches) {
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("recovery needs at least one " + what + " batch, got "
          + batches);
    }
  }

  // --------------------------------------------------------------------------- builder

  /**
   * Collects a recovery's choices; {@link #build()} checks them all against the model and
   * reports every problem in one exception.
   */
  public static final class Builder {
    private final SameDiffSurgeon surgeon;
    private final List<LayerPath> wiped = new ArrayList<>();
    private ReinitScheme scheme;
    private RecoveryCriterion criterion;
    private ReferenceBudget reference;
    private AdamSettings adam;
    private FreezePolicy freeze = FreezePolicy.onlyWiped();
    private TrainingBudget budget = TrainingBudget.ofReferenceFraction(1.0);
    private EvaluationSchedule schedule = EvaluationSchedule.every(10);
    private RecoveryListener listener = RecoveryListener.none();
    private long horizonSteps;
    private RunSeeds seeds = RunSeeds.of(SeedStream.WIPE, 0L);
    private final Map<String, String> configuration = new LinkedHashMap<>();
    private Optional<List<List<String>>> fitMapping = Optional.empty();
    private Optional<LossEvaluator.Evaluation> knownOriginal = Optional.empty();
    private final List<String> problems = new ArrayList<>();

    private Builder(SameDiffSurgeon surgeon) {
      this.surgeon = surgeon;
    }

    /** Required: the layer to wipe and how. */
    public Builder wipe(LayerPath layer, ReinitScheme scheme) {
      return wipe(List.of(Objects.requireNonNull(layer, "layer")), scheme);
    }

    /** Required: the layers to wipe (e.g. every cross-attention sublayer) and how. */
    public Builder wipe(List<LayerPath> layers, ReinitScheme scheme) {
      Objects.requireNonNull(layers, "layers");
      this.wiped.clear();
      this.wiped.addAll(layers);
      this.scheme = Objects.requireNonNull(scheme, "scheme");
      return this;
    }

    /**
     * Required: when the run counts as recovered, and the original's training cost
     * {@code S × E} that spending is reported against (ρ).
     */
    public Builder target(RecoveryCriterion criterion, ReferenceBudget reference) {
      this.criterion = Objects.requireNonNull(criterion, "criterion");
      this.reference = Objects.requireNonNull(reference, "reference");
      return this;
    }

    /**
     * Required (or {@link #learningRate}): the fresh optimiser that retrains, whatever the
     * graph trained with before.
     */
    public Builder optimiser(AdamSettings adam) {
      this.adam = Objects.requireNonNull(adam, "adam");
      return this;
    }

    /**
     * Required (or {@link #optimiser}): a fresh Adam with this learning rate and the usual
     * betas, {@code AdamSettings.of(rate)}; finite and {@code > 0}.
     */
    public Builder learningRate(double rate) {
      try {
        this.adam = AdamSettings.of(rate);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
      return this;
    }

    /** Which parameters train; default {@link FreezePolicy#onlyWiped()}. */
    public Builder freeze(FreezePolicy policy) {
      this.freeze = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** What the run may spend; default the original's whole {@code S × E}. */
    public Builder budget(TrainingBudget budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /** Steps between validation evaluations, ≥ 1; default 10. */
    public Builder evaluateEvery(int steps) {
      if (steps < 1) {
        problems.add("evaluateEvery must be >= 1, got " + steps);
        return this;
      }
      this.schedule = EvaluationSchedule.every(steps);
      return this;
    }

    /**
     * When the validation loss is evaluated, e.g. densely at first and then every k steps
     * ({@link EvaluationSchedule}); replaces {@link #evaluateEvery}. Default every 10 steps.
     */
    public Builder evaluate(EvaluationSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /** The wipe's seed; default 0. Recorded in the manifest. */
    public Builder seed(long wipeSeed) {
      this.seeds = seeds.with(SeedStream.WIPE, wipeSeed);
      return this;
    }

    /**
     * Every seed behind this run (the original's init and data order, the recovery's data
     * order, …) for the manifest; the {@link SeedStream#WIPE} seed, if given, is the wipe's.
     */
    public Builder seeds(RunSeeds seeds) {
      Objects.requireNonNull(seeds, "seeds");
      long wipe = seeds.get(SeedStream.WIPE).orElse(this.seeds.get(SeedStream.WIPE).orElse(0));
      this.seeds = seeds.with(SeedStream.WIPE, wipe);
      return this;
    }

    /**
     * Keep training past the target until {@code steps} steps (0, the default: stop once the
     * target is met). The verdict and {@code T_ε} stay those at the target; the curve, the
     * final loss and the final fidelity come from the horizon, and the fidelity where the target
     * was confirmed is measured too ({@link RecoveryResult#targetFidelity()}). This asks what
     * the protocol alone cannot: whether the frozen context keeps the block from getting back
     * to {@code L*} itself, or it goes on below the target.
     */
    public Builder trainPastTarget(long steps) {
      if (steps < 1) {
        problems.add("trainPastTarget needs a horizon >= 1 step, got " + steps);
        return this;
      }
      this.horizonSteps = steps;
      return this;
    }

    /** Progress observer (steps, evaluations, the result). */
    public Builder listener(RecoveryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** An extra key/value for the manifest's configuration (model, data, …). */
    public Builder describe(String key, String value) {
      configuration.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * The trained model's evaluation on the validation batches {@link Recovery#run} will be
     * given, when the caller already has it (a study evaluates each original once, then runs
     * dozens of recoveries of it): saves the validation pass that measures {@code L*} and the
     * reference logits at the start of each run. It must be of the model as it is now, on those
     * batches; a token count that differs from theirs fails the step-0 damage measurement.
     */
    public Builder originalEvaluation(LossEvaluator.Evaluation original) {
      Objects.requireNonNull(original, "original");
      if (knownOriginal.isPresent()) {
        problems.add("originalEvaluation was already set");
      }
      knownOriginal = Optional.of(original);
      return this;
    }

    /**
     * For {@link #startFit} on a graph without a training configuration: the placeholders a
     * {@code MultiDataSet}'s features and labels feed, in order.
     */
    public Builder fitMapping(List<String> features, List<String> labels) {
      fitMapping = Optional.of(List.of(List.copyOf(features), List.copyOf(labels)));
      return this;
    }

    /**
     * Checks every choice against the model and builds the recovery.
     *
     * @throws AblationException listing every problem: missing required choices, unknown
     *     layers (with the model's layers), a scheme that cannot apply, a policy that freezes
     *     everything, a bad fit mapping
     */
    public Recovery build() {
      List<String> all = new ArrayList<>(problems);
      if (scheme == null) {
        all.add("no layer to wipe: call wipe(layer, scheme), e.g. wipe(LayerPath.block(\"h\", 1),"
            + " ReinitScheme.fresh())");
      }
      if (criterion == null) {
        all.add("no target: call target(criterion, reference), e.g. target(RecoveryCriterion"
            + ".withinNats(0.05), ReferenceBudget.of(strings, epochs, tokensPerString))");
      }
      if (adam == null) {
        all.add("no optimiser: call learningRate(rate) or optimiser(AdamSettings.of(rate))");
      }
      boolean layersKnown = scheme != null;
      if (scheme != null && wiped.isEmpty()) {
        all.add("wipe was given no layers; the model has " + surgeon.layout().paths());
        layersKnown = false;
      }
      for (LayerPath p : wiped) {
        if (p == null || !surgeon.layout().paths().contains(p)) {
          all.add("unknown layer " + p + "; the model has " + surgeon.layout().paths());
          layersKnown = false;
        }
      }
      if (layersKnown) {
        try {
          freeze.resolve(surgeon.layout(), wiped, 0);
        } catch (RuntimeException e) {
          all.add("freeze policy " + freeze.key() + ": " + e.getMessage());
        }
        if (scheme instanceof ReinitScheme.ZeroOutput) {
          for (LayerPath p : wiped) {
            LayerInfo l = surgeon.layout().layer(p);
            if (l.parameters().stream().noneMatch(x -> x.kind().isOutput())) {
              all.add("ZERO_OUTPUT cannot make " + p + " the identity: it has no OUTPUT_WEIGHT"
                  + " or OUTPUT_BIAS parameter; declare them with LayerMap.Builder.kind(...)");
            }
          }
        }
      }
      fitMapping.ifPresent(m -> {
        SameDiff sd = surgeon.model().graph();
        for (List<String> names : m) {
          for (String n : names) {
            SDVariable v = sd.hasVariable(n) ? sd.getVariable(n) : null;
            if (v == null || v.getVariableType() != VariableType.PLACEHOLDER) {
              all.add("fitMapping names '" + n + "', which is not a placeholder of the graph");
            }
          }
        }
        if (m.get(0).isEmpty()) {
          all.add("fitMapping needs at least one feature placeholder");
        }
      });
      if (!all.isEmpty()) {
        throw new AblationException("the recovery cannot run; nothing was changed: "
            + String.join("; ", all));
      }
      return new Recovery(this);
    }
  }
}
