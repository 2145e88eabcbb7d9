package dev.ablation.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class FreezePolicyPropertiesTest {

  @Property(tries = 100)
  void onlyWipedResolvesToExactlyTheWipedLayer(@ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 7) int l) {
    ModelLayout layout = Layouts.decoder(n, 4);
    int layer = l % n;
    Set<ParameterPath> t = FreezePolicy.onlyWiped().resolve(layout, List.of(LayerPath.block(layer)), 0);
    assertThat(t).isEqualTo(layout.parametersOf(List.of(LayerPath.block(layer))));
    assertThat(t).allMatch(p -> p.segments().get(1).equals(String.valueOf(layer)));
  }

  @Property(tries = 100)
  void allTrainableIsEverything(@ForAll @IntRange(min = 1, max = 8) int n) {
    ModelLayout layout = Layouts.decoder(n, 4);
    assertThat(FreezePolicy.allTrainable().resolve(layout, List.of(), 5))
        .isEqualTo(layout.parameterPaths());
  }

  @Property(tries = 100)
  void neighboursAreWithinKBlocks(@ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 7) int l, @ForAll @IntRange(min = 0, max = 3) int k) {
    ModelLayout layout = Layouts.decoder(n, 4);
    int layer = l % n;
    Set<ParameterPath> t = FreezePolicy.wipedPlusNeighbours(k)
        .resolve(layout, List.of(LayerPath.block(layer)), 0);
    Set<Integer> blocks = t.stream().map(p -> Integer.parseInt(p.segments().get(1)))
        .collect(Collectors.toSet());
    for (int i = 0; i < n; i++) {
      assertThat(blocks.contains(i)).as("block %d", i).isEqualTo(Math.abs(i - layer) <= k);
    }
  }

  @Property(tries = 50)
  void layerNormsAndHeadAddExactlyTheirParameters(@ForAll @IntRange(min = 1, max = 6) int n) {
    ModelLayout layout = Layouts.decoder(n, 4);
    List<LayerPath> wiped = List.of(LayerPath.block(0));
    Set<ParameterPath> wipedParams = layout.parametersOf(wiped);
    Set<ParameterPath> norms = FreezePolicy.wipedPlusLayerNorms().resolve(layout, wiped, 0);
    for (ParameterInfo p : layout.parameters()) {
      assertThat(norms.contains(p.path()))
          .isEqualTo(wipedParams.contains(p.path()) || p.kind().isNorm());
    }
    Set<ParameterPath> head = FreezePolicy.wipedPlusHead().resolve(layout, wiped, 0);
    assertThat(head).containsAll(wipedParams)
        .contains(ParameterPath.parse("unembed.W_U"), ParameterPath.parse("ln_final.gamma"))
        .hasSize(wipedParams.size() + 3);
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
    ModelLayout layout = Layouts.decoder(3, 4);
    FreezePolicy p = FreezePolicy.onlyWiped().thenAfter(after, FreezePolicy.allTrainable());
    List<LayerPath> wiped = List.of(LayerPath.block(1));
    Set<ParameterPath> t = p.resolve(layout, wiped, step);
    assertThat(t).isEqualTo(step < after ? layout.parametersOf(wiped) : layout.parameterPaths());
    assertThat(p.nextChangeAfter(step).isPresent()).isEqualTo(step < after);
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
