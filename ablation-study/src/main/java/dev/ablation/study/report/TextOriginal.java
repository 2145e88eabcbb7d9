package dev.ablation.study.report;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One text original of table T ({@link TextTables}): its L* against the n-gram baselines its
 * manifest records, and against its own lowest validation loss during training.
 *
 * @param steps the length of its fixed schedule ({@code train_steps}; 0: not recorded)
 * @param references the n-gram baselines its L* is compared with
 * @param lowest its lowest validation loss during training; empty when its curve was not
 *     recorded
 */
record TextOriginal(int n, int d, long seed, long steps, double lossStar, NGrams references,
    Optional<Lowest> lowest) {
  /** Whether L* is below the like-for-like n-gram; empty when it was not recorded. */
  Optional<Boolean> beats() {
    return Double.isNaN(references.ngram()) ? Optional.empty()
        : Optional.of(lossStar < references.ngram());
  }

  /** How far L* (its final weights' loss) ended above its lowest validation loss. */
  OptionalDouble aboveLowest() {
    return lowest.map(l -> OptionalDouble.of(lossStar - l.loss()))
        .orElse(OptionalDouble.empty());
  }

  /**
   * Whether it ended further above its own lowest validation loss than its recovery target
   * forgives: it overfit its windows late in training, so the L* a recovery is judged
   * against is a weaker model than the one it passed through.
   */
  boolean overfit() {
    return lowest.isPresent() && lossStar - lowest.get().loss() > lowest.get().tolerance();
  }

  /**
   * The lowest validation loss of an original's training curve.
   *
   * @param loss the lowest finite loss
   * @param step the step it was evaluated at
   * @param tolerance its recovery target's tolerance, target − L* ({@code max(ε, 2σ)})
   */
  record Lowest(double loss, long step, double tolerance) {}

  /**
   * The n-gram baselines a text original's manifest records (under {@link TextTables#NGRAM}
   * and {@link TextTables#WHOLE}): one group because the table prints them side by side and an older run has
   * none of them.
   *
   * @param ngram the like-for-like reference, NaN when the run predates it
   * @param model which n-gram that is ("5-gram, add-0.03"), or "—"
   * @param whole the whole-corpus 4-gram, NaN when not recorded
   */
  record NGrams(double ngram, String model, double whole) {}
}
