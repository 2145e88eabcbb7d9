package dev.ablation.examples;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.load.Gpt2Checkpoint;
import dev.ablation.samediff.model.Gpt2Config;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A transformer trained in PyTorch, wiped and healed in SameDiff: the committed tiny GPT
 * ({@code fixtures/tiny-gpt}, a GPT-2-layout model trained on Europarl characters by
 * {@code make_tiny_gpt.py}) is read from its safetensors file into a SameDiff graph by name,
 * block {@code h.1} is wiped with {@code FRESH}, retrained alone, and the damage, the verdict and
 * the examples it took to recover are printed.
 *
 * <pre>
 * java -cp ablation-cli/target/ablation.jar:ablation-examples/target/ablation-examples.jar dev.ablation.examples.Pretrained \
 *     [fixtures/tiny-gpt/tiny-gpt-f32.safetensors [n_head]]
 * </pre>
 */
public final class Pretrained {
  /** Where the committed fixture lies, from the repository root. */
  public static final Path FIXTURE = Path.of("fixtures/tiny-gpt/tiny-gpt-f32.safetensors");
  /**
   * The examples the fixture was trained on ({@code S × E}: 400 steps of 32 windows in
   * make_tiny_gpt.py): the reference for ρ.
   */
  public static final long FIXTURE_EXAMPLES = 400L * 32;

  private Pretrained() {}

  /** Loads the checkpoint (default: the committed fixture), wipes h.1, prints the recovery. */
  public static void main(String[] args) {
    Console.quietLogs();
    Path file = args.length > 0 ? Path.of(args[0]) : FIXTURE;
    int heads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    ExampleRun o = Console.withoutGradientChatter(() -> run(PretrainedOptions.defaults(file, heads)));
    System.out.println("Pretrained: " + file + ", wiped " + o.wiped()
        + " (FRESH), retrained it alone");
    System.out.print(Console.summary(o.result()));
  }

  /** Loads the checkpoint and measures the recovery of block h.1 after a FRESH wipe. */
  public static ExampleRun run(PretrainedOptions o) {
    Gpt2Checkpoint checkpoint = Gpt2Checkpoint.read(o.checkpoint());  // header checked first
    Gpt2Config config = checkpoint.config(o.nHead(), checkpoint.sizes().nPositions());
    SameDiffModel model = checkpoint.load(config);                      // weights in by name

    Split data = EuroparlText.load().split(o.trainStrings(), 256, config.context() + 1,
        o.seed());
    ReferenceBatches batches = ReferenceBatches.of(config.asReference(), DataType.FLOAT);
    List<Batch> train = batches.batches(data.train(), o.batch());
    List<Batch> validation = batches.batches(data.validation(), 64);

    LayerPath wiped = LayerPath.block("h", 1);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model);
    WeightSnapshot trained = surgeon.snapshot();
    WeightSnapshot[] recovered = new WeightSnapshot[1];
    RecoveryResult result = Recovery.builder(surgeon)
        .wipe(wiped, ReinitScheme.fresh())
        .freeze(FreezePolicy.onlyWiped())
        .target(RecoveryCriterion.withinNats(o.epsilon()).smoothedOver(2),
            ReferenceCost.of(o.referenceExamples(), 1, config.context()))
        .budget(TrainingBudget.ofSteps(o.maxSteps()))
        .evaluateEvery(o.evaluateEvery())
        .learningRate(o.learningRate())
        .seed(o.seed())
        .describe("example", "Pretrained")
        .describe("checkpoint", o.checkpoint().getFileName().toString())
        .listener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult r) {
            recovered[0] = surgeon.snapshot();
          }
        })
        .build()
        .run(train, validation);
    return new ExampleRun(result, wiped, trained, recovered[0]);
  }
}
