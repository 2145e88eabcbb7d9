package dev.ablation.api.internal;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A builder's record of which settings a call gave and which hold a value, with Caffeine's
 * discipline: a setting given twice by calls is refused at the second call, naming it (and the
 * value it holds, where that is short enough to show), because a recipe that sets one value twice
 * (a helper's default, then an override) hides which of the two the built object holds. A value
 * copied by {@code toBuilder()} holds but was not given, so one call may replace it.
 *
 * <p>Every builder of the SDK keeps its settings this way, so that the refusal reads the same
 * everywhere: {@code "<setting> was already set[ to <value>] on this builder; set each setting
 * once"}.
 *
 * <p>A setter checks its value first and gives the setting after, so that a value refused as
 * bad is not given and a corrected call is accepted: {@code x = set.set(X, checked(v))}, or
 * {@code checked(v); set.give(X, x); x = v} where the refusal shows the value held.
 *
 * <p><b>Not API</b> (see the package); not thread-safe, like the builders that hold one.
 *
 * @param <K> how the builder names a setting: an enum of its settings, or a string
 */
public final class SetOnce<K> {
  private final Set<K> given = new HashSet<>();
  private final Set<K> held = new HashSet<>();
  private final Function<? super K, String> name;

  private SetOnce(Function<? super K, String> name) {
    this.name = name;
  }

  /**
   * No setting given or held, each named in messages by {@code name} (a setter's name, or a
   * label with its command-line flag).
   */
  public static <K> SetOnce<K> named(Function<? super K, String> name) {
    if (name == null) {
      throw new IllegalArgumentException("name must not be null");
    }
    return new SetOnce<>(name);
  }

  /** No setting given or held, each named in messages by its {@code toString()}. */
  public static <K> SetOnce<K> byToString() {
    return new SetOnce<>(String::valueOf);
  }

  /**
   * Marks {@code settings} as holding a value no call gave: what {@code toBuilder()} copied.
   * Each may still be given once.
   */
  public void copied(Collection<? extends K> settings) {
    held.addAll(settings);
  }

  /**
   * Records that a call gives {@code setting} now.
   *
   * @throws IllegalStateException if a call gave it before
   */
  public void give(K setting) {
    give(setting, null, null);
  }

  /**
   * Records that a call gives {@code setting} now; a refusal shows {@code current}, the value the
   * first call gave (null: too long to show).
   *
   * @throws IllegalStateException if a call gave it before
   */
  public void give(K setting, Object current) {
    give(setting, current, null);
  }

  /**
   * As {@link #give(Object, Object)}, with {@code hint} (null: none) appended to a refusal, for
   * a setting whose setters go by other names.
   *
   * @throws IllegalStateException if a call gave it before
   */
  public void give(K setting, Object current, String hint) {
    if (given.contains(setting)) {
      throw new IllegalStateException(name.apply(setting) + " was already set"
          + (current == null ? "" : " to " + current) + " on this builder; set each setting once"
          + (hint == null ? "" : " (" + hint + ")"));
    }
    given.add(setting);
    held.add(setting);
  }

  /**
   * {@code value}, after recording that a call gives {@code setting} now: a setter's last step,
   * {@code x = set.set(X, checked(v))}, where Java checks {@code v} before the setting is given.
   *
   * @throws IllegalStateException if a call gave it before
   */
  public <T> T set(K setting, T value) {
    give(setting);
    return value;
  }

  /**
   * {@code value}, a required value, after checking it is not null and recording that a call
   * gives {@code setting}: {@code x = set.setNonNull(X, v)}. A null is refused, naming the
   * setting, and the setting stays not given.
   *
   * @throws IllegalArgumentException if {@code value} is null
   * @throws IllegalStateException if a call gave it before
   */
  public <T> T setNonNull(K setting, T value) {
    return set(setting, nonNull(setting, value));
  }

  /**
   * {@code value}, checked not to be null, without giving {@code setting}: for a setter that
   * goes on checking or copying it before {@link #set} gives it.
   *
   * @throws IllegalArgumentException naming the setting if {@code value} is null
   */
  public <T> T nonNull(K setting, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name.apply(setting) + " must not be null");
    }
    return value;
  }

  /**
   * {@code value}, an optional value (absent is an empty optional, never null), after checking
   * it is not null and recording that a call gives {@code setting}.
   *
   * @throws IllegalArgumentException if {@code value} is null
   * @throws IllegalStateException if a call gave it before
   */
  public <T> T setOptional(K setting, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name.apply(setting)
          + " is null; use empty optionals, not null");
    }
    return set(setting, value);
  }

  /** Whether {@code setting} holds a value, given by a call or copied. */
  public boolean holds(K setting) {
    return held.contains(setting);
  }

  /** Whether a call gave {@code setting}. */
  public boolean given(K setting) {
    return given.contains(setting);
  }

  /**
   * Adds to {@code problems} one line, {@code "<setting> is required"}, for each of
   * {@code required} that holds no value, in their order.
   */
  public void requireAll(Iterable<? extends K> required, List<String> problems) {
    for (K s : required) {
      if (!held.contains(s)) {
        problems.add(name.apply(s) + " is required");
      }
    }
  }
}
