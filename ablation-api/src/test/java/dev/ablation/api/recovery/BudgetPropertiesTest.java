package dev.ablation.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class BudgetPropertiesTest {
  private static final ReferenceCost REF = ReferenceCost.of(1000, 4, 32);

  @Property(tries = 300)
  void spendingNeverExceedsACapAndAFittingStepIsNeverRefused(
      @ForAll @LongRange(min = 0, max = 300) long maxSteps,
      @ForAll @LongRange(min = 0, max = 5000) long maxExamples,
      @ForAll @LongRange(min = 0, max = 100_000) long maxTokens,
      @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 64) Integer> batches) {
    TrainingBudget b = TrainingBudget.ofSteps(maxSteps).withMaxExamples(maxExamples)
        .withMaxTokens(maxTokens);
    BudgetMeter m = b.start(REF, Ticker.systemTicker());
    for (int batch : batches) {
      Cost c = Cost.step(batch, 32, batch * 1e6);
      Spending before = m.spent();
      boolean fits = before.steps() + 1 <= maxSteps && before.examples() + batch <= maxExamples
          && before.tokens() + batch * 32L <= maxTokens;
      assertThat(m.tryCharge(c)).isEqualTo(fits);
      Spending after = m.spent();
      assertThat(after.steps()).isBetween(0L, maxSteps);
      assertThat(after.examples()).isBetween(0L, maxExamples);
      assertThat(after.tokens()).isBetween(0L, maxTokens);
      if (!fits) {
        assertThat(after.steps()).isEqualTo(before.steps());
        assertThat(after.examples()).isEqualTo(before.examples());
      }
    }
    Spending s = m.spent();
    boolean atACap = s.steps() >= maxSteps || s.examples() >= maxExamples || s.tokens() >= maxTokens;
    assertThat(m.exhaustedBy().isPresent()).isEqualTo(atACap);
  }

  @Property(tries = 200)
  void referenceFractionCapsExamplesExactly(@ForAll @IntRange(min = 0, max = 300) int percent) {
    double f = percent / 100.0;
    BudgetMeter m = TrainingBudget.ofReferenceFraction(f).start(REF, Ticker.systemTicker());
    long cap = (long) Math.floor(f * REF.examples());
    while (m.tryCharge(Cost.step(1, 32, 0))) {
      // charge one example at a time up to the cap
    }
    assertThat(m.spent().examples()).isEqualTo(cap);
    assertThat(m.fractionOfReference()).isLessThanOrEqualTo(f);
    assertThat(m.exhaustedBy()).contains(BudgetCap.EXAMPLES);
  }

  @Example
  void wallTimeReadsTheInjectedClock() {
    AtomicLong now = new AtomicLong(1_000);
    Ticker t = new Ticker() {
      @Override
      public long read() {
        return now.get();
      }
    };
    BudgetMeter m = TrainingBudget.unlimited().withMaxWallTime(Duration.ofSeconds(10)).start(REF, t);
    assertThat(m.tryCharge(Cost.step(8, 32, 0))).isTrue();
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(m.exhaustedBy()).contains(BudgetCap.WALL_TIME);
    assertThat(m.tryCharge(Cost.step(8, 32, 0))).isFalse();
    assertThat(m.spent().wallTime()).isEqualTo(Duration.ofSeconds(10));
  }

  @Example
  void negativeCostsAndCapsAreRejectedByName() {
    assertThatThrownBy(() -> new Cost(-1, 0, 0, 0)).hasMessageContaining("steps").hasMessageContaining("-1");
    assertThatThrownBy(() -> TrainingBudget.ofExamples(-5)).hasMessageContaining("maxExamples");
    assertThatThrownBy(() -> ReferenceCost.of(0, 1, 1)).hasMessageContaining("strings S");
  }

  @Example
  void rhoIsExamplesOverReference() {
    Spending s = new Spending(10, 400, 400 * 32, 0, Duration.ZERO);
    assertThat(s.fractionOf(REF)).isEqualTo(0.1);
  }
}
