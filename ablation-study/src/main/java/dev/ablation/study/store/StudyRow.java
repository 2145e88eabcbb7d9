package dev.ablation.study.store;

import dev.ablation.study.plan.RunKey;

import com.google.common.base.MoreObjects;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Verdict;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One line of {@code results.csv}: one recovery run. Values that do not exist are empty, never
 * a sentinel: {@code examplesToRecover} and {@code rho} exist only for {@link Verdict#RECOVERED}
 * ({@link Verdict#UNDAMAGED} runs had nothing to recover and have neither).
 *
 * <p>Sixteen values, most of them numbers of one type side by side, are too many to pass by
 * position without swapping two unseen, so a row is built by name ({@link #builder()}) and
 * checked once, whole, in {@link StudyRowBuilder#build()}. The accessors are the columns' names in
 * camel case; the column order is {@link ResultsCsv}'s, not this class's.
 */
public final class StudyRow {
  private final RunKey key;
  private final Verdict verdict;
  private final OptionalLong examplesToRecover;
  private final OptionalDouble rho;
  private final long refExamples;
  private final double lossOriginal;
  private final double lossAfterWipe;
  private final OptionalDouble lossDeleted;
  private final double lossFinal;
  private final OptionalLong examplesScratch;
  private final double wallSeconds;
  private final OptionalLong examplesOrig;
  private final OptionalDouble rhoOrig;
  private final double lossOriginalSd;
  private final double recoveryLr;
  private final double targetLoss;

  StudyRow(StudyRowBuilder b) {
    key = b.key;
    verdict = b.verdict;
    examplesToRecover = b.examplesToRecover;
    rho = b.rho;
    refExamples = b.refExamples;
    lossOriginal = b.lossOriginal;
    lossAfterWipe = b.lossAfterWipe;
    lossDeleted = b.lossDeleted;
    lossFinal = b.lossFinal;
    examplesScratch = b.examplesScratch;
    wallSeconds = b.wallSeconds;
    examplesOrig = b.examplesOrig;
    rhoOrig = b.rhoOrig;
    lossOriginalSd = b.lossOriginalSd;
    recoveryLr = b.recoveryLr;
    targetLoss = b.targetLoss;
  }

  /**
   * An empty builder. Required: {@code key}, {@code verdict}, {@code refExamples},
   * {@code lossOriginal}, {@code lossAfterWipe}, {@code lossFinal}, {@code wallSeconds},
   * {@code lossOriginalSd}, {@code recoveryLr}, {@code targetLoss}; the optional values are
   * empty until set.
   */
  public static StudyRowBuilder builder() {
    return new StudyRowBuilder();
  }

  /** A builder holding this row's values, each of which one call may replace. */
  public StudyRowBuilder toBuilder() {
    return new StudyRowBuilder(this);
  }

  /**
   * The row of {@code result}, the run {@code key} of {@code original}, with the original's
   * {@code T_scratch}.
   */
  public static StudyRow of(RunKey key, RecoveryResult result, OptionalLong examplesScratch,
      OriginalRecord original) {
    OptionalLong t = result.recoveredAt().map(s -> OptionalLong.of(s.examples()))
        .orElse(OptionalLong.empty());
    OptionalLong tOrig = original.examplesToReach(result.targetLoss());
    OptionalDouble rhoOrig = t.isPresent() && tOrig.isPresent() && tOrig.getAsLong() > 0
        ? OptionalDouble.of((double) t.getAsLong() / tOrig.getAsLong())
        : OptionalDouble.empty();
    return builder().key(key).verdict(result.verdict()).examplesToRecover(t).rho(result.rho())
        .refExamples(result.reference().examples())
        .lossOriginal(result.damage().lossOriginal())
        .lossAfterWipe(result.damage().lossAfterWipe())
        .lossDeleted(result.damage().lossDeleted()).lossFinal(result.lossFinal())
        .examplesScratch(examplesScratch)
        .wallSeconds(result.spent().wallTime().toNanos() / 1e9).examplesOrig(tOrig)
        .rhoOrig(rhoOrig).lossOriginalSd(original.lossSd())
        .recoveryLr(original.spec().training().recoveryRate(key.lrMultiple()))
        .targetLoss(result.targetLoss()).build();
  }

  /** The run's identity (the first seven columns, and the learning-rate multiple). */
  public RunKey key() {
    return key;
  }

  /** How it ended. */
  public Verdict verdict() {
    return verdict;
  }

  /** {@code T_ε} in examples, when recovered. */
  public OptionalLong examplesToRecover() {
    return examplesToRecover;
  }

  /** {@code T_ε / B_ref}, when recovered. */
  public OptionalDouble rho() {
    return rho;
  }

  /** {@code B_ref = S × E}. */
  public long refExamples() {
    return refExamples;
  }

  /** {@code L*}. */
  public double lossOriginal() {
    return lossOriginal;
  }

  /** {@code L₀}. */
  public double lossAfterWipe() {
    return lossAfterWipe;
  }

  /** The loss with the layer removed, when computed. */
  public OptionalDouble lossDeleted() {
    return lossDeleted;
  }

  /** The last finite validation loss. */
  public double lossFinal() {
    return lossFinal;
  }

  /** {@code T_scratch}, when measured and reached. */
  public OptionalLong examplesScratch() {
    return examplesScratch;
  }

  /** The run's wall time on the engine's clock. */
  public double wallSeconds() {
    return wallSeconds;
  }

  /**
   * {@code T_orig}: the examples the original itself first needed to reach this run's target,
   * when its curve did.
   */
  public OptionalLong examplesOrig() {
    return examplesOrig;
  }

  /** {@code T_ε / T_orig}, when recovered and {@code T_orig} exists. */
  public OptionalDouble rhoOrig() {
    return rhoOrig;
  }

  /** σ, the spread of the evaluations {@code L*} averages. */
  public double lossOriginalSd() {
    return lossOriginalSd;
  }

  /** The recovery's peak learning rate (absolute). */
  public double recoveryLr() {
    return recoveryLr;
  }

  /** The loss the run had to reach. */
  public double targetLoss() {
    return targetLoss;
  }

  /** {@code T_orig / B_ref}, when {@code T_orig} exists. */
  public OptionalDouble rhoOrigToRef() {
    return examplesOrig.isPresent()
        ? OptionalDouble.of((double) examplesOrig.getAsLong() / refExamples)
        : OptionalDouble.empty();
  }

  /** {@code T_scratch / B_ref}, when {@code T_scratch} exists. */
  public OptionalDouble rhoScratch() {
    return examplesScratch.isPresent()
        ? OptionalDouble.of((double) examplesScratch.getAsLong() / refExamples)
        : OptionalDouble.empty();
  }

  /** Equal values, doubles compared as {@link Double#compare} does (NaN equals NaN). */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof StudyRow r)) {
      return false;
    }
    return key.equals(r.key) && verdict == r.verdict
        && examplesToRecover.equals(r.examplesToRecover) && rho.equals(r.rho)
        && refExamples == r.refExamples && Double.compare(lossOriginal, r.lossOriginal) == 0
        && Double.compare(lossAfterWipe, r.lossAfterWipe) == 0
        && lossDeleted.equals(r.lossDeleted) && Double.compare(lossFinal, r.lossFinal) == 0
        && examplesScratch.equals(r.examplesScratch)
        && Double.compare(wallSeconds, r.wallSeconds) == 0
        && examplesOrig.equals(r.examplesOrig) && rhoOrig.equals(r.rhoOrig)
        && Double.compare(lossOriginalSd, r.lossOriginalSd) == 0
        && Double.compare(recoveryLr, r.recoveryLr) == 0
        && Double.compare(targetLoss, r.targetLoss) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, verdict, examplesToRecover, rho, refExamples, lossOriginal,
        lossAfterWipe, lossDeleted, lossFinal, examplesScratch, wallSeconds, examplesOrig,
        rhoOrig, lossOriginalSd, recoveryLr, targetLoss);
  }

  @Override
  public String toString() {
    return MoreObjects.toStringHelper(this).add("key", key).add("verdict", verdict)
        .add("examplesToRecover", examplesToRecover).add("rho", rho)
        .add("refExamples", refExamples).add("lossOriginal", lossOriginal)
        .add("lossAfterWipe", lossAfterWipe).add("lossDeleted", lossDeleted)
        .add("lossFinal", lossFinal).add("examplesScratch", examplesScratch)
        .add("wallSeconds", wallSeconds).add("examplesOrig", examplesOrig)
        .add("rhoOrig", rhoOrig).add("lossOriginalSd", lossOriginalSd)
        .add("recoveryLr", recoveryLr).add("targetLoss", targetLoss).toString();
  }


}
