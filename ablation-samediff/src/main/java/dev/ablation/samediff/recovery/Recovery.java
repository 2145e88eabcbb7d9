package dev.ablation.samediff.recovery;

import com.google.common.collect.ImmutableMap;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.api.recovery.CpuAccount;
import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.FitOptimiser;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BiConsumer;
import org.nd4j.autodiff.samediff.SameDiff;

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
 * returns, {@link RecoveryFit#restore()} (or closing the {@link RecoveryFit}) for {@code sd.fit}. A start on a
 * model that still carries a wipe (a {@link RecoveryFit} not restored, a wipe of your own) is refused:
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
  private final Seeds seeds;
  private final Map<String, String> configuration;
  private final Optional<List<List<String>>> fitMapping;
  private final Optional<LossEvaluator.Evaluation> knownOriginal;
  private final Start start;
  private final OptionalDouble referenceLoss;

  /**
   * How a recovery finds its model damaged: {@link RecoveryBuilder#wipe} (the recovery wipes),
   * {@link RecoveryBuilder#afterSurgery} (the caller changed the model before, e.g. rebuilt it
   * around a new encoder) or {@link RecoveryBuilder#fromScratch} (a freshly initialised model,
   * every parameter training: {@code T_scratch}).
   */
  enum Start {
    WIPE, AFTER_SURGERY, SCRATCH
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
      Objects.requireNonNull(freeze, "freeze");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(adam, "adam");
      layers = List.copyOf(layers);
    }
  }

  /**
   * The recovery {@code plan} describes through {@code surgeon}: {@code seeds} (whose
   * {@link SeedStream#WIPE} is the plan's seed) and {@code configuration} go into the manifest;
   * {@code fitMapping}, {@code knownOriginal} and {@code referenceLoss} are the builder's
   * options of those names; {@code start} says how the model is damaged (a {@code WIPE} needs a
   * scheme and at least one layer).
   */
  Recovery(SameDiffSurgeon surgeon, Plan plan, Start start, Seeds seeds,
      Map<String, String> configuration, Optional<List<List<String>>> fitMapping,
      Optional<LossEvaluator.Evaluation> knownOriginal, OptionalDouble referenceLoss) {
    if (start == Start.WIPE && (plan.scheme() == null || plan.layers().isEmpty())) {
      throw new IllegalArgumentException("a wipe needs a scheme and at least one layer, got "
          + plan.scheme() + " on " + plan.layers());
    }
    this.start = start;
    this.referenceLoss = referenceLoss;
    this.surgeon = surgeon;
    this.wiped = plan.layers();
    this.scheme = plan.scheme();
    this.freeze = plan.freeze();
    this.settings = plan.settings();
    this.adam = plan.adam();
    this.seeds = seeds.with(SeedStream.WIPE, plan.seed());
    this.configuration = ImmutableMap.copyOf(configuration);
    this.fitMapping = fitMapping;
    this.knownOriginal = knownOriginal;
  }

  /** The recovery {@code plan} describes, unvalidated (this package's tests and populations). */
  static Recovery of(SameDiffSurgeon surgeon, Plan plan,
      Map<String, String> configuration) {
    return new Recovery(surgeon, plan, Start.WIPE, Seeds.of(SeedStream.WIPE, plan.seed()),
        configuration, Optional.empty(), Optional.empty(), OptionalDouble.empty());
  }

  /** This recovery as a plan: what a population member runs (a wipe's only). */
  Plan plan() {
    if (start != Start.WIPE) {
      throw new IllegalStateException("only a recovery that wipes runs in a population; this"
          + " one starts " + start);
    }
    return new Plan(wiped, scheme, freeze, seed(), settings, adam);
  }

  /**
   * K recoveries of one trained original at once, stepped together in one stacked graph: each
   * member a {@code Recovery} built on the same surgeon (over {@code original}) with its own
   * training order, each getting what its own {@link #run(Iterator, List)} would get (its
   * wipe, damage, policy, monitor, verdict and manifest), for a fraction of the compute of K
   * runs. {@link PopulationRecovery} says how, and which models and settings it covers; what it
   * does not cover is refused with a message. The original is left as it was.
   *
   * @param original the trained reference model every member's surgeon operates on
   * @param members the runs, in the order of the results
   * @param validation held-out batches, every member evaluated on all of them
   * @param shrink whether decided members leave the batch
   * @param decided called with each member's index and result as soon as it is decided (for
   *     resume-safe per-run records), in the order members are decided
   * @return one result per member, in member order
   * @throws IllegalArgumentException if the members do not share one surgeon, or for anything
   *     outside {@link PopulationRecovery}'s limits
   */
  public static List<RecoveryResult> runTogether(ReferenceModel original,
      List<PopulationRecovery.Member> members, List<Batch> validation,
      PopulationRecovery.Shrink shrink, BiConsumer<Integer, RecoveryResult> decided) {
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException("a population needs at least one member, got "
          + members);
    }
    SameDiffSurgeon surgeon = members.get(0).recovery().surgeon();
    for (int i = 1; i < members.size(); i++) {
      if (members.get(i).recovery().surgeon() != surgeon) {
        throw new IllegalArgumentException("member " + i + " was built on another surgeon than"
            + " member 0; build every member with Recovery.builder(surgeon) on the one surgeon"
            + " over the original");
      }
    }
    return PopulationRecovery.run(original, surgeon, members, validation, shrink, decided);
  }

  /** A recovery of {@code model}, with a new surgeon over it. */
  public static RecoveryBuilder builder(SameDiffModel model) {
    return new RecoveryBuilder(SameDiffSurgeon.of(Objects.requireNonNull(model, "model")));
  }

  /** A recovery through {@code surgeon} (one surgeon per graph: pass yours if you have one). */
  public static RecoveryBuilder builder(SameDiffSurgeon surgeon) {
    return new RecoveryBuilder(Objects.requireNonNull(surgeon, "surgeon"));
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
    BatchShapes.requireBatches("training", train);
    BatchShapes.requireBatches("validation", validation);
    requireUnwiped();
    new BatchShapes(surgeon.model().graph(), surgeon.model().lossVariable(), "training")
        .check(BatchShapes.placeholders(train));
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
    BatchShapes.requireBatches("validation", validation);
    requireUnwiped();
    return runChecked(training, validation);
  }

  /** A wipe starts from the model as trained; after the caller's surgery it carries it. */
  private void requireUnwiped() {
    if (start == Start.WIPE) {
      WipeRegistry.requireUnwiped(surgeon);
    }
  }

  private RecoveryResult runChecked(Iterator<Batch> training, List<Batch> validation) {
    SameDiff sd = surgeon.model().graph();
    new BatchShapes(sd, surgeon.model().lossVariable(), "validation")
        .check(BatchShapes.placeholders(validation));
    if (start == Start.SCRATCH) {
      // nothing to wipe, measure against or put back: a fresh model, every parameter training
      return RecoveryLoop.fromScratch(surgeon.model(), referenceLoss.orElseGet(
          () -> knownOriginal.orElseThrow().loss()), settings, adam, training, validation,
          configuration);
    }
    WipeRegistry.Holder held = WipeRegistry.hold(surgeon, "a running Recovery.run wiping "
        + wiped);
    try (CpuAccount.Scope setup = CpuAccount.enter(CpuAccount.Phase.RECOVERY_SETUP)) {
      LossEvaluator.Evaluation original;
      try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.DAMAGE)) {
        original = knownOriginal.isPresent() ? knownOriginal.get()
            : new LossEvaluator(surgeon.model()).evaluate(validation);
      }
      WeightSnapshot before = surgeon.snapshot();
      try {
        if (start == Start.WIPE) {
          surgeon.wipe(wiped, scheme, seed());
        }
        Damage damage = damage(original, validation);
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
      WipeRegistry.release(sd, held);
    }
  }

  /**
   * The damage at step 0, against the reference loss when one was given: after a wipe, the
   * step-0 losses and the loss with the layer deleted; after the caller's surgery, the loss and
   * the agreement with the original (a deleted layer means nothing there).
   */
  private Damage damage(LossEvaluator.Evaluation original, List<Batch> validation) {
    Damage d;
    try (CpuAccount.Scope s = CpuAccount.enter(CpuAccount.Phase.DAMAGE)) {
      if (start == Start.WIPE) {
        d = StepZeroDamage.measure(surgeon, wiped, original, validation);
      } else {
        LossEvaluator.Evaluation after = new LossEvaluator(surgeon.model()).evaluate(validation);
        d = new Damage(original.loss(), after.loss(), OptionalDouble.empty(),
            Optional.of(LossEvaluator.fidelity(original, after)));
      }
    }
    return referenceLoss.isEmpty() ? d : new Damage(referenceLoss.getAsDouble(),
        d.lossAfterWipe(), d.lossDeleted(), d.fidelity());
  }

  /**
   * Starts the recovery for your own {@code sd.fit}: measures the original on
   * {@code validation}, wipes, measures the damage, freezes by the policy (frozen parameters
   * become constants, so {@code sd.fit} cannot touch them) and installs a fresh Adam. Then:
   *
   * <pre>{@code
   * try (RecoveryFit fit = recovery.startFit(validation)) {    // closing it restores the model
   *   sd.fit(fit.iterator(train), 1, fit.listener());          // ends itself when decided
   *   RecoveryResult r = fit.result();
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException if a validation batch does not run through the graph
   *     (each placeholder whose array is not of the declared shape named, with both shapes),
   *     before anything changed
   * @throws IllegalStateException if the graph has no training configuration and no
   *     {@link RecoveryBuilder#fitMapping} was given (nothing says which placeholders a batch
   *     feeds), if the model carries a wipe that was not restored (a second start, say), or if
   *     this recovery does not wipe ({@code afterSurgery}, {@code fromScratch})
   */
  public RecoveryFit startFit(List<Batch> validation) {
    if (start != Start.WIPE) {
      throw new IllegalStateException("startFit wipes the model for your sd.fit; this recovery"
          + " starts " + start + ": run it with run(...)");
    }
    return RecoveryFit.start(this, validation);
  }

  ReinitScheme scheme() {
    return scheme;
  }

  FreezePolicy freeze() {
    return freeze;
  }

  AdamSettings adam() {
    return adam;
  }

  Optional<List<List<String>>> fitMapping() {
    return fitMapping;
  }

  long seed() {
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
    m.put("scheme", scheme == null ? "none" : scheme.toString());
    if (start != Start.WIPE) {
      m.put("start", start.name().toLowerCase(java.util.Locale.ROOT));
    }
    m.put("freeze", freeze.key());
    m.put("criterion", settings.criterion().toString());
    m.put("budget", settings.budget().toString());
    m.put("evaluate_every", String.valueOf(settings.evaluateEvery()));
    m.put("reference_examples", String.valueOf(settings.reference().examples()));
    m.put("reference_tokens", String.valueOf(settings.reference().tokens()));
    m.put("adam", adam.toString());
    return RunManifest.of(m, seeds, SameDiffEnvironment.current());
  }
}
