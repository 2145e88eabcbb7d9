package dev.ablation.samediff.data;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Training and validation examples that share no example: the validation loss measures
 * generalisation, never memorisation.
 *
 * @param train training examples, non-empty
 * @param validation validation examples, non-empty, none of them in {@code train}
 * @param droppedDuplicates validation candidates dropped because the training set held them
 */
public record Split(List<Example> train, List<Example> validation, int droppedDuplicates) {

  /** Validates: both sides non-empty and disjoint. */
  public Split {
    if (train == null || train.isEmpty()) {
      throw new IllegalArgumentException("the training set is empty");
    }
    if (validation == null || validation.isEmpty()) {
      throw new IllegalArgumentException("the validation set is empty"
          + (droppedDuplicates > 0 ? " (all " + droppedDuplicates + " candidates also occur "
          + "in training: use longer examples or a larger vocabulary)" : ""));
    }
    Set<Example> seen = new HashSet<>(train);
    for (Example e : validation) {
      if (seen.contains(e)) {
        throw new IllegalArgumentException("validation example " + e + " is also in the "
            + "training set");
      }
    }
    train = ImmutableList.copyOf(train);
    validation = ImmutableList.copyOf(validation);
  }

  /** A split keeping the validation candidates that do not occur in {@code train}. */
  public static Split disjoint(List<Example> train, List<Example> validationCandidates) {
    Set<Example> seen = new HashSet<>(train);
    List<Example> kept = new ArrayList<>();
    int dropped = 0;
    for (Example e : validationCandidates) {
      if (seen.contains(e)) {
        dropped++;
      } else {
        kept.add(e);
      }
    }
    return new Split(train, kept, dropped);
  }
}
