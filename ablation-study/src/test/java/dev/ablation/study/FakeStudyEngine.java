package dev.ablation.study;

import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.store.PopulationChoice;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.plan.TrainingSettings;

import com.google.common.base.Ticker;
import com.google.common.hash.Hashing;
import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.Baseline;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.BudgetMeter;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.Divergence;
import dev.ablation.api.recovery.Environment;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Spending;
import dev.ablation.api.recovery.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic stand-in for the tensor engine: plausible numbers drawn from the seed and the
 * configuration, with the literature's shapes (U-shaped damage, ZERO_OUTPUT milder than FRESH,
 * layer 0 under strict freezing sometimes stalling), judged by the real criterion and budget.
 * {@code SHRINK_PERTURB} with σ > 1 diverges, so every verdict can occur.
 */
public final class FakeStudyEngine implements StudyEngine {
  /** Thrown in place of a {@code kill -9} after a given number of recoveries. */
  public static final class SimulatedCrash extends Error {
    SimulatedCrash(int n) {
      super("simulated crash after " + n + " recoveries");
    }
  }

  static final Environment ENV = Environment.builder().javaVersion("17").javaVendor("fake")
      .os("Linux").arch("amd64").cpu("fake cpu").cores(2).engine("fake").engineVersion("0")
      .backend("fake").build();

  private final int crashAfter;
  int originalsTrained;
  int recoveries;
  int scratchRuns;

  /** An engine that never crashes. */
  public FakeStudyEngine() {
    this(Integer.MAX_VALUE);
  }

  /** An engine that throws {@link SimulatedCrash} when asked for recovery number {@code n + 1}. */
  public FakeStudyEngine(int crashAfter) {
    this.crashAfter = crashAfter;
  }

  private int population = 1;

  /** This engine choosing populations of {@code k} runs (its {@code recoverAll} is the default). */
  public FakeStudyEngine withPopulations(int k) {
    population = k;
    return this;
  }

  @Override
  public PopulationChoice choosePopulation(OriginalRecord original, java.util.List<RecoveryRequest> runs) {
    return population > 1 ? new PopulationChoice(population, 2.0, true, "fake")
        : StudyEngine.super.choosePopulation(original, runs);
  }

  private static SplittableRandom random(Object... parts) {
    StringBuilder b = new StringBuilder();
    for (Object p : parts) {
      b.append(p).append('|');
    }
    return new SplittableRandom(
        Hashing.sha256().hashString(b, StandardCharsets.UTF_8).asLong());
  }

  @Override
  public OriginalRecord original(OriginalSpec spec) {
    originalsTrained++;
    ModelSpec m = spec.model();
    TrainingSettings t = spec.training();
    SplittableRandom r = random("original", spec.contentHash());
    double lossStar = 0.45 * Math.log(t.vocab()) - 0.03 * m.nLayers()
        - 0.05 * Math.log(m.dModel() / 32.0) / Math.log(2) + 0.05 * r.nextDouble();
    List<LayerPath> layers = new ArrayList<>();
    m.targets().forEach(w -> layers.addAll(w.layers()));
    ReferenceCost ref = ReferenceCost.of(t.strings(), t.stopping().maxEpochs(),
        t.seqLen());
    // a curve falling from ln V to L*, flat over its last points; sigma from their noise
    List<CurvePoint> curve = new ArrayList<>();
    int points = 20;
    for (int i = 0; i <= points; i++) {
      long ex = ref.examples() * i / points;
      double loss = lossStar + (Math.log(t.vocab()) - lossStar) * Math.exp(-8.0 * i / points)
          + 0.002 * (r.nextDouble() - 0.5);
      curve.add(new CurvePoint(i, ex, ex * t.seqLen(), loss, Double.NaN));
    }
    return new OriginalRecord(spec, lossStar, ref, layers, 0.001 + 0.001 * r.nextDouble(), curve);
  }

  @Override
  public OptionalLong scratchExamples(OriginalRecord original) {
    scratchRuns++;
    SplittableRandom r = random("scratch", original.spec().contentHash());
    return OptionalLong.of(Math.round(original.reference().examples() * (0.7 + 0.2 * r.nextDouble())));
  }

