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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
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

  /**
   * What to load and how to measure it. The fixture is small and briefly trained: wiping
   * {@code h.1} costs it only a few hundredths of a nat, so the target is tight (0.01 nats).
   *
   * @param checkpoint a GPT-2-layout safetensors file
   * @param nHead its attention heads (from its {@code config.json}: shapes do not fix it)
   * @param referenceExamples {@code S × E} of the original's training, for ρ
   * @param trainStrings recovery training windows of Europarl characters
   * @param batch windows per step
   * @param learningRate Adam's, for the retrained block
   * @param epsilon recovered means within this many nats of the loaded model's loss
   * @param maxSteps the budget, in steps
   * @param evaluateEvery steps between validation evaluations
   * @param seed the data draw and the wipe
   */
  public record Options(Path checkpoint, int nHead, long referenceExamples, int trainStrings,
      int batch, double learningRate, double epsilon, int maxSteps, int evaluateEvery,
      long seed) {
    /** Checks the file exists; the library checks the rest. */
    public Options {
      Objects.requireNonNull(checkpoint, "checkpoint");
      if (!Files.isRegularFile(checkpoint)) {
        throw new IllegalArgumentException("no checkpoint at " + checkpoint.toAbsolutePath()
            + "; run from the repository root, or pass the path of a GPT-2-layout safetensors"
            + " file (e.g. " + FIXTURE + ")");
      }
    }

    /** What {@link #main} runs: up to 400 steps of 32 windows; about a minute. */
    public static Options defaults(Path checkpoint, int nHead) {
      return new Options(checkpoint, nHead, FIXTURE_EXAMPLES, 4096, 32, 3e-3, 0.01, 400, 20,
          35);
    }

    /** A few seconds' worth, for tests. */
    public static Options tiny(Path checkpoint) {
      return new Options(checkpoint, 4, FIXTURE_EXAMPLES, 256, 16, 3e-3, 0.01, 16, 4, 35);
    }
  }

  /** Loads the checkpoint (default: the committed fixture), wipes h.1, prints the recovery. */
  public static void main(String[] args) {
    Console.quietLogs();
    Path file = args.length > 0 ? Path.of(args[0]) : FIXTURE;
    int heads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    ExampleRun o = Console.withoutGradientChatter(() -> run(Options.defaults(file, heads)));
    System.out.println("Pretrained: " + file + ", wiped " + o.wiped()
        + " (FRESH), retrained it alone");
    System.out.print(Console.summary(o.result()));
  }

  /** Loads the checkpoint and measures the recovery of block h.1 after a FRESH wipe. */
  public static ExampleRun run(Options o) {
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
