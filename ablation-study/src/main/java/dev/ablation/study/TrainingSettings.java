package dev.ablation.study;

import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.TrainingBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the study trains originals and judges recoveries: the engine's half of a preset. Part
 * of every original's content hash, so two studies with different settings never share an
 * original.
 *
 * @param vocab vocabulary size of the synthetic corpus
 * @param seqLen tokens per training string
 * @param batchSize strings per optimiser step (originals and recoveries alike)
 * @param strings S: training strings the original sees per epoch
 * @param epochs E: epochs of the original; {@code B_ref = S × E}
 * @param learningRate Adam learning rate, for originals and recoveries
 * @param evalEvery evaluate the validation loss every k recovery steps
 * @param epsilonNats recovery target {@code L* + ε} nats
 * @param patience evaluations without improvement before {@code PLATEAUED}; 0 disables
 * @param budgetFraction a recovery may spend at most this multiple of {@code B_ref}
 * @param scratch whether to measure {@code T_scratch} for each original
 */
public record TrainingSettings(int vocab, int seqLen, int batchSize, long strings, int epochs,
    double learningRate, int evalEvery, double epsilonNats, int patience, double budgetFraction,
    boolean scratch) implements java.io.Serializable {

  /** Smoothing window of the recovery criterion, in evaluations. */
  public static final int SMOOTHING = 2;
  /** Improvement in nats that resets the patience counter. */
  public static final double MIN_IMPROVEMENT = 1e-3;
  /** A recovery diverged when its loss exceeds this multiple of {@code L₀}. */
  public static final double DIVERGENCE_FACTOR = 4;

  /** Validates, naming every bad value at once. */
  public TrainingSettings {
    List<String> p = new ArrayList<>();
    positive(p, "vocab", vocab);
    positive(p, "seq-len", seqLen);
    positive(p, "batch-size", batchSize);
    positive(p, "strings", strings);
    positive(p, "epochs", epochs);
    positive(p, "eval-every", evalEvery);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      p.add("learning rate must be finite and > 0, got " + learningRate);
    }
    if (!(epsilonNats >= 0) || Double.isInfinite(epsilonNats)) {
      p.add("epsilon must be finite and >= 0 nats, got " + epsilonNats);
    }
    if (patience < 0) {
      p.add("patience must be >= 0, got " + patience);
    }
    if (!(budgetFraction > 0) || Double.isInfinite(budgetFraction)) {
      p.add("budget must be a finite fraction of S x E > 0, got " + budgetFraction);
    }
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
  }

  private static void positive(List<String> p, String name, long v) {
    if (v < 1) {
      p.add(name + " must be >= 1, got " + v);
    }
  }

  /** The criterion every recovery (and {@code T_scratch}) is judged by: {@code L* + ε}, smoothed, with patience. */
  public RecoveryCriterion criterion() {
    RecoveryCriterion.Threshold t = RecoveryCriterion.withinNats(epsilonNats)
        .smoothedOver(SMOOTHING)
        .divergingAboveFactor(DIVERGENCE_FACTOR);
    return patience > 0 ? t.withPatience(patience, MIN_IMPROVEMENT) : t;
  }

  /** The cap of one recovery: {@code budgetFraction × S × E} examples. */
  public TrainingBudget recoveryBudget() {
    return TrainingBudget.ofReferenceFraction(budgetFraction);
  }

  /** The cap of a {@code T_scratch} measurement: twice the recovery cap, at least {@code 2 × S × E}. */
  public TrainingBudget scratchBudget() {
    return TrainingBudget.ofReferenceFraction(Math.max(2, 2 * budgetFraction));
  }

  /** These settings as sorted key → value text, for manifests and the content hash. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vocab", Integer.toString(vocab));
    m.put("seq_len", Integer.toString(seqLen));
    m.put("batch_size", Integer.toString(batchSize));
    m.put("strings", Long.toString(strings));
    m.put("epochs", Integer.toString(epochs));
    m.put("learning_rate", String.format(Locale.ROOT, "%s", learningRate));
    m.put("eval_every", Integer.toString(evalEvery));
    m.put("epsilon_nats", String.format(Locale.ROOT, "%s", epsilonNats));
    m.put("patience", Integer.toString(patience));
    m.put("budget_fraction", String.format(Locale.ROOT, "%s", budgetFraction));
    m.put("scratch", Boolean.toString(scratch));
    return m;
  }

  /** A copy with another k. */
  public TrainingSettings withEvalEvery(int k) {
    return new TrainingSettings(vocab, seqLen, batchSize, strings, epochs, learningRate, k,
        epsilonNats, patience, budgetFraction, scratch);
  }

  /** A copy with another ε. */
  public TrainingSettings withEpsilonNats(double e) {
    return new TrainingSettings(vocab, seqLen, batchSize, strings, epochs, learningRate,
        evalEvery, e, patience, budgetFraction, scratch);
  }

  /** A copy with another recovery cap. */
  public TrainingSettings withBudgetFraction(double f) {
    return new TrainingSettings(vocab, seqLen, batchSize, strings, epochs, learningRate,
        evalEvery, epsilonNats, patience, f, scratch);
  }

  /** A copy with another S. */
  public TrainingSettings withStrings(long s) {
    return new TrainingSettings(vocab, seqLen, batchSize, s, epochs, learningRate, evalEvery,
        epsilonNats, patience, budgetFraction, scratch);
  }

  /** A copy with another E. */
  public TrainingSettings withEpochs(int e) {
    return new TrainingSettings(vocab, seqLen, batchSize, strings, e, learningRate, evalEvery,
        epsilonNats, patience, budgetFraction, scratch);
  }

  /** A copy that does or does not measure {@code T_scratch}. */
  public TrainingSettings withScratch(boolean s) {
    return new TrainingSettings(vocab, seqLen, batchSize, strings, epochs, learningRate,
        evalEvery, epsilonNats, patience, budgetFraction, s);
  }
}
