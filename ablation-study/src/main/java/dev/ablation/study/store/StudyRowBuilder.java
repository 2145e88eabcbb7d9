package dev.ablation.study.store;

import dev.ablation.api.internal.SetOnce;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.plan.RunKey;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A row one value at a time, each set once. A bad value (a null, an {@code refExamples}
 * under 1) fails at its call; {@link #build()} then checks what is missing and the values
 * that depend on each other (the recovered-only ones against the verdict), and reports every
 * problem in one message.
 */
public final class StudyRowBuilder {
  private final SetOnce<Setting> set = SetOnce.byToString();
  RunKey key;
  Verdict verdict;
  OptionalLong examplesToRecover = OptionalLong.empty();
  OptionalDouble rho = OptionalDouble.empty();
  long refExamples;
  double lossOriginal;
  double lossAfterWipe;
  OptionalDouble lossDeleted = OptionalDouble.empty();
  double lossFinal;
  OptionalLong examplesScratch = OptionalLong.empty();
  double wallSeconds;
  OptionalLong examplesOrig = OptionalLong.empty();
  OptionalDouble rhoOrig = OptionalDouble.empty();
  double lossOriginalSd;
  double recoveryLr;
  double targetLoss;

  StudyRowBuilder() {}

  StudyRowBuilder(StudyRow r) {
    key = r.key();
    verdict = r.verdict();
    examplesToRecover = r.examplesToRecover();
    rho = r.rho();
    refExamples = r.refExamples();
    lossOriginal = r.lossOriginal();
    lossAfterWipe = r.lossAfterWipe();
    lossDeleted = r.lossDeleted();
    lossFinal = r.lossFinal();
    examplesScratch = r.examplesScratch();
    wallSeconds = r.wallSeconds();
    examplesOrig = r.examplesOrig();
    rhoOrig = r.rhoOrig();
    lossOriginalSd = r.lossOriginalSd();
    recoveryLr = r.recoveryLr();
    targetLoss = r.targetLoss();
    set.copied(EnumSet.allOf(Setting.class));
  }

  /** Required: the run's identity (the first seven columns, and the learning-rate multiple). */
  public StudyRowBuilder key(RunKey v) {
    key = set.setNonNull(Setting.KEY, v);
    return this;
  }

  /** Required: how it ended. */
  public StudyRowBuilder verdict(Verdict v) {
    verdict = set.setNonNull(Setting.VERDICT, v);
    return this;
  }

  /** {@code T_ε} in examples: present exactly when the verdict is {@code RECOVERED}. */
  public StudyRowBuilder examplesToRecover(OptionalLong v) {
    examplesToRecover = set.setOptional(Setting.EXAMPLES_TO_RECOVER, v);
    return this;
  }

  /** {@code T_ε / B_ref}: present exactly when the verdict is {@code RECOVERED}. */
  public StudyRowBuilder rho(OptionalDouble v) {
    rho = set.setOptional(Setting.RHO, v);
    return this;
  }

  /**
   * Required: {@code B_ref = S × E}, at least 1.
   *
   * @throws IllegalArgumentException if {@code v < 1}
   */
  public StudyRowBuilder refExamples(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("ref_examples must be >= 1, got " + v);
    }
    refExamples = v;
    set.give(Setting.REF_EXAMPLES);
    return this;
  }

  /** Required: {@code L*}. */
  public StudyRowBuilder lossOriginal(double v) {
    lossOriginal = v;
    set.give(Setting.LOSS_ORIGINAL);
    return this;
  }

  /** Required: {@code L₀}. */
  public StudyRowBuilder lossAfterWipe(double v) {
    lossAfterWipe = v;
    set.give(Setting.LOSS_AFTER_WIPE);
    return this;
  }

  /** The loss with the layer removed, when computed; default empty. */
  public StudyRowBuilder lossDeleted(OptionalDouble v) {
    lossDeleted = set.setOptional(Setting.LOSS_DELETED, v);
    return this;
  }

  /** Required: the last finite validation loss. */
  public StudyRowBuilder lossFinal(double v) {
    lossFinal = v;
    set.give(Setting.LOSS_FINAL);
    return this;
  }

  /** {@code T_scratch}, when measured and reached; default empty. */
  public StudyRowBuilder examplesScratch(OptionalLong v) {
    examplesScratch = set.setOptional(Setting.EXAMPLES_SCRATCH, v);
    return this;
  }

  /** Required: the run's wall time on the engine's clock. */
  public StudyRowBuilder wallSeconds(double v) {
    wallSeconds = v;
    set.give(Setting.WALL_SECONDS);
    return this;
  }

  /** {@code T_orig}, when the original's curve reached this run's target; default empty. */
  public StudyRowBuilder examplesOrig(OptionalLong v) {
    examplesOrig = set.setOptional(Setting.EXAMPLES_ORIG, v);
    return this;
  }

  /**
   * {@code T_ε / T_orig}: present only for a recovered run with {@code examplesOrig};
   * default empty.
   */
  public StudyRowBuilder rhoOrig(OptionalDouble v) {
    rhoOrig = set.setOptional(Setting.RHO_ORIG, v);
    return this;
  }

  /** Required: σ, the spread of the evaluations {@code L*} averages. */
  public StudyRowBuilder lossOriginalSd(double v) {
    lossOriginalSd = v;
    set.give(Setting.LOSS_ORIGINAL_SD);
    return this;
  }

  /** Required: the recovery's peak learning rate (absolute). */
  public StudyRowBuilder recoveryLr(double v) {
    recoveryLr = v;
    set.give(Setting.RECOVERY_LR);
    return this;
  }

  /** Required: the loss the run had to reach. */
  public StudyRowBuilder targetLoss(double v) {
    targetLoss = v;
    set.give(Setting.TARGET_LOSS);
    return this;
  }

  /**
   * The row.
   *
   * @throws IllegalArgumentException naming every required value not set and every value
   *     that contradicts the verdict, in one message
   */
  public StudyRow build() {
    List<String> p = new ArrayList<>();
    set.requireAll(Setting.REQUIRED, p);
    if (verdict != null) {
      boolean recovered = verdict == Verdict.RECOVERED;
      if (recovered != examplesToRecover.isPresent() || recovered != rho.isPresent()) {
        p.add("examples_to_recover and rho exist exactly when RECOVERED; got " + verdict
            + " with " + examplesToRecover + ", " + rho);
      }
      if (rhoOrig.isPresent() && !(recovered && examplesOrig.isPresent())) {
        p.add("rho_orig exists only for a recovered run with examples_orig; got " + verdict
            + " with " + examplesOrig);
      }
    }
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
    return new StudyRow(this);
  }

  /** The settings of a {@link StudyRowBuilder}, named as its methods are. */
  private enum Setting {
    KEY("key"), VERDICT("verdict"), EXAMPLES_TO_RECOVER("examplesToRecover"), RHO("rho"),
    REF_EXAMPLES("refExamples"), LOSS_ORIGINAL("lossOriginal"),
    LOSS_AFTER_WIPE("lossAfterWipe"), LOSS_DELETED("lossDeleted"), LOSS_FINAL("lossFinal"),
    EXAMPLES_SCRATCH("examplesScratch"), WALL_SECONDS("wallSeconds"),
    EXAMPLES_ORIG("examplesOrig"), RHO_ORIG("rhoOrig"), LOSS_ORIGINAL_SD("lossOriginalSd"),
    RECOVERY_LR("recoveryLr"), TARGET_LOSS("targetLoss");

    /** Those without which a row is not one: every value that is not optional. */
    static final Set<Setting> REQUIRED = EnumSet.of(KEY, VERDICT, REF_EXAMPLES, LOSS_ORIGINAL,
        LOSS_AFTER_WIPE, LOSS_FINAL, WALL_SECONDS, LOSS_ORIGINAL_SD, RECOVERY_LR, TARGET_LOSS);

    private final String method;

    Setting(String method) {
      this.method = method;
    }

    @Override
    public String toString() {
      return method;
    }
  }
}
