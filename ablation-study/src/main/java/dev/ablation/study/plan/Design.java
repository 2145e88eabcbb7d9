package dev.ablation.study.plan;

import com.google.common.collect.ImmutableList;
import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Which combinations of a plan's axes become runs. A full factorial of wipe kinds × schemes ×
 * policies × learning rates at every depth is what a cluster can afford; on one machine it is
 * the difference between an hour and a day, and most of its cells answer no question. The
 * one-at-a-time design keeps the question's arm everywhere and varies one factor at a time
 * around it, where that comparison is wanted.
 */
public sealed interface Design extends Serializable {

  /** Every wipe target × scheme × policy × learning rate, at every depth. */
  Design FACTORIAL = new Factorial();

  /**
   * One factor at a time around the primary arm, at these depths only.
   *
   * @param armDepths the depths at which the other arms run; empty means every depth
   */
  static Design oneAtATime(List<Integer> armDepths) {
    return new OneAtATime(armDepths);
  }

  /** The text {@code study.json} and the log show. */
  String describe();

  /** Every target × scheme × policy × learning rate. */
  record Factorial() implements Design {
    @Override
    public String describe() {
      return "factorial";
    }
  }

  /**
   * The primary arm (the plan's first wipe kind, first scheme, first policy, first recovery
   * rate) for every block of every model; at the {@code armDepths} (all, if empty) also each
   * other scheme, policy and rate on the primary kind's targets with the other factors
   * primary, and each other wipe kind with every factor primary. A block wiped under
   * {@code FRESH} with only it trainable is thus measured at every N and D, and the scheme,
   * policy and sublayer comparisons are made where the plan asks for them.
   *
   * @param armDepths depths ({@code n_layers}) at which the secondary arms run; empty = all
   */
  record OneAtATime(List<Integer> armDepths) implements Design {
    /** Copies the depths (duplicates dropped) and checks them. */
    public OneAtATime {
      armDepths = armDepths == null ? List.of() : ImmutableList.copyOf(new LinkedHashSet<>(armDepths));
      for (int n : armDepths) {
        if (n < 1) {
          throw new IllegalArgumentException("depth " + n + " in --arms-at must be >= 1");
        }
      }
    }

    /** Whether the secondary arms run on a model of depth {@code n}. */
    public boolean armsAt(int n) {
      return armDepths.isEmpty() || armDepths.contains(n);
    }

    @Override
    public String describe() {
      return armDepths.isEmpty() ? "one-at-a-time"
          : String.format(Locale.ROOT, "one-at-a-time, arms at N=%s", armDepths);
    }
  }
}
