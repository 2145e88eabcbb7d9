package dev.ablation.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class PathPropertiesTest {

  /** One to six segments, the first a name: the syntax of a layer path. */
  @Provide
  Arbitrary<List<String>> segments() {
    return pathsOf(0);
  }

  /** Two to six segments: a parameter lives in something, so it has at least two. */
  @Provide
  Arbitrary<List<String>> parameterSegments() {
    return pathsOf(1);
  }

  private static Arbitrary<List<String>> pathsOf(int minRest) {
    Arbitrary<String> name = Combinators.combine(
            Arbitraries.chars().range('a', 'z').with('_', 'A', 'Q'),
            Arbitraries.strings().withCharRange('a', 'z').withChars('_', '0', '9', 'W').ofMaxLength(6))
        .as((c, s) -> c + s);
    Arbitrary<String> index = Arbitraries.integers().between(0, 10_000).map(String::valueOf);
    Arbitrary<String> segment = Arbitraries.oneOf(name, index);
    return Combinators.combine(name, segment.list().ofMinSize(minRest).ofMaxSize(5))
        .as((first, rest) -> {
          List<String> all = new java.util.ArrayList<>();
          all.add(first);
          all.addAll(rest);
          return all;
        });
  }

  @Property(tries = 300)
  void layerPathRoundTrips(@ForAll("segments") List<String> segments) {
    LayerPath p = new LayerPath(segments);
    assertThat(LayerPath.parse(p.toString())).isEqualTo(p);
    assertThat(p.segments()).isEqualTo(segments);
  }

  @Property(tries = 300)
  void parameterPathRoundTrips(@ForAll("parameterSegments") List<String> segments) {
    ParameterPath p = new ParameterPath(segments);
    assertThat(ParameterPath.parse(p.toString())).isEqualTo(p);
    assertThat(p.segments()).isEqualTo(segments);
    assertThat(p.name()).isEqualTo(segments.get(segments.size() - 1));
  }

  @Property(tries = 100)
  void aOneSegmentParameterPathIsRefused(@ForAll("segments") List<String> segments) {
    String first = segments.get(0);
    assertThatThrownBy(() -> ParameterPath.parse(first))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + first + "'").hasMessageContaining("at least two");
    assertThatThrownBy(() -> new ParameterPath(List.of(first)))
        .hasMessageContaining("at least two");
  }

  @Property(tries = 200)
  void containmentIsSegmentWiseNotTextual(@ForAll @IntRange(min = 1, max = 99) int i) {
    LayerPath layer = LayerPath.block(i);
    assertThat(layer.contains(ParameterPath.parse("blocks." + i + ".attn.W_Q"))).isTrue();
    assertThat(layer.contains(ParameterPath.parse("blocks." + i + "0.attn.W_Q"))).isFalse();
    assertThat(layer.contains(ParameterPath.parse("blocks." + (i + 1) + ".ln1.gamma"))).isFalse();
  }

  @Example
  void stackAndIndexOfNestedPaths() {
    LayerPath p = LayerPath.parse("decoder.blocks.3.cross_attn");
    assertThat(p.blockIndex()).hasValue(3);
    assertThat(p.stack()).hasValue("decoder.blocks");
    assertThat(LayerPath.parse("embed").blockIndex()).isEmpty();
  }

  @Example
  void naturalOrderSortsIndicesNumerically() {
    assertThat(LayerPath.block(2)).isLessThan(LayerPath.block(10));
  }

  @Example
  void badSyntaxIsRejectedWithTheReason() {
    assertThatThrownBy(() -> LayerPath.parse("blocks..3")).hasMessageContaining("segment 1 is empty");
    assertThatThrownBy(() -> LayerPath.parse("blocks.")).hasMessageContaining("empty");
    assertThatThrownBy(() -> LayerPath.parse("3.blocks")).hasMessageContaining("must start with a name");
    assertThatThrownBy(() -> LayerPath.parse("blocks.03")).hasMessageContaining("'03'");
    assertThatThrownBy(() -> LayerPath.parse("blocks.a-b")).hasMessageContaining("'a-b'");
    assertThatThrownBy(() -> LayerPath.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> ParameterPath.parse("W Q")).hasMessageContaining("'W Q'");
  }

  @Example
  void layerPathsOrderNumbersAsNumbers() {
    List<LayerPath> sorted = new java.util.ArrayList<>(List.of(LayerPath.parse("blocks.10"),
        LayerPath.parse("embed"), LayerPath.parse("blocks.2"), LayerPath.parse("blocks.2.attn"),
        LayerPath.parse("decoder.blocks.0.cross_attn"), LayerPath.parse("decoder.blocks.0")));
    java.util.Collections.sort(sorted);
    assertThat(sorted).extracting(LayerPath::toString).containsExactly("blocks.2",
        "blocks.2.attn", "blocks.10", "decoder.blocks.0", "decoder.blocks.0.cross_attn", "embed");
  }

  @Property(tries = 100)
  void layerPathOrderIsConsistentWithEquals(@ForAll("segments") List<String> a,
      @ForAll("segments") List<String> b) {
    LayerPath x = new LayerPath(a);
    LayerPath y = new LayerPath(b);
    assertThat(x.compareTo(y) == 0).isEqualTo(x.equals(y));
    assertThat(Integer.signum(x.compareTo(y))).isEqualTo(-Integer.signum(y.compareTo(x)));
  }

  @Example
  void layerPathsSchemesAndPoliciesSerialise() throws Exception {
    for (Object o : List.of(LayerPath.parse("decoder.blocks.3.cross_attn"),
        ReinitScheme.copyFrom(LayerPath.parse("blocks.1")), ReinitScheme.shrinkPerturb(0.5, 0.01),
        FreezePolicy.wipedPlusNeighbours(2),
        FreezePolicy.onlyWiped().thenAfter(10, FreezePolicy.allTrainable()))) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(o);
      }
      try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
          new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
        assertThat(in.readObject()).isEqualTo(o);
      }
    }
  }
}
