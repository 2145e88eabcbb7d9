package dev.ablation.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class ReinitSchemeTest {

  @Property(tries = 200)
  void toStringParsesBack(@ForAll @DoubleRange(min = 0, max = 1) double lambda,
      @ForAll @DoubleRange(min = 0, max = 10) double sigma,
      @ForAll @IntRange(min = 0, max = 40) int layer) {
    for (ReinitScheme s : new ReinitScheme[] {ReinitScheme.fresh(), ReinitScheme.restoreInitial(),
        ReinitScheme.zeroOutput(), ReinitScheme.shrinkPerturb(lambda, sigma),
        ReinitScheme.copyFrom(LayerPath.block(layer))}) {
      assertThat(ReinitScheme.parse(s.toString())).isEqualTo(s);
    }
  }

  @Example
  void badSchemesNameTheValueAndTheChoices() {
    assertThatThrownBy(() -> ReinitScheme.parse("RANDOM"))
        .hasMessageContaining("'RANDOM'").hasMessageContaining("ZERO_OUTPUT");
    assertThatThrownBy(() -> ReinitScheme.shrinkPerturb(1.5, 0.1)).hasMessageContaining("1.5");
    assertThatThrownBy(() -> ReinitScheme.shrinkPerturb(0.5, -1)).hasMessageContaining("-1");
    assertThatThrownBy(() -> ReinitScheme.parse("SHRINK_PERTURB(a,b)")).hasMessageContaining("numbers");
    assertThat(ReinitScheme.parse(" zero_output ")).isEqualTo(ReinitScheme.zeroOutput());
  }
}
