package dev.ablation.samediff.recovery;

import dev.ablation.api.AblationException;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.EvaluationSchedule;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

/**
 * Collects a recovery's choices ({@link Recovery#builder}); {@link #build()} checks them all
 * against the model and reports every problem in one exception, so a user fixes a recipe in one
 * round instead of one error at a time.
 */
public final class RecoveryBuilder {
  private final SameDiffSurgeon surgeon;
  private final List<LayerPath> wiped = new ArrayList<>();
  private ReinitScheme scheme;
  private RecoveryCriterion criterion;
  private ReferenceCost reference;
  private AdamSettings adam;
  private FreezePolicy freeze = FreezePolicy.onlyWiped();
  private TrainingBudget budget = TrainingBudget.ofReferenceFraction(1.0);
  private EvaluationSchedule schedule = EvaluationSchedule.every(10);
  private RecoveryListener listener = RecoveryListener.none();
  private long horizonSteps;
  private Seeds seeds = Seeds.of(SeedStream.WIPE, 0L);
  private final Map<String, String> configuration = new LinkedHashMap<>();
  private Optional<List<List<String>>> fitMapping = Optional.empty();
  private Optional<LossEvaluator.Evaluation> knownOriginal = Optional.empty();
  private final List<String> problems = new ArrayList<>();
  private final List<Recovery.Start> starts = new ArrayList<>();
  private OptionalDouble referenceLoss = OptionalDouble.empty();

  RecoveryBuilder(SameDiffSurgeon surgeon) {
    this.surgeon = surgeon;
  }

  /** Required: the layer to wipe and how. */
  public RecoveryBuilder wipe(LayerPath layer, ReinitScheme scheme) {
    return wipe(List.of(Objects.requireNonNull(layer, "layer")), scheme);
  }

  /** Required: the layers to wipe (e.g. every cross-attention sublayer) and how. */
  public RecoveryBuilder wipe(List<LayerPath> layers, ReinitScheme scheme) {
    Objects.requireNonNull(layers, "layers");
    this.wiped.clear();
    this.wiped.addAll(layers);
    this.scheme = Objects.requireNonNull(scheme, "scheme");
    starts.add(Recovery.Start.WIPE);
    return this;
  }

  /**
   * Instead of {@link #wipe}: the model was changed by the caller before (a surgery of your
   * own, a model rebuilt around a new encoder), and {@code changed} are the layers the freeze
   * policy treats as wiped. Nothing is wiped; the step-0 damage is the model's loss as it is and
   * its agreement with the original, whose evaluation {@link #originalEvaluation} must give (the
   * model in hand is no longer the original). The model is put back as it was given when the
   * run ends.
   */
  public RecoveryBuilder afterSurgery(List<LayerPath> changed) {
    Objects.requireNonNull(changed, "changed");
    this.wiped.clear();
    this.wiped.addAll(changed);
    this.scheme = null;
    starts.add(Recovery.Start.AFTER_SURGERY);
    return this;
  }

  /**
   * Instead of {@link #wipe}: the model is freshly initialised and every parameter trains, judged
   * against the original's loss ({@link #referenceLoss}, or {@link #originalEvaluation}'s): how
   * many examples a model needs from nothing to reach the target a recovery reaches,
   * {@code T_scratch}. The freeze policy is {@link FreezePolicy#allTrainable()}.
   */
  public RecoveryBuilder fromScratch() {
    this.wiped.clear();
    this.scheme = null;
    this.freeze = FreezePolicy.allTrainable();
    starts.add(Recovery.Start.SCRATCH);
    return this;
  }

  /**
   * The loss the target is relative to ({@code L*}), when it is not the loss of the model as it
   * is when the run starts: a study's {@code L*} averaged over its original's last evaluations,
   * or, after the caller's surgery or from scratch, the original's loss. Finite.
   */
  public RecoveryBuilder referenceLoss(double loss) {
    if (!Double.isFinite(loss)) {
      problems.add("referenceLoss must be finite, got " + loss);
      return this;
    }
    this.referenceLoss = OptionalDouble.of(loss);
    return this;
  }

  /**
   * Required: when the run counts as recovered, and the original's training cost
   * {@code S × E} that spending is reported against (ρ).
   */
  public RecoveryBuilder target(RecoveryCriterion criterion, ReferenceCost reference) {
    this.criterion = Objects.requireNonNull(criterion, "criterion");
    this.reference = Objects.requireNonNull(reference, "reference");
    return this;
  }

  /**
   * Required (or {@link #learningRate}): the fresh optimiser that retrains, whatever the
   * graph trained with before.
   */
  public RecoveryBuilder optimiser(AdamSettings adam) {
    this.adam = Objects.requireNonNull(adam, "adam");
    return this;
  }

