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
   * What to load and how to measure it: what {@link Pretrained#run(Options)} takes. The fixture
   * is small and briefly trained: wiping {@code h.1} costs it only a few hundredths of a nat, so
   * the target is tight (0.01 nats). The checkpoint and its heads are required ({@link
   * #builder(Path, int)}); the rest start from {@link #defaults(Path, int)}'s values, and each
   * is checked where it is given and may be given once, e.g. {@code Options.defaults(file,
   * 4).toBuilder().maxSteps(100).build()}.
   */
  public static final class Options {
    private final Path checkpoint;
    private final int nHead;
    private final long referenceExamples;
    private final int trainStrings;
    private final int batch;
    private final double learningRate;
    private final double epsilon;
    private final int maxSteps;
    private final int evaluateEvery;
    private final long seed;

    private Options(Builder b) {
      this.checkpoint = b.checkpoint;
      this.nHead = b.nHead;
      this.referenceExamples = b.referenceExamples;
      this.trainStrings = b.trainStrings;
      this.batch = b.batch;
      this.learningRate = b.learningRate;
      this.epsilon = b.epsilon;
      this.maxSteps = b.maxSteps;
      this.evaluateEvery = b.evaluateEvery;
      this.seed = b.seed;
    }

    /** What {@link #main} runs: up to 400 steps of 32 windows; about a minute. */
    public static Options defaults(Path checkpoint, int nHead) {
      return builder(checkpoint, nHead).build();
    }

    /** A few seconds' worth, for tests. */
    public static Options tiny(Path checkpoint) {
      return builder(checkpoint, 4).trainStrings(256).batch(16).maxSteps(16).evaluateEvery(4)
          .build();
    }

    /**
     * A builder for {@code checkpoint}, a GPT-2-layout safetensors file, with {@code nHead}
     * attention heads (from its {@code config.json}: shapes do not fix it); the other options
     * start from {@link #defaults(Path, int)}'s values.
     *
     * @throws NullPointerException if {@code checkpoint} is null
     * @throws IllegalArgumentException if there is no file at {@code checkpoint}, or
     *     {@code nHead < 1}
     */
    public static Builder builder(Path checkpoint, int nHead) {
      return new Builder(checkpoint, nHead);
    }

    /** A builder holding these options, each of which may be replaced once. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** A GPT-2-layout safetensors file. */
    public Path checkpoint() {
      return checkpoint;
    }

    /** Its attention heads (from its {@code config.json}: shapes do not fix it). */
    public int nHead() {
      return nHead;
    }

    /** {@code S × E} of the original's training, for ρ. */
    public long referenceExamples() {
      return referenceExamples;
    }

    /** Recovery training windows of Europarl characters. */
    public int trainStrings() {
      return trainStrings;
    }

    /** Windows per step. */
    public int batch() {
      return batch;
    }

    /** Adam's, for the retrained block. */
    public double learningRate() {
      return learningRate;
    }

    /** Recovered means within this many nats of the loaded model's loss. */
    public double epsilon() {
      return epsilon;
    }

    /** The budget, in steps. */
    public int maxSteps() {
      return maxSteps;
    }

    /** Steps between validation evaluations. */
    public int evaluateEvery() {
      return evaluateEvery;
    }

    /** The data draw and the wipe. */
    public long seed() {
      return seed;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Options x && checkpoint.equals(x.checkpoint) && nHead == x.nHead
          && referenceExamples == x.referenceExamples && trainStrings == x.trainStrings
          && batch == x.batch && Double.compare(learningRate, x.learningRate) == 0
          && Double.compare(epsilon, x.epsilon) == 0 && maxSteps == x.maxSteps
          && evaluateEvery == x.evaluateEvery && seed == x.seed;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(checkpoint, nHead, referenceExamples, trainStrings, batch,
          learningRate, epsilon, maxSteps, evaluateEvery, seed);
    }

    @Override
    public String toString() {
      return "Options[checkpoint=" + checkpoint + ", nHead=" + nHead + ", referenceExamples="
          + referenceExamples + ", trainStrings=" + trainStrings + ", batch=" + batch
          + ", learningRate=" + learningRate + ", epsilon=" + epsilon + ", maxSteps=" + maxSteps
          + ", evaluateEvery=" + evaluateEvery + ", seed=" + seed + "]";
    }

    /**
     * {@link Options} one option at a time, from the defaults. A second call of a setter fails
     * naming it; values copied by {@link Options#toBuilder()} may each be replaced once.
     */
    public static final class Builder {
      private final SetOnce given = new SetOnce();
      private final Path checkpoint;
      private final int nHead;
      private long referenceExamples;
      private int trainStrings;
      private int batch;
      private double learningRate;
      private double epsilon;
      private int maxSteps;
      private int evaluateEvery;
      private long seed;

      private Builder(Path checkpoint, int nHead) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (!Files.isRegularFile(checkpoint)) {
          throw new IllegalArgumentException("no checkpoint at " + checkpoint.toAbsolutePath()
              + "; run from the repository root, or pass the path of a GPT-2-layout"
              + " safetensors file (e.g. " + FIXTURE + ")");
        }
        this.checkpoint = checkpoint;
        this.nHead = SetOnce.atLeast("nHead", 1, nHead);
        referenceExamples = FIXTURE_EXAMPLES;
        trainStrings = 4096;
        batch = 32;
        learningRate = 3e-3;
        epsilon = 0.01;
        maxSteps = 400;
        evaluateEvery = 20;
        seed = 35;
      }

      private Builder(Options o) {
        checkpoint = o.checkpoint;
        nHead = o.nHead;
        referenceExamples = o.referenceExamples;
        trainStrings = o.trainStrings;
        batch = o.batch;
        learningRate = o.learningRate;
        epsilon = o.epsilon;
        maxSteps = o.maxSteps;
        evaluateEvery = o.evaluateEvery;
        seed = o.seed;
      }

      /** {@code S × E} of the original's training, for ρ; ≥ 1. */
      public Builder referenceExamples(long v) {
        given.mark("referenceExamples");
        if (v < 1) {
          throw new IllegalArgumentException("referenceExamples must be >= 1, got " + v);
        }
        referenceExamples = v;
        return this;
      }

      /** Recovery training windows of Europarl characters, ≥ 1. */
      public Builder trainStrings(int v) {
        given.mark("trainStrings");
        trainStrings = SetOnce.atLeast("trainStrings", 1, v);
        return this;
      }

      /** Windows per step, ≥ 1. */
      public Builder batch(int v) {
        given.mark("batch");
        batch = SetOnce.atLeast("batch", 1, v);
        return this;
      }

      /** Adam's, for the retrained block; finite, &gt; 0. */
      public Builder learningRate(double v) {
        given.mark("learningRate");
        learningRate = SetOnce.positive("learningRate", v);
        return this;
      }

      /** Recovered means within this many nats of the loaded model's loss; finite, &gt; 0. */
      public Builder epsilon(double v) {
        given.mark("epsilon");
        epsilon = SetOnce.positive("epsilon", v);
        return this;
      }

      /** The budget, in steps, ≥ 1. */
      public Builder maxSteps(int v) {
        given.mark("maxSteps");
        maxSteps = SetOnce.atLeast("maxSteps", 1, v);
        return this;
      }

      /** Steps between validation evaluations, ≥ 1. */
      public Builder evaluateEvery(int v) {
        given.mark("evaluateEvery");
        evaluateEvery = SetOnce.atLeast("evaluateEvery", 1, v);
        return this;
      }

      /** The data draw and the wipe. */
      public Builder seed(long v) {
        given.mark("seed");
        seed = v;
        return this;
      }

      /** The options; every value was checked where it was given. */
      public Options build() {
        return new Options(this);
      }
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
