package dev.ablation.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one "set once" record every builder of the SDK keeps: a second call is refused naming the
 * setting (and the value it holds, where shown), a copied value may be replaced once, a value
 * refused as bad is not given, and build() learns which settings hold nothing.
 */
class SetOnceTest {
  private enum Key {
    DEPTH("depth"), WIDTH("width");

    final String setter;

    Key(String setter) {
      this.setter = setter;
    }
  }

  @Test
  void aSecondGiveIsRefusedNamingTheSettingAndTheValueItHolds() {
    SetOnce<Key> set = SetOnce.named(k -> k.setter);
    set.give(Key.DEPTH, 0);
    assertThatIllegalStateException().isThrownBy(() -> set.give(Key.DEPTH, 4))
        .withMessage("depth was already set to 4 on this builder; set each setting once");
    set.give(Key.WIDTH);
    assertThatIllegalStateException().isThrownBy(() -> set.give(Key.WIDTH, null, "call width()"))
        .withMessage("width was already set on this builder; set each setting once"
            + " (call width())");
  }

  @Test
  void aCopiedValueHoldsAndMayBeReplacedOnce() {
    SetOnce<Key> set = SetOnce.byToString();
    set.copied(EnumSet.allOf(Key.class));
    assertThat(set.holds(Key.DEPTH)).isTrue();
    assertThat(set.given(Key.DEPTH)).isFalse();
    set.give(Key.DEPTH);
    assertThat(set.given(Key.DEPTH)).isTrue();
    assertThatIllegalStateException().isThrownBy(() -> set.give(Key.DEPTH))
        .withMessageStartingWith("DEPTH was already set");
  }

  @Test
  void aValueRefusedAsBadIsNotGivenSoACorrectedCallIsAccepted() {
    SetOnce<String> set = SetOnce.byToString();
    assertThatIllegalArgumentException().isThrownBy(() -> set.set("depth", checked(0)));
    assertThat(set.given("depth")).isFalse();
    assertThat(set.set("depth", checked(4))).isEqualTo(4);
    assertThatIllegalStateException().isThrownBy(() -> set.set("depth", checked(8)))
        .withMessage("depth was already set on this builder; set each setting once");
  }

  @Test
  void aNullIsRefusedNamingTheSettingAndLeavesItNotGiven() {
    SetOnce<Key> set = SetOnce.named(k -> "run key " + k.setter);
    assertThatIllegalArgumentException().isThrownBy(() -> set.setNonNull(Key.DEPTH, null))
        .withMessage("run key depth must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> set.setOptional(Key.WIDTH, null))
        .withMessage("run key width is null; use empty optionals, not null");
    assertThatIllegalArgumentException().isThrownBy(() -> set.nonNull(Key.WIDTH, null))
        .withMessage("run key width must not be null");
    assertThat(set.given(Key.DEPTH)).isFalse();
    assertThat(set.given(Key.WIDTH)).isFalse();
    assertThat(set.setNonNull(Key.DEPTH, "4")).isEqualTo("4");
    assertThat(set.nonNull(Key.WIDTH, "8")).isEqualTo("8");
    assertThat(set.given(Key.WIDTH)).as("nonNull checks, it does not give").isFalse();
    assertThat(set.setOptional(Key.WIDTH, java.util.Optional.empty())).isEmpty();
    assertThatIllegalStateException().isThrownBy(() -> set.setNonNull(Key.DEPTH, "5"))
        .withMessage("run key depth was already set on this builder; set each setting once");
  }

  @Test
  void requireAllNamesEachSettingThatHoldsNothingInOrder() {
    SetOnce<Key> set = SetOnce.named(k -> k.setter);
    List<String> problems = new ArrayList<>();
    set.requireAll(List.of(Key.WIDTH, Key.DEPTH), problems);
    assertThat(problems).containsExactly("width is required", "depth is required");
    set.give(Key.WIDTH);
    problems.clear();
    set.requireAll(List.of(Key.WIDTH, Key.DEPTH), problems);
    assertThat(problems).containsExactly("depth is required");
  }

  private static int checked(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1, got " + depth);
    }
    return depth;
  }
}
