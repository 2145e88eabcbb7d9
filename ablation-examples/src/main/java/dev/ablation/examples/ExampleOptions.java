package dev.ablation.examples;

/**
 * What {@link QuickStart#run} and {@link OwnModel#run} take: the model's sizes, how it trains
 * and is judged, and one seed. Start from an example's {@code defaults()} or {@code tiny()} and
 * replace a group: {@code new ExampleOptions(o.sizes(), o.training(), 9)}. Two small records
 * instead of one of twelve numbers, so that no call can swap two of them unseen; the accessors
 * below read through the groups.
 *
 * @param sizes the transformer's sizes
 * @param training the data, the optimiser and the recovery's judging
 * @param seed seeds the language, the data, the weights and the wipe
 */
public record ExampleOptions(Sizes sizes, Training training, long seed) {

  /** Validates that both groups are there. */
  public ExampleOptions {
    if (sizes == null || training == null) {
      throw new IllegalArgumentException("sizes and training are required, got " + sizes
          + " and " + training);
    }
  }

  /**
   * The model's sizes. Both examples wipe block 1, so they need two blocks at least.
   *
   * @param layers decoder blocks, ≥ 2
   * @param dModel residual width, ≥ 1
   * @param heads attention heads, ≥ 1 (the own-model example builds one head of width
   *     {@code dModel} and ignores it)
   * @param vocab tokens of the Markov language, ≥ 2
   * @param context positions per sequence, ≥ 2
   */
  public record Sizes(int layers, int dModel, int heads, int vocab, int context) {
    /** Validates each size, naming the first bad one. */
    public Sizes {
      if (layers < 2) {
        throw new IllegalArgumentException("the examples wipe blocks.1, so they need layers"
            + " >= 2, got " + layers);
      }
      OptionChecks.atLeast("dModel", 1, dModel);
      OptionChecks.atLeast("heads", 1, heads);
      OptionChecks.atLeast("vocab", 2, vocab);
      OptionChecks.atLeast("context", 2, context);
    }
  }

  /**
   * How the original trains and how its recovery is judged.
   *
   * @param strings {@code S}: training strings, ≥ 1
   * @param epochs {@code E}: passes over them, ≥ 1
   * @param batch strings per step, ≥ 1
   * @param learningRate Adam's, for training and recovery alike, finite and > 0
   * @param epsilon recovered means within this many nats of {@code L*}, finite and > 0
   * @param evaluateEvery recovery steps between validation evaluations, ≥ 1
   */
  public record Training(int strings, int epochs, int batch, double learningRate,
      double epsilon, int evaluateEvery) {
    /** Validates each value, naming the first bad one. */
    public Training {
      OptionChecks.atLeast("strings", 1, strings);
      OptionChecks.atLeast("epochs", 1, epochs);
      OptionChecks.atLeast("batch", 1, batch);
      OptionChecks.positive("learningRate", learningRate);
      OptionChecks.positive("epsilon", epsilon);
      OptionChecks.atLeast("evaluateEvery", 1, evaluateEvery);
    }
  }

  /** Decoder blocks. */
  public int layers() {
    return sizes.layers();
  }

  /** Residual width. */
  public int dModel() {
    return sizes.dModel();
  }

  /** Attention heads. */
  public int heads() {
    return sizes.heads();
  }

  /** Tokens of the Markov language. */
  public int vocab() {
    return sizes.vocab();
  }

  /** Positions per sequence. */
  public int context() {
    return sizes.context();
  }

  /** {@code S}: training strings. */
  public int strings() {
    return training.strings();
  }

  /** {@code E}: passes over them. */
  public int epochs() {
    return training.epochs();
  }

  /** Strings per step. */
  public int batch() {
    return training.batch();
  }

  /** Adam's rate, for training and recovery alike. */
  public double learningRate() {
    return training.learningRate();
  }

  /** Recovered means within this many nats of {@code L*}. */
  public double epsilon() {
    return training.epsilon();
  }

  /** Recovery steps between validation evaluations. */
  public int evaluateEvery() {
    return training.evaluateEvery();
  }
}
