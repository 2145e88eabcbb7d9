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

  /**
   * Sizes, steps and seed: what {@link QuickStart#run(Options)} takes. Start from {@link
   * #defaults()} or {@link #tiny()} and change what you need, {@code
   * Options.defaults().toBuilder().layers(4).build()}, DJL's shape for an example's options.
   * Each option is checked where it is given (what the example itself relies on; the library
   * validates the rest) and may be given once.
   */
  public static final class Options {
    private final int layers;
    private final int dModel;
    private final int heads;
    private final int vocab;
    private final int context;
    private final int strings;
    private final int epochs;
    private final int batch;
    private final double learningRate;
    private final double epsilon;
    private final int evaluateEvery;
    private final long seed;

    private Options(Builder b) {
      this.layers = b.layers;
      this.dModel = b.dModel;
      this.heads = b.heads;
      this.vocab = b.vocab;
      this.context = b.context;
      this.strings = b.strings;
      this.epochs = b.epochs;
      this.batch = b.batch;
      this.learningRate = b.learningRate;
      this.epsilon = b.epsilon;
      this.evaluateEvery = b.evaluateEvery;
      this.seed = b.seed;
    }

    /** What {@link #main} runs: 2 blocks of width 32, 256 training steps; well under a minute. */
    public static Options defaults() {
      return builder().build();
    }

    /** A few seconds' worth, for tests: 2 blocks of width 16 on 256 strings. */
    public static Options tiny() {
      return defaults().toBuilder().dModel(16).context(8).strings(256).epochs(3)
          .learningRate(1e-2).evaluateEvery(2).build();
    }

    /** A builder starting from {@link #defaults()}'s values, each of which may be set once. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding these options, each of which may be replaced once. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** Decoder blocks, ≥ 2 (block 1 is wiped). */
    public int layers() {
      return layers;
    }

    /** Residual width {@code d_model}. */
    public int dModel() {
      return dModel;
    }

    /** Attention heads {@code n_heads}. */
    public int heads() {
      return heads;
    }

    /** Tokens of the Markov language. */
    public int vocab() {
      return vocab;
    }

    /** Tokens per training string fed to the model. */
    public int context() {
      return context;
    }

    /** {@code S}: training strings. */
    public int strings() {
      return strings;
    }

    /** {@code E}: passes of the original over them. */
    public int epochs() {
      return epochs;
    }

    /** Strings per step. */
    public int batch() {
      return batch;
    }

    /** Adam's, for the original and the recovery alike. */
    public double learningRate() {
      return learningRate;
    }

    /** Recovered means within this many nats of the original's loss {@code L*}. */
    public double epsilon() {
      return epsilon;
    }

    /** Recovery steps between validation evaluations. */
    public int evaluateEvery() {
      return evaluateEvery;
    }

    /** Seeds the language, the data, the weights and the wipe. */
    public long seed() {
      return seed;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Options x && layers == x.layers && dModel == x.dModel
          && heads == x.heads && vocab == x.vocab && context == x.context && strings == x.strings
          && epochs == x.epochs && batch == x.batch
          && Double.compare(learningRate, x.learningRate) == 0
          && Double.compare(epsilon, x.epsilon) == 0 && evaluateEvery == x.evaluateEvery
          && seed == x.seed;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(layers, dModel, heads, vocab, context, strings, epochs, batch,
          learningRate, epsilon, evaluateEvery, seed);
    }

    @Override
    public String toString() {
      return "Options[layers=" + layers + ", dModel=" + dModel + ", heads=" + heads + ", vocab="
          + vocab + ", context=" + context + ", strings=" + strings + ", epochs=" + epochs
          + ", batch=" + batch + ", learningRate=" + learningRate + ", epsilon=" + epsilon
          + ", evaluateEvery=" + evaluateEvery + ", seed=" + seed + "]";
    }

    /**
     * {@link Options} one option at a time, from the defaults. A second call of a setter fails
     * naming it; values copied by {@link Options#toBuilder()} may each be replaced once.
     */
    public static final class Builder {
      private final SetOnce given = new SetOnce();
      private int layers;
      private int dModel;
      private int heads;
      private int vocab;
      private int context;
      private int strings;
      private int epochs;
      private int batch;
      private double learningRate;
      private double epsilon;
      private int evaluateEvery;
      private long seed;

      private Builder() {
        layers = 2;
        dModel = 32;
        heads = 2;
        vocab = 8;
        context = 16;
        strings = 2048;
        epochs = 2;
        batch = 16;
        learningRate = 3e-3;
        epsilon = 0.05;
        evaluateEvery = 4;
        seed = 1L;
      }

      private Builder(Options o) {
        layers = o.layers;
        dModel = o.dModel;
        heads = o.heads;
        vocab = o.vocab;
        context = o.context;
        strings = o.strings;
        epochs = o.epochs;
        batch = o.batch;
        learningRate = o.learningRate;
        epsilon = o.epsilon;
        evaluateEvery = o.evaluateEvery;
        seed = o.seed;
      }

      /** Decoder blocks, ≥ 2: {@code blocks.1} is wiped. */
      public Builder layers(int v) {
        given.mark("layers");
        if (v < 2) {
          throw new IllegalArgumentException("QuickStart wipes blocks.1, so it needs layers >= 2,"
              + " got " + v);
        }
        layers = v;
        return this;
      }

      /** Residual width {@code d_model}, ≥ 1. */
      public Builder dModel(int v) {
        given.mark("dModel");
        dModel = SetOnce.atLeast("dModel", 1, v);
        return this;
      }

      /** Attention heads {@code n_heads}, ≥ 1. */
      public Builder heads(int v) {
        given.mark("heads");
        heads = SetOnce.atLeast("heads", 1, v);
        return this;
      }

      /** Tokens of the Markov language, ≥ 2. */
      public Builder vocab(int v) {
        given.mark("vocab");
        vocab = SetOnce.atLeast("vocab", 2, v);
        return this;
      }

      /** Tokens per training string fed to the model, ≥ 2. */
      public Builder context(int v) {
        given.mark("context");
        context = SetOnce.atLeast("context", 2, v);
        return this;
      }

      /** {@code S}: training strings, ≥ 1. */
      public Builder strings(int v) {
        given.mark("strings");
        strings = SetOnce.atLeast("strings", 1, v);
        return this;
      }

      /** {@code E}: passes of the original over them, ≥ 1. */
      public Builder epochs(int v) {
        given.mark("epochs");
        epochs = SetOnce.atLeast("epochs", 1, v);
        return this;
      }

      /** Strings per step, ≥ 1. */
      public Builder batch(int v) {
        given.mark("batch");
        batch = SetOnce.atLeast("batch", 1, v);
        return this;
      }

      /** Adam's, for the original and the recovery alike; finite, &gt; 0. */
      public Builder learningRate(double v) {
        given.mark("learningRate");
        learningRate = SetOnce.positive("learningRate", v);
        return this;
      }

      /** Recovered means within this many nats of {@code L*}; finite, &gt; 0. */
      public Builder epsilon(double v) {
        given.mark("epsilon");
        epsilon = SetOnce.positive("epsilon", v);
        return this;
      }

      /** Recovery steps between validation evaluations, ≥ 1. */
      public Builder evaluateEvery(int v) {
        given.mark("evaluateEvery");
        evaluateEvery = SetOnce.atLeast("evaluateEvery", 1, v);
        return this;
      }

      /** Seeds the language, the data, the weights and the wipe. */
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

  /** Runs {@link Options#defaults()} and prints the verdict, ρ and the curve. */
  public static void main(String[] args) {
    Console.quietLogs();
    ExampleRun o = Console.withoutGradientChatter(() -> run(Options.defaults()));
    System.out.println("QuickStart: wiped " + o.wiped() + " (FRESH), retrained it alone");
    System.out.print(Console.summary(o.result()));
  }

  /** Trains the original, wipes {@code blocks.1} with {@code FRESH} and measures its recovery. */
  public static ExampleRun run(Options o) {
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

  private static RunManifest manifest(Options o) {
    return RunManifest.of(Map.of("example", "QuickStart", "options", o.toString(),
            "wiped", "blocks.1", "scheme", "FRESH", "freeze", "onlyWiped"),
        Seeds.of(SeedStream.MASTER, o.seed()), SameDiffEnvironment.current());
  }
}
