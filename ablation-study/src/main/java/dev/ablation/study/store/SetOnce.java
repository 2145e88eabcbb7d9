package dev.ablation.study.store;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A builder's bookkeeping of its settings, Caffeine's discipline: a setting given twice by
 * calls is refused at the second call, naming it, because a recipe that sets one value twice
 * (a helper's default, then an override) hides which of the two the record holds. A value
 * copied by {@code toBuilder()} holds but was not given, so one call may replace it.
 *
 * @param <E> the builder's settings; each constant's {@code toString()} is the setter's name
 */
final class SetOnce<E extends Enum<E>> {
  private final EnumSet<E> given;
  private final EnumSet<E> held;

  /** No setting given or held: a fresh builder. */
  SetOnce(Class<E> settings) {
    given = EnumSet.noneOf(settings);
    held = EnumSet.noneOf(settings);
  }

  /** Every setting held, none given: the builder of {@code toBuilder()}. */
  void copiedAll(Class<E> settings) {
    held.addAll(EnumSet.allOf(settings));
  }

  /**
   * Records that a call gives {@code s} now.
   *
   * @throws IllegalStateException if a call gave {@code s} before
   */
  void give(E s) {
    if (!given.add(s)) {
      throw new IllegalStateException(s + " was already set on this builder; set each setting"
          + " once");
    }
    held.add(s);
  }

  /** Adds to {@code problems} one line for each of {@code required} that holds no value. */
  void requireAll(Set<E> required, List<String> problems) {
    for (E s : required) {
      if (!held.contains(s)) {
        problems.add(s + " is required");
      }
    }
  }

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
