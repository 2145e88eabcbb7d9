package dev.ablation.examples;

import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.Cost;
import dev.ablation.api.recovery.Damage;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryMonitor;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.recovery.SeedStream;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffEnvironment;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole question in your own training loop: train a small decoder, reset {@code blocks.1}
 * to random weights, freeze everything else, retrain only that block, and ask how many
 * examples it took to get back to the original's loss, as a fraction ρ of what training the
 * original took ({@code S × E}).
 *
 * <p>Nothing here hides a loop: the original is trained step by step with an
 * {@link AdamStepper}, and the recovery drives the {@link RecoveryMonitor} step API by hand.
 * {@code Recovery.builder(surgeon)…build().run(train, validation)} does the same in one
 * expression (see {@link OwnModel}).
 *
 * <pre>
 * java -cp ablation-cli/target/ablation.jar:ablation-examples/target/ablation-examples.jar dev.ablation.examples.QuickStart
 * </pre>
 */
public final class QuickStart {
  private QuickStart() {}

  /** What {@link #main} runs: 2 blocks of width 32, 256 training steps; well under a minute. */
  public static ExampleOptions defaults() {
    return new ExampleOptions(new ExampleOptions.Sizes(2, 32, 2, 8, 16),
        new ExampleOptions.Training(2048, 2, 16, 3e-3, 0.05, 4), 1);
  }

  /** A few seconds' worth, for tests: 2 blocks of width 16 on 256 strings. */
  public static ExampleOptions tiny() {
    return new ExampleOptions(new ExampleOptions.Sizes(2, 16, 2, 8, 8),
        new ExampleOptions.Training(256, 3, 16, 1e-2, 0.05, 2), 1);
  }

  /** Runs {@link #defaults()} and prints the verdict, ρ and the curve. */
  public static void main(String[] args) {
    Console.quietLogs();
    ExampleRun o = Console.withoutGradientChatter(() -> run(defaults()));
    System.out.println("QuickStart: wiped " + o.wiped() + " (FRESH), retrained it alone");
    System.out.print(Console.summary(o.result()));
  }

  /** Trains the original, wipes {@code blocks.1} with {@code FRESH} and measures its recovery. */
  public static ExampleRun run(ExampleOptions o) {
    // 1. The original: a small decoder trained on an order-2 Markov language, by our own loop.
    Split data = new MarkovChain(o.vocab(), 2, 3.0, o.seed())
        .split(o.strings(), 256, o.context() + 1, o.seed());
    ReferenceModel original = ReferenceModel.build(TransformerConfig.decoderOnly(
        o.layers(), o.dModel(), o.heads(), o.vocab(), o.context(), o.seed()));
    List<Batch> train = ReferenceBatches.of(original).batches(data.train(), o.batch());
    List<Batch> validation = ReferenceBatches.of(original).batches(data.validation(), 256);
    AdamStepper all = new AdamStepper(original.model(), original.parameterVariables(),
        AdamSettings.of(o.learningRate()));
    for (int step = 0; step < o.epochs() * train.size(); step++) {
      all.step(train.get(step % train.size()));
    }
    ReferenceCost sTimesE = new ReferenceCost(all.examples(), all.tokens());

    // 2. The surgery: reset blocks.1 to fresh random weights and measure the damage at step 0.
    LayerPath wiped = LayerPath.block(1);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(original.model());
    WeightSnapshot trained = surgeon.snapshot();
    LossEvaluator.Evaluation before = new LossEvaluator(original.model()).evaluate(validation);
    surgeon.wipe(wiped, ReinitScheme.fresh(), o.seed());
    Damage damage = StepZeroDamage.measure(surgeon, List.of(wiped), before, validation);

    // 3. The recovery: a fresh Adam over the wiped block's variables only (the rest is frozen
    //    because nothing ever writes it), watched by the monitor, until it gives a verdict.
    List<String> onlyWiped = surgeon.layout().layer(wiped).parameters().stream()
        .map(p -> original.layers().variable(p.path())).toList();
    AdamStepper stepper = new AdamStepper(original.model(), onlyWiped,
        AdamSettings.of(o.learningRate()));
    RecoverySettings settings = RecoverySettings.of(
        RecoveryCriterion.withinNats(o.epsilon()).smoothedOver(2).withPatience(8, 1e-3),
        TrainingBudget.ofReferenceFraction(1.0), sTimesE, o.evaluateEvery());
    RecoveryMonitor monitor = RecoveryMonitor.start(settings, damage, manifest(o));
    LossEvaluator validationLoss = new LossEvaluator(original.model());
    for (int step = 0; !monitor.isFinished(); step++) {
      Batch b = train.get(step % train.size());
      double flops = 6.0 * stepper.parameterCount() * b.tokens(); // forward + backward
      if (!monitor.tryStep(new Cost(1, b.examples(), b.tokens(), flops))) {
        break; // the budget cannot pay for another step: BUDGET_EXHAUSTED
      }
      monitor.stepDone(stepper.tryStep(b));
      if (monitor.evaluationDue()) {
        monitor.evaluate(validationLoss.meanLoss(validation));
      }
    }
    RecoveryResult result = monitor.result(Optional.empty());
    return new ExampleRun(result, wiped, trained, surgeon.snapshot());
  }

  private static RunManifest manifest(ExampleOptions o) {
    return RunManifest.of(Map.of("example", "QuickStart", "options", o.toString(),
            "wiped", "blocks.1", "scheme", "FRESH", "freeze", "onlyWiped"),
        Seeds.of(SeedStream.MASTER, o.seed()), SameDiffEnvironment.current());
  }
}
