package dev.ablation.study.store;

import java.util.List;

/**
 * The store's builders' checks of a value where it is given ({@link RunRecordBuilder},
 * {@link StudyRowBuilder}): a null fails at its call, naming the setting, so the problem is
 * reported where it was made rather than at {@code build()}; absent values are empty optionals.
 * Which settings were given is {@link dev.ablation.api.internal.SetOnce}'s job.
 */
final class Values {
  private Values() {}

  /**
   * {@code v}, a required value of {@code setting}, checked at its call.
   *
   * @throws IllegalArgumentException if {@code v} is null
   */
  static <T> T nonNull(Object setting, T v) {
    if (v == null) {
      throw new IllegalArgumentException(setting + " must not be null");
    }
    return v;
  }

  /**
   * {@code v}, an optional value of {@code setting}, checked at its call: absent is an empty
   * optional, never null.
   *
   * @throws IllegalArgumentException if {@code v} is null
   */
  static <T> T nonNullOptional(Object setting, T v) {
    if (v == null) {
      throw new IllegalArgumentException(setting + " is null; use empty optionals, not null");
    }
    return v;
  }

  /**
   * Ends {@code build()}'s checks.
   *
   * @throws IllegalArgumentException with every problem, in one message
   */
  static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }
}
