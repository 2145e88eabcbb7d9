package dev.ablation.examples;

import dev.ablation.samediff.recovery.Recovery;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Sizes, steps and seed: what {@link OwnModel#run(OwnModelOptions)} takes. Start from {@link
 * #defaults()} or {@link #tiny()} and change what you need, {@code
 * OwnModelOptions.defaults().toBuilder().blocks(4).build()}, DJL's shape for an example's options.
 * Each option is checked where it is given (what the example itself relies on; the library
 * validates the rest) and may be given once.
 */
public final class OwnModelOptions {
  private final int blocks;
  private final int dModel;
  private final int vocab;
  private final int context;
  private final int strings;
  private final int epochs;
  private final int batch;
  private final double learningRate;
  private final double epsilon;
  private final int evaluateEvery;
  private final long seed;

  private OwnModelOptions(Builder b) {
    this.blocks = b.blocks;
    this.dModel = b.dModel;
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

  /** What {@link #main} runs: 3 blocks of width 32, 256 training steps; well under a minute. */
  public static OwnModelOptions defaults() {
    return builder().build();
  }

  /** A few seconds' worth, for tests: 2 blocks of width 16 on 256 strings. */
  public static OwnModelOptions tiny() {
    return defaults().toBuilder().blocks(2).dModel(16).context(8).strings(256).epochs(3)
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
  public int blocks() {
    return blocks;
  }

  /** Residual width (one attention head of that width). */
  public int dModel() {
    return dModel;
  }

  /** Tokens of the Markov language. */
  public int vocab() {
    return vocab;
  }

  /** Positions per sequence. */
  public int context() {
    return context;
  }

  /** {@code S}: training strings. */
  public int strings() {
    return strings;
  }

  /** {@code E}: passes of {@code sd.fit} over them. */
  public int epochs() {
    return epochs;
  }

  /** Strings per step. */
  public int batch() {
    return batch;
  }

  /** Adam's, for training and recovery alike. */
  public double learningRate() {
    return learningRate;
  }

  /** Recovered means within this many nats of the trained loss {@code L*}. */
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
    return other instanceof OwnModelOptions x && blocks == x.blocks && dModel == x.dModel
        && vocab == x.vocab && context == x.context && strings == x.strings && epochs == x.epochs
        && batch == x.batch && Double.compare(learningRate, x.learningRate) == 0
        && Double.compare(epsilon, x.epsilon) == 0 && evaluateEvery == x.evaluateEvery
        && seed == x.seed;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(blocks, dModel, vocab, context, strings, epochs, batch,
        learningRate, epsilon, evaluateEvery, seed);
  }

  @Override
  public String toString() {
    return "OwnModelOptions[blocks=" + blocks + ", dModel=" + dModel + ", vocab=" + vocab + ", context="
        + context + ", strings=" + strings + ", epochs=" + epochs + ", batch=" + batch
        + ", learningRate=" + learningRate + ", epsilon=" + epsilon + ", evaluateEvery="
        + evaluateEvery + ", seed=" + seed + "]";
  }

  /**
   * {@link OwnModelOptions} one option at a time, from the defaults. A second call of a setter fails
   * naming it; values copied by {@link OwnModelOptions#toBuilder()} may each be replaced once.
   */
  public static final class Builder {
    private final SetOnce given = new SetOnce();
    private int blocks;
    private int dModel;
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
      blocks = 3;
      dModel = 32;
      vocab = 8;
      context = 16;
      strings = 2048;
      epochs = 2;
      batch = 16;
      learningRate = 3e-3;
      epsilon = 0.05;
      evaluateEvery = 4;
      seed = 2L;
    }

    private Builder(OwnModelOptions o) {
      blocks = o.blocks;
      dModel = o.dModel;
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

    /** Decoder blocks, ≥ 2: block 1 is wiped. */
    public Builder blocks(int v) {
      given.mark("blocks");
      if (v < 2) {
        throw new IllegalArgumentException("OwnModel wipes block 1, so it needs blocks >= 2,"
            + " got " + v);
      }
      blocks = v;
      return this;
    }

    /** Residual width (one attention head of that width), ≥ 1. */
    public Builder dModel(int v) {
      given.mark("dModel");
      dModel = SetOnce.atLeast("dModel", 1, v);
      return this;
    }

    /** Tokens of the Markov language, ≥ 2. */
    public Builder vocab(int v) {
      given.mark("vocab");
      vocab = SetOnce.atLeast("vocab", 2, v);
      return this;
    }

    /** Positions per sequence, ≥ 2. */
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

    /** {@code E}: passes of {@code sd.fit} over them, ≥ 1. */
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

    /** Adam's, for training and recovery alike; finite, &gt; 0. */
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
    public OwnModelOptions build() {
      return new OwnModelOptions(this);
    }
  }
}
