package dev.ablation.examples;

import dev.ablation.api.internal.SetOnce;
import dev.ablation.samediff.recovery.Recovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to load and how to measure it: what {@link Pretrained#run(PretrainedOptions)} takes. The fixture
 * is small and briefly trained: wiping {@code h.1} costs it only a few hundredths of a nat, so
 * the target is tight (0.01 nats). The checkpoint and its heads are required ({@link
 * #builder(Path, int)}); the rest start from {@link #defaults(Path, int)}'s values, and each
 * is checked where it is given and may be given once, e.g. {@code PretrainedOptions.defaults(file,
 * 4).toBuilder().maxSteps(100).build()}.
 */
public final class PretrainedOptions {
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

  private PretrainedOptions(Builder b) {
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
  public static PretrainedOptions defaults(Path checkpoint, int nHead) {
    return builder(checkpoint, nHead).build();
  }

  /** A few seconds' worth, for tests. */
  public static PretrainedOptions tiny(Path checkpoint) {
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
    return other instanceof PretrainedOptions x && checkpoint.equals(x.checkpoint) && nHead == x.nHead
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
    return "PretrainedOptions[checkpoint=" + checkpoint + ", nHead=" + nHead + ", referenceExamples="
        + referenceExamples + ", trainStrings=" + trainStrings + ", batch=" + batch
        + ", learningRate=" + learningRate + ", epsilon=" + epsilon + ", maxSteps=" + maxSteps
        + ", evaluateEvery=" + evaluateEvery + ", seed=" + seed + "]";
  }

  /**
   * {@link PretrainedOptions} one option at a time, from the defaults. A second call of a setter fails
   * naming it; values copied by {@link PretrainedOptions#toBuilder()} may each be replaced once.
   */
  public static final class Builder {
    private final SetOnce<String> given = SetOnce.byToString();
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
            + " safetensors file (e.g. " + Pretrained.FIXTURE + ")");
      }
      this.checkpoint = checkpoint;
      this.nHead = OptionChecks.atLeast("nHead", 1, nHead);
      referenceExamples = Pretrained.FIXTURE_EXAMPLES;
      trainStrings = 4096;
      batch = 32;
      learningRate = 3e-3;
      epsilon = 0.01;
      maxSteps = 400;
      evaluateEvery = 20;
      seed = 35;
    }

    private Builder(PretrainedOptions o) {
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
      if (v < 1) {
        throw new IllegalArgumentException("referenceExamples must be >= 1, got " + v);
      }
      given.give("referenceExamples", referenceExamples);
      referenceExamples = v;
      return this;
    }

    /** Recovery training windows of Europarl characters, ≥ 1. */
    public Builder trainStrings(int v) {
      trainStrings = given.set("trainStrings", OptionChecks.atLeast("trainStrings", 1, v));
      return this;
    }

    /** Windows per step, ≥ 1. */
    public Builder batch(int v) {
      batch = given.set("batch", OptionChecks.atLeast("batch", 1, v));
      return this;
    }

    /** Adam's, for the retrained block; finite, &gt; 0. */
    public Builder learningRate(double v) {
      learningRate = given.set("learningRate", OptionChecks.positive("learningRate", v));
      return this;
    }

    /** Recovered means within this many nats of the loaded model's loss; finite, &gt; 0. */
    public Builder epsilon(double v) {
      epsilon = given.set("epsilon", OptionChecks.positive("epsilon", v));
      return this;
    }

    /** The budget, in steps, ≥ 1. */
    public Builder maxSteps(int v) {
      maxSteps = given.set("maxSteps", OptionChecks.atLeast("maxSteps", 1, v));
      return this;
    }

    /** Steps between validation evaluations, ≥ 1. */
    public Builder evaluateEvery(int v) {
      evaluateEvery = given.set("evaluateEvery", OptionChecks.atLeast("evaluateEvery", 1, v));
      return this;
    }

    /** The data draw and the wipe. */
    public Builder seed(long v) {
      seed = given.set("seed", v);
      return this;
    }

    /** The options; every value was checked where it was given. */
    public PretrainedOptions build() {
      return new PretrainedOptions(this);
    }
  }
}
