package dev.ablation.study.store;

import dev.ablation.study.plan.RunKey;

import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Verdict;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One line of {@code results.csv}: one recovery run. Values that do not exist are empty, never
 * a sentinel: {@code examplesToRecover} and {@code rho} exist only for {@link Verdict#RECOVERED}
 * ({@link Verdict#UNDAMAGED} runs had nothing to recover and have neither).
 *
 * @param key the run's identity (the first seven columns, and the learning-rate multiple)
 * @param verdict how it ended
 * @param examplesToRecover {@code T_ε} in examples, when recovered
 * @param rho {@code T_ε / B_ref}, when recovered
 * @param refExamples {@code B_ref = S × E}
 * @param lossOriginal {@code L*}
 * @param lossAfterWipe {@code L₀}
 * @param lossDeleted the loss with the layer removed, when computed
 * @param lossFinal the last finite validation loss
 * @param examplesScratch {@code T_scratch}, when measured and reached
 * @param wallSeconds the run's wall time on the engine's clock
 * @param examplesOrig {@code T_orig}: the examples the original itself first needed to reach
 *     this run's target, when its curve did
 * @param rhoOrig {@code T_ε / T_orig}, when recovered and {@code T_orig} exists
 * @param lossOriginalSd σ, the spread of the evaluations {@code L*} averages
 * @param recoveryLr the recovery's peak learning rate (absolute)
 * @param targetLoss the loss the run had to reach
 */
public record StudyRow(RunKey key, Verdict verdict, OptionalLong examplesToRecover,
    OptionalDouble rho, long refExamples, double lossOriginal, double lossAfterWipe,
    OptionalDouble lossDeleted, double lossFinal, OptionalLong examplesScratch,
    double wallSeconds, OptionalLong examplesOrig, OptionalDouble rhoOrig, double lossOriginalSd,
    double recoveryLr, double targetLoss) {

  /** Validates that the recovered-only values exist exactly when recovered. */
  public StudyRow {
    if (key == null || verdict == null || examplesToRecover == null || rho == null
        || lossDeleted == null || examplesScratch == null || examplesOrig == null
        || rhoOrig == null) {
      throw new IllegalArgumentException("use empty optionals, not null");
    }
    boolean recovered = verdict == Verdict.RECOVERED;
    if (recovered != examplesToRecover.isPresent() || recovered != rho.isPresent()) {
      throw new IllegalArgumentException("examples_to_recover and rho exist exactly when "
          + "RECOVERED; got " + verdict + " with " + examplesToRecover + ", " + rho);
    }
    if (rhoOrig.isPresent() && !(recovered && examplesOrig.isPresent())) {
      throw new IllegalArgumentException("rho_orig exists only for a recovered run with "
          + "examples_orig; got " + verdict + " with " + examplesOrig);
    }
    if (refExamples < 1) {
      throw new IllegalArgumentException("ref_examples must be >= 1, got " + refExamples);
    }
  }

  /**
   * The row of {@code result}, the run {@code key} of {@code original}, with the original's
   * {@code T_scratch}.
   */
  public static StudyRow of(RunKey key, RecoveryResult result, OptionalLong examplesScratch,
      Original original) {
    OptionalLong t = result.recoveredAt().map(s -> OptionalLong.of(s.examples()))
        .orElse(OptionalLong.empty());
    OptionalLong tOrig = original.examplesToReach(result.targetLoss());
    OptionalDouble rhoOrig = t.isPresent() && tOrig.isPresent() && tOrig.getAsLong() > 0
        ? OptionalDouble.of((double) t.getAsLong() / tOrig.getAsLong())
        : OptionalDouble.empty();
    return new StudyRow(key, result.verdict(), t, result.rho(), result.reference().examples(),
        result.damage().lossOriginal(), result.damage().lossAfterWipe(),
        result.damage().lossDeleted(), result.lossFinal(), examplesScratch,
        result.spent().wallTime().toNanos() / 1e9, tOrig, rhoOrig, original.lossSd(),
        original.spec().training().recoveryRate(key.lrMultiple()), result.targetLoss());
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
}
