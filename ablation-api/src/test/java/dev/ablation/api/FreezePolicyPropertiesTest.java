package dev.ablation.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class FreezePolicyPropertiesTest {

  // The expected sets are spelt out from the layout's names (Layouts.decoder), never computed
  // with the layout queries or parameter kinds that the policies themselves use.
  private static final List<String> BLOCK_PARAMETERS = List.of("ln1.gamma", "ln1.beta",
      "attn.W_Q", "attn.W_O", "mlp.W_in", "mlp.W_out");
  private static final List<String> HEAD = List.of("ln_final.gamma", "ln_final.beta",
      "unembed.W_U");

  private static Set<String> block(int i) {
    return BLOCK_PARAMETERS.stream().map(s -> "blocks." + i + "." + s)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> blocks(java.util.stream.IntStream indices) {
    Set<String> out = new TreeSet<>();
    indices.forEach(i -> out.addAll(block(i)));
    return out;
  }

  private static Set<String> everything(int n) {
    Set<String> out = blocks(java.util.stream.IntStream.range(0, n));
    out.add("embed.W_E");
    out.addAll(HEAD);
    return out;
  }

  private static Set<String> names(Set<ParameterPath> paths) {
    return paths.stream().map(ParameterPath::toString)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Property(tries = 100)
  void onlyWipedIsExactlyTheWipedBlocksSixParameters(@ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 7) int l) {
    int layer = l % n;
    Set<ParameterPath> t = FreezePolicy.onlyWiped()
        .resolve(Layouts.decoder(n, 4), List.of(LayerPath.block(layer)), 0);
    assertThat(names(t)).isEqualTo(block(layer));
  }

  @Property(tries = 50)
  void twoWipedBlocksTrainTogether(@ForAll @IntRange(min = 2, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 7) int a, @ForAll @IntRange(min = 1, max = 7) int gap) {
    int first = a % n;
    int second = (first + gap) % n;
    Set<String> expected = new TreeSet<>(block(first));
    expected.addAll(block(second));
    assertThat(names(FreezePolicy.onlyWiped().resolve(Layouts.decoder(n, 4),
        List.of(LayerPath.block(first), LayerPath.block(second)), 0))).isEqualTo(expected);
  }

  @Property(tries = 100)
  void allTrainableIsEveryParameterOfTheModel(@ForAll @IntRange(min = 1, max = 8) int n) {
    Set<ParameterPath> t = FreezePolicy.allTrainable().resolve(Layouts.decoder(n, 4),
        List.of(), 5);
    assertThat(names(t)).isEqualTo(everything(n)).hasSize(6 * n + 4);
  }

  @Property(tries = 100)
  void neighboursAreTheBlocksWithinKAndNothingElse(@ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 7) int l, @ForAll @IntRange(min = 0, max = 3) int k) {
    int layer = l % n;
    Set<ParameterPath> t = FreezePolicy.wipedPlusNeighbours(k)
        .resolve(Layouts.decoder(n, 4), List.of(LayerPath.block(layer)), 0);
    // no embedding, no head: only whole blocks layer-k .. layer+k clipped to the model
    assertThat(names(t)).isEqualTo(blocks(java.util.stream.IntStream.rangeClosed(
        Math.max(0, layer - k), Math.min(n - 1, layer + k))));
  }

  @Property(tries = 50)
  void layerNormsAddEveryNormOfTheModelAndNothingElse(@ForAll @IntRange(min = 1, max = 6) int n,
      @ForAll @IntRange(min = 0, max = 5) int l) {
    int layer = l % n;
    Set<String> expected = new TreeSet<>(block(layer));
    for (int i = 0; i < n; i++) {
      expected.add("blocks." + i + ".ln1.gamma");
      expected.add("blocks." + i + ".ln1.beta");
    }
    expected.add("ln_final.gamma");
    expected.add("ln_final.beta");
    assertThat(names(FreezePolicy.wipedPlusLayerNorms().resolve(Layouts.decoder(n, 4),
        List.of(LayerPath.block(layer)), 0))).isEqualTo(expected);
  }

  @Property(tries = 50)
  void headAddsTheFinalNormAndTheUnembedding(@ForAll @IntRange(min = 1, max = 6) int n,
      @ForAll @IntRange(min = 0, max = 5) int l) {
    int layer = l % n;
    Set<String> expected = new TreeSet<>(block(layer));
    expected.addAll(HEAD);
    assertThat(names(FreezePolicy.wipedPlusHead().resolve(Layouts.decoder(n, 4),
        List.of(LayerPath.block(layer)), 0))).isEqualTo(expected);
  }

  @Example
  void freezingEverythingIsAClearError() {
    ModelLayout layout = Layouts.decoder(2, 4);
    assertThatThrownBy(() -> FreezePolicy.onlyWiped().resolve(layout, List.of(), 0))
        .isInstanceOf(NothingTrainableException.class)
        .hasMessageContaining("onlyWiped")
        .hasMessageContaining("allTrainable()");
  }

  @Example
  void unknownWipedLayerListsTheLayersThatExist() {
    ModelLayout layout = Layouts.decoder(2, 4);
    assertThatThrownBy(() -> FreezePolicy.onlyWiped().resolve(layout, List.of(LayerPath.block(5)), 0))
        .isInstanceOf(UnknownLayerException.class)
        .hasMessageContaining("blocks.5")
        .hasMessageContaining("blocks.1");
  }

  @Property(tries = 50)
  void schedulesSwitchAtTheirStep(@ForAll @IntRange(min = 1, max = 1000) int after,
      @ForAll @IntRange(min = 0, max = 2000) int step) {
    FreezePolicy p = FreezePolicy.onlyWiped().thenAfter(after, FreezePolicy.allTrainable());
    Set<ParameterPath> t = p.resolve(Layouts.decoder(3, 4), List.of(LayerPath.block(1)), step);
    assertThat(names(t)).isEqualTo(step < after ? block(1) : everything(3));
    assertThat(p.nextChangeAfter(step)).isEqualTo(step < after
        ? java.util.OptionalLong.of(after) : java.util.OptionalLong.empty());
  }

  @Property(tries = 50)
  void aChainedScheduleCountsEachPhaseFromTheStartOfThePreviousOne(
      @ForAll @IntRange(min = 1, max = 50) int a, @ForAll @IntRange(min = 1, max = 50) int b,
      @ForAll @IntRange(min = 0, max = 120) int step) {
    FreezePolicy p = FreezePolicy.onlyWiped().thenAfter(a, FreezePolicy.wipedPlusHead())
        .thenAfter(b, FreezePolicy.allTrainable());
    Set<String> expected = new TreeSet<>(block(0));
    if (step >= a) {
      expected.addAll(HEAD);
    }
    if (step >= a + b) {
      expected = everything(2);
    }
    assertThat(names(p.resolve(Layouts.decoder(2, 4), List.of(LayerPath.block(0)), step)))
        .isEqualTo(expected);
    long next = step < a ? a : step < a + b ? a + b : -1;
    assertThat(p.nextChangeAfter(step)).isEqualTo(next < 0 ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(next));
  }

  @Example
  void parseAcceptsKeysAndRejectsWithTheList() {
    for (FreezePolicy p : List.of(FreezePolicy.onlyWiped(), FreezePolicy.wipedPlusLayerNorms(),
        FreezePolicy.wipedPlusNeighbours(2), FreezePolicy.wipedPlusHead(),
        FreezePolicy.allTrainable())) {
      assertThat(FreezePolicy.parse(p.key())).isEqualTo(p);
    }
    assertThat(FreezePolicy.parse("ONLY_WIPED")).isEqualTo(FreezePolicy.onlyWiped());
    assertThatThrownBy(() -> FreezePolicy.parse("frozenSolid"))
        .hasMessageContaining("'frozenSolid'").hasMessageContaining("wipedPlusHead");
  }

  @Example
  void overlappingLayersAreReportedTogether() {
    assertThatThrownBy(() -> new ModelLayout(List.of(
            Layouts.layer("blocks.0", LayerKind.BLOCK, Layouts.p("blocks.0.a", ParameterKind.WEIGHT, 2)),
            Layouts.layer("blocks.0", LayerKind.BLOCK, Layouts.p("blocks.0.b", ParameterKind.WEIGHT, 2)),
            Layouts.layer("blocks", LayerKind.OTHER, Layouts.p("blocks.0.a", ParameterKind.WEIGHT, 2)))))
        .isInstanceOf(LayerMapException.class)
        .hasMessageContaining("declared twice")
        .hasMessageContaining("parameter blocks.0.a is in both blocks.0 and blocks")
        .hasMessageContaining("2 problem(s)");
  }
}
