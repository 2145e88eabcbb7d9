package dev.ablation.samediff.recovery;

import com.google.common.collect.ImmutableList;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.RunSeeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.internal.RecoveryLoop;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one recovery is, as the population runs and this package's tests take it, and the
 * single run that leaves the model recovered. Package-private: from outside this package every
 * recovery starts at {@link Recovery#builder}, which is the one entry point;
 * {@link Recovery#plan()} gives a built recovery's plan.
 */
final class SameDiffRecovery {
  private SameDiffRecovery() {}

  /**
   * What one recovery run does.
   *
   * @param layers the layers to wipe (one block, or e.g. every cross-attention sublayer)
   * @param scheme how to re-initialise them
   * @param freeze which parameters train
   * @param seed the wipe's seed (data order is the caller's iterator's)
   * @param settings criterion, budget, reference and evaluation interval
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
      layers = ImmutableList.copyOf(layers);
    }

    Map<String, String> describe() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("wiped", layers.toString());
      m.put("scheme", scheme.toString());
      m.put("freeze", freeze.key());
      m.put("criterion", settings.criterion().toString());
      m.put("budget", settings.budget().toString());
      m.put("evaluate_every", String.valueOf(settings.evaluateEvery()));
      m.put("reference_examples", String.valueOf(settings.reference().examples()));
      m.put("adam", adam.toString());
      return m;
    }
  }

  /**
   * Runs the plan on the surgeon's model and leaves the model in its recovered state (take a
   * {@link SameDiffSurgeon#snapshot()} first to go back); no batch-shape checks.
   */
  static RecoveryResult run(SameDiffSurgeon surgeon, Plan plan, Iterator<Batch> training,
      List<Batch> validation, Map<String, String> configuration) {
    Objects.requireNonNull(surgeon, "surgeon");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(training, "training");
    if (validation == null || validation.isEmpty()) {
      throw new IllegalArgumentException("recovery needs at least one validation batch");
    }
    // resolve first: a bad layer or a policy that freezes everything fails before any change
    plan.freeze().resolve(surgeon.layout(), plan.layers(), 0);
    LossEvaluator.Evaluation original = new LossEvaluator(surgeon.model()).evaluate(validation);
    surgeon.wipe(plan.layers(), plan.scheme(), plan.seed());
    Damage damage = StepZeroDamage.measure(surgeon, plan.layers(), original, validation);
    Map<String, String> config = new LinkedHashMap<>(configuration);
    config.putAll(plan.describe());
    RunManifest manifest = RunManifest.of(config, RunSeeds.of(SeedStream.WIPE, plan.seed()),
        SameDiffEnvironment.current());
    return RecoveryLoop.retrain(surgeon, damage, plan.layers(), plan.freeze(), plan.settings(),
        plan.adam(), training, validation, Optional.of(original), manifest);
  }

  /** A never-ending iterator over {@code batches}, in order. */
  static Iterator<Batch> cycle(List<Batch> batches) {
    return RecoveryLoop.cycle(batches);
  }
}
