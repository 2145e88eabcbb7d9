package dev.ablation.samediff.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The like-for-like n-gram reference on windows whose answers are worked out by hand. */
class CharNgramTest {

  @Test
  void countsPositionsOneOnAndScoresAddK() {
    // order 1 counts positions t >= 1 only: tokens 1 (first window) and 0 (second)
    CharNgram g = CharNgram.fit(List.of(Example.of(0, 1), Example.of(0, 0)), 2, 1);
    // p(1) = (1 + 1) / (2 + 2 * 1) = 1/2
    assertThat(g.loss(List.of(Example.of(0, 1)), 1.0)).isCloseTo(Math.log(2), offset(1e-12));
    // order 2: after 0 came 1 once and 0 once; p(1 | 0) = (1 + 0.5) / (2 + 1) = 1/2
    CharNgram b = CharNgram.fit(List.of(Example.of(0, 1), Example.of(0, 0)), 2, 2);
    assertThat(b.loss(List.of(Example.of(0, 1)), 0.5)).isCloseTo(Math.log(2), offset(1e-12));
    // an unseen context: uniform, ln V
    assertThat(b.loss(List.of(Example.of(1, 1)), 0.5)).isCloseTo(Math.log(2), offset(1e-12));
  }

  @Test
  void theBestOrderFollowsTheDataAndTheValidationLossIsRefittedOnEverything() {
    SplittableRandom r = new SplittableRandom(3);
    List<Example> periodic = new ArrayList<>();
    List<Example> noise = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int phase = r.nextInt(3);
      int[] p = new int[16];
      int[] u = new int[16];
      for (int t = 0; t < 16; t++) {
        p[t] = (phase + t) % 3; // 0 1 2 0 1 2 ...: the previous token decides the next
        u[t] = r.nextInt(3);
      }
      periodic.add(Example.of(p));
      noise.add(Example.of(u));
    }
    CharNgram.Choice c = CharNgram.best(periodic, periodic.subList(0, 50), 3);
    assertThat(c.order()).isGreaterThanOrEqualTo(2);
    assertThat(c.validationLoss()).isLessThan(0.01);
    CharNgram.Choice n = CharNgram.best(noise, noise.subList(0, 50), 3);
    assertThat(n.validationLoss()).isCloseTo(Math.log(3), offset(0.05));
    // the choice is the minimum over every order and k on the held-out tenth
    List<Example> counted = noise.subList(0, 360);
    List<Example> held = noise.subList(360, 400);
    for (int order = 1; order <= CharNgram.MAX_ORDER; order++) {
      for (double k : CharNgram.KS) {
        assertThat(n.heldOutLoss()).isLessThanOrEqualTo(
            CharNgram.fit(counted, 3, order).loss(held, k));
      }
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> CharNgram.fit(List.of(Example.of(0, 1)), 2, 6))
        .hasMessageContaining("order must be in [1, 5], got 6");
    assertThatThrownBy(() -> CharNgram.best(List.of(Example.of(0, 1)), List.of(), 2))
        .hasMessageContaining("at least 10 training windows");
    assertThatThrownBy(() -> CharNgram.fit(List.of(Example.of(0, 1)), 2, 1)
        .loss(List.of(Example.of(0, 1)), 0)).hasMessageContaining("k must be > 0, got 0.0");
  }
}
