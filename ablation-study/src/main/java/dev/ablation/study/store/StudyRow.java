package dev.ablation.study.store;

import dev.ablation.study.plan.RunKey;

import com.google.common.base.MoreObjects;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.Verdict;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One line of {@code results.csv}: one recovery run. Values that do not exist are empty, never
 * a sentinel: {@code examplesToRecover} and {@code rho} exist only for {@link Verdict#RECOVERED}
 * ({@link Verdict#UNDAMAGED} runs had nothing to recover and have neither).
 *
 * <p>Sixteen values, most of them numbers of one type side by side, are too many to pass by
 * position without swapping two unseen, so a row is built by name ({@link #builder()}) and
 * checked once, whole, in {@link Builder#build()}. The accessors are the columns' names in
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

  private StudyRow(Builder b) {
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
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this row's values, each of which one call may replace. */
  public Builder toBuilder() {
    return new Builder(this);
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

  /** The settings of a {@link Builder}, named as its methods are. */
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

  /**
   * A row one value at a time, each set once. A bad value (a null, an {@code refExamples}
   * under 1) fails at its call; {@link #build()} then checks what is missing and the values
   * that depend on each other (the recovered-only ones against the verdict), and reports every
   * problem in one message.
   */
  public static final class Builder {
    private final SetOnce<Setting> set = new SetOnce<>(Setting.class);
    private RunKey key;
    private Verdict verdict;
    private OptionalLong examplesToRecover = OptionalLong.empty();
    private OptionalDouble rho = OptionalDouble.empty();
    private long refExamples;
    private double lossOriginal;
    private double lossAfterWipe;
    private OptionalDouble lossDeleted = OptionalDouble.empty();
    private double lossFinal;
    private OptionalLong examplesScratch = OptionalLong.empty();
    private double wallSeconds;
    private OptionalLong examplesOrig = OptionalLong.empty();
    private OptionalDouble rhoOrig = OptionalDouble.empty();
    private double lossOriginalSd;
    private double recoveryLr;
    private double targetLoss;

    private Builder() {}

    private Builder(StudyRow r) {
      key = r.key;
      verdict = r.verdict;
      examplesToRecover = r.examplesToRecover;
      rho = r.rho;
      refExamples = r.refExamples;
      lossOriginal = r.lossOriginal;
      lossAfterWipe = r.lossAfterWipe;
      lossDeleted = r.lossDeleted;
      lossFinal = r.lossFinal;
      examplesScratch = r.examplesScratch;
      wallSeconds = r.wallSeconds;
      examplesOrig = r.examplesOrig;
      rhoOrig = r.rhoOrig;
      lossOriginalSd = r.lossOriginalSd;
      recoveryLr = r.recoveryLr;
      targetLoss = r.targetLoss;
      set.copiedAll(Setting.class);
    }

    /** Required: the run's identity (the first seven columns, and the learning-rate multiple). */
    public Builder key(RunKey v) {
      key = SetOnce.nonNull(Setting.KEY, v);
      set.give(Setting.KEY);
      return this;
    }

    /** Required: how it ended. */
    public Builder verdict(Verdict v) {
      verdict = SetOnce.nonNull(Setting.VERDICT, v);
      set.give(Setting.VERDICT);
      return this;
    }

    /** {@code T_ε} in examples: present exactly when the verdict is {@code RECOVERED}. */
    public Builder examplesToRecover(OptionalLong v) {
      examplesToRecover = SetOnce.nonNullOptional(Setting.EXAMPLES_TO_RECOVER, v);
      set.give(Setting.EXAMPLES_TO_RECOVER);
      return this;
    }

    /** {@code T_ε / B_ref}: present exactly when the verdict is {@code RECOVERED}. */
    public Builder rho(OptionalDouble v) {
      rho = SetOnce.nonNullOptional(Setting.RHO, v);
      set.give(Setting.RHO);
      return this;
    }

    /**
     * Required: {@code B_ref = S × E}, at least 1.
     *
     * @throws IllegalArgumentException if {@code v < 1}
     */
    public Builder refExamples(long v) {
      if (v < 1) {
        throw new IllegalArgumentException("ref_examples must be >= 1, got " + v);
      }
      refExamples = v;
      set.give(Setting.REF_EXAMPLES);
      return this;
    }

    /** Required: {@code L*}. */
    public Builder lossOriginal(double v) {
      lossOriginal = v;
      set.give(Setting.LOSS_ORIGINAL);
      return this;
    }

    /** Required: {@code L₀}. */
    public Builder lossAfterWipe(double v) {
      lossAfterWipe = v;
      set.give(Setting.LOSS_AFTER_WIPE);
      return this;
    }

    /** The loss with the layer removed, when computed; default empty. */
    public Builder lossDeleted(OptionalDouble v) {
      lossDeleted = SetOnce.nonNullOptional(Setting.LOSS_DELETED, v);
      set.give(Setting.LOSS_DELETED);
      return this;
    }

    /** Required: the last finite validation loss. */
    public Builder lossFinal(double v) {
      lossFinal = v;
      set.give(Setting.LOSS_FINAL);
      return this;
    }

    /** {@code T_scratch}, when measured and reached; default empty. */
    public Builder examplesScratch(OptionalLong v) {
      examplesScratch = SetOnce.nonNullOptional(Setting.EXAMPLES_SCRATCH, v);
      set.give(Setting.EXAMPLES_SCRATCH);
      return this;
    }

    /** Required: the run's wall time on the engine's clock. */
    public Builder wallSeconds(double v) {
      wallSeconds = v;
      set.give(Setting.WALL_SECONDS);
      return this;
    }

    /** {@code T_orig}, when the original's curve reached this run's target; default empty. */
    public Builder examplesOrig(OptionalLong v) {
      examplesOrig = SetOnce.nonNullOptional(Setting.EXAMPLES_ORIG, v);
      set.give(Setting.EXAMPLES_ORIG);
      return this;
    }

    /**
     * {@code T_ε / T_orig}: present only for a recovered run with {@code examplesOrig};
     * default empty.
     */
    public Builder rhoOrig(OptionalDouble v) {
      rhoOrig = SetOnce.nonNullOptional(Setting.RHO_ORIG, v);
      set.give(Setting.RHO_ORIG);
      return this;
    }

    /** Required: σ, the spread of the evaluations {@code L*} averages. */
    public Builder lossOriginalSd(double v) {
      lossOriginalSd = v;
      set.give(Setting.LOSS_ORIGINAL_SD);
      return this;
    }

    /** Required: the recovery's peak learning rate (absolute). */
    public Builder recoveryLr(double v) {
      recoveryLr = v;
      set.give(Setting.RECOVERY_LR);
      return this;
    }

    /** Required: the loss the run had to reach. */
    public Builder targetLoss(double v) {
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
      SetOnce.throwIfAny(p);
      return new StudyRow(this);
    }
  }
}