  /**
   * Required (or {@link #optimiser}): a fresh Adam with this learning rate and the usual
   * betas, {@code AdamSettings.of(rate)}; finite and {@code > 0}.
   */
  public RecoveryBuilder learningRate(double rate) {
    try {
      this.adam = AdamSettings.of(rate);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    return this;
  }

  /** Which parameters train; default {@link FreezePolicy#onlyWiped()}. */
  public RecoveryBuilder freeze(FreezePolicy policy) {
    this.freeze = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /** What the run may spend; default the original's whole {@code S × E}. */
  public RecoveryBuilder budget(TrainingBudget budget) {
    this.budget = Objects.requireNonNull(budget, "budget");
    return this;
  }

  /** Steps between validation evaluations, ≥ 1; default 10. */
  public RecoveryBuilder evaluateEvery(int steps) {
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
  public RecoveryBuilder evaluate(EvaluationSchedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    return this;
  }

  /** The wipe's seed; default 0. Recorded in the manifest. */
  public RecoveryBuilder seed(long wipeSeed) {
    this.seeds = seeds.with(SeedStream.WIPE, wipeSeed);
    return this;
  }

  /**
   * Every seed behind this run (the original's init and data order, the recovery's data
   * order, …) for the manifest; the {@link SeedStream#WIPE} seed, if given, is the wipe's.
   */
  public RecoveryBuilder seeds(Seeds seeds) {
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
  public RecoveryBuilder trainPastTarget(long steps) {
    if (steps < 1) {
      problems.add("trainPastTarget needs a horizon >= 1 step, got " + steps);
      return this;
    }
    this.horizonSteps = steps;
    return this;
  }

  /** Progress observer (steps, evaluations, the result). */
  public RecoveryBuilder listener(RecoveryListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** An extra key/value for the manifest's configuration (model, data, …). */
  public RecoveryBuilder describe(String key, String value) {
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
  public RecoveryBuilder originalEvaluation(LossEvaluator.Evaluation original) {
    Objects.requireNonNull(original, "original");
    if (knownOriginal.isPresent()) {
      problems.add("originalEvaluation was already set");
    }
    knownOriginal = Optional.of(original);
    return this;
  }

  /**
   * For {@link Recovery#startFit} on a graph without a training configuration: the placeholders a
   * {@code MultiDataSet}'s features and labels feed, in order.
   */
  public RecoveryBuilder fitMapping(List<String> features, List<String> labels) {
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
    Recovery.Start start = starts.isEmpty() ? Recovery.Start.WIPE : starts.get(0);
    if (starts.stream().distinct().count() > 1) {
      all.add("wipe, afterSurgery and fromScratch are alternatives; this builder was given "
          + starts.stream().distinct().toList() + ": call one");
    }
    if (start == Recovery.Start.AFTER_SURGERY && knownOriginal.isEmpty()) {
      all.add("afterSurgery needs originalEvaluation(...): the model in hand is no longer the"
          + " original, so its loss cannot be measured here");
    }
    if (start == Recovery.Start.SCRATCH && knownOriginal.isEmpty() && referenceLoss.isEmpty()) {
      all.add("fromScratch needs referenceLoss(L*) or originalEvaluation(...): the target is"
          + " the original's loss");
    }
    if (start == Recovery.Start.SCRATCH && !freeze.equals(FreezePolicy.allTrainable())) {
      all.add("fromScratch trains every parameter; freeze(" + freeze.key() + ") does not apply");
    }
    if (start == Recovery.Start.WIPE && scheme == null) {
      all.add("no layer to wipe: call wipe(layer, scheme), e.g. wipe(LayerPath.block(\"h\", 1),"
          + " ReinitScheme.fresh())");
    }
    if (criterion == null) {
      all.add("no target: call target(criterion, reference), e.g. target(RecoveryCriterion"
          + ".withinNats(0.05), ReferenceCost.of(strings, epochs, tokensPerString))");
    }
    if (adam == null) {
      all.add("no optimiser: call learningRate(rate) or optimiser(AdamSettings.of(rate))");
    }
    boolean layersKnown = start != Recovery.Start.SCRATCH
        && (scheme != null || start == Recovery.Start.AFTER_SURGERY);
    if (layersKnown && wiped.isEmpty()) {
      all.add((start == Recovery.Start.WIPE ? "wipe" : "afterSurgery")
          + " was given no layers; the model has " + surgeon.layout().paths());
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
    RecoverySettings settings = new RecoverySettings(criterion, budget, reference, schedule,
        listener, horizonSteps);
    long wipeSeed = seeds.get(SeedStream.WIPE).orElseThrow();
    return new Recovery(surgeon, new Recovery.Plan(wiped, scheme, freeze, wipeSeed, settings,
        adam), start, seeds, configuration, fitMapping, knownOriginal, referenceLoss);
  }
}
