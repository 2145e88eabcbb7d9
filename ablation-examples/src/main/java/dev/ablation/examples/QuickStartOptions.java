package dev.ablation.examples;

import dev.ablation.api.recovery.Seeds;

/**
 * Sizes, steps and seed: what {@link QuickStart#run(QuickStartOptions)} takes. Start from {@link
 * #defaults()} or {@link #tiny()} and change what you need, {@code
 * QuickStartOptions.defaults().toBuilder().layers(4).build()}, DJL's shape for an example's options.
 * Each option is checked where it is given (what the example itself relies on; the library
 * validates the rest) and may be given once.
 */
public final class QuickStartOptions {
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

  private QuickStartOptions(Builder b) {
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
  public static QuickStartOptions defaults() {
    return builder().build();
  }

  /** A few seconds' worth, for tests: 2 blocks of width 16 on 256 strings. */
  public static QuickStartOptions tiny() {
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
    return other instanceof QuickStartOptions x && layers == x.layers && dModel == x.dModel
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
    return "QuickStartOptions[layers=" + layers + ", dModel=" + dModel + ", heads=" + heads + ", vocab="
        + vocab + ", context=" + context + ", strings=" + strings + ", epochs=" + epochs
        + ", batch=" + batch + ", learningRate=" + learningRate + ", epsilon=" + epsilon
        + ", evaluateEvery=" + evaluateEvery + ", seed=" + seed + "]";
  }

  /**
   * {@link QuickStartOptions} one option at a time, from the defaults. A second call of a setter fails
   * naming it; values copied by {@link QuickStartOptions#toBuilder()} may each be replaced once.
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

    private Builder(QuickStartOptions o) {
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
    public QuickStartOptions build() {
      return new QuickStartOptions(this);
    }
  }
}