  @Override
  public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
      RecoveryListener listener) {
    if (recoveries >= crashAfter) {
      throw new SimulatedCrash(recoveries);
    }
    recoveries++;
    OriginalSpec spec = original.spec();
    TrainingSettings t = spec.training();
    int n = spec.model().nLayers();
    double p = request.target().position().isPresent() && n > 1
        ? (double) request.target().position().getAsInt() / (n - 1) : 0.5;
    SplittableRandom r = random("recover", spec.contentHash(), request);
    double lossStar = original.lossOriginal();
    double damage = (0.4 + 1.6 * (1 - p) * (1 - p) + 0.8 * p * p) * 4.0 / (n + 2)
        * (0.9 + 0.2 * r.nextDouble());
    boolean zero = request.scheme() instanceof ReinitScheme.ZeroOutput;
    double lossDeleted = lossStar + 0.45 * damage;
    double lossAfterWipe = zero ? lossDeleted : lossStar + damage;
    boolean all = request.policy() instanceof FreezePolicy.AllTrainable;
    double tau = original.reference().examples() * 0.015 * (1 + 3 * (1 - p) * (1 - p))
        * (zero ? 0.6 : 1) * (all ? 0.5 : 1) * (0.8 + 0.4 * r.nextDouble());
    boolean stalls = p == 0 && !all && !zero && request.seed() % 2 == 1;
    double floor = stalls ? 3 * t.target().epsilon() + 0.01 : 0;
    boolean diverges = request.scheme() instanceof ReinitScheme.ShrinkPerturb s && s.sigma() > 1;

    RecoveryCriterion criterion = t.criterion(original.lossSd());
    long[] fakeNanos = {0};
    Ticker ticker = new Ticker() {
      @Override
      public long read() {
        return fakeNanos[0];
      }
    };
    Map<String, String> config = new TreeMap<>(spec.configuration());
    config.put("target", request.target().label());
    config.put("scheme", request.scheme().toString());
    config.put("freeze", request.policy().key());
    RunManifest manifest = new RunManifest(RunManifest.SCHEMA, "test", config,
        Map.of("master", request.seed()), ENV);
    // the real monitor, as the library's loop drives it: the loss after each step is a pure
    // function of the step (its noise drawn from the step), so the steps between evaluations
    // can be searched as kept copies would be
    RecoveryMonitor m = RecoveryMonitor.start(new RecoverySettings(criterion,
            t.recoveryBudget(), original.reference(), t.schedule(), listener, t.horizonSteps()),
        new Damage(lossStar, lossAfterWipe, OptionalDouble.of(lossDeleted), Optional.empty()),
        manifest, ticker);
    long noise = r.nextLong();
    java.util.function.LongToDoubleFunction lossAt = step -> {
      long examples = step * t.batchSize();
      return diverges && step > 2L * t.evalEvery() ? Double.NaN
          : lossStar + floor + (lossAfterWipe - lossStar - floor) * Math.exp(-examples / tau)
              + 0.004 * (new SplittableRandom(noise ^ step).nextDouble() - 0.5);
    };
    Cost cost = Cost.step(t.batchSize(), t.seqLen(), 0);
    Optional<dev.ablation.api.recovery.FidelityAt> atTarget = Optional.empty();
    while (!m.isFinished()) {
      if (!m.tryStep(cost)) {
        break;
      }
      fakeNanos[0] += 7_000_000;
      m.stepDone();
      if (m.evaluationDue()) {
        m.evaluate(lossAt.applyAsDouble(m.spent().steps()), lossAt::applyAsDouble);
        // as the library's loop measures it
        if (atTarget.isEmpty() && m.pastTarget() && m.targetConfirmedAt().isPresent()) {
          atTarget = Optional.of(new dev.ablation.api.recovery.FidelityAt(
              m.targetConfirmedAt().getAsLong(),
              new dev.ablation.api.recovery.Fidelity(0.9, 0.05)));
        }
      }
    }
    RecoveryResult result = m.result(Optional.empty(), atTarget);
    return result;
  }
}
