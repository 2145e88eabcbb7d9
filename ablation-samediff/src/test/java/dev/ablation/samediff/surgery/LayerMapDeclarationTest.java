package dev.ablation.samediff.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerMapException;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.InitRule;
import dev.ablation.samediff.LayerMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Declaring the layers of a graph whose names follow none of our conventions. */
class LayerMapDeclarationTest {

  @Test
  void patternsAndListsGiveTheLayoutWithInferredKinds() {
    LayerMap map = ToyGraphs.foreignDecoder(1).model().layers();
    assertEquals(List.of("embed", "blocks.0", "blocks.1", "unembed"),
        map.layout().paths().stream().map(LayerPath::toString).toList());
    assertEquals(31, map.parameters().size());
    assertEquals("t1_lnA_g", map.variable(ParameterPath.parse("blocks.1.lnA_g")));
    assertEquals(ParameterKind.NORM_GAIN, map.spec(ParameterPath.parse("blocks.1.lnA_g")).kind());
    assertEquals(ParameterKind.NORM_BIAS, map.spec(ParameterPath.parse("unembed.fin_b")).kind());
    assertEquals(ParameterKind.OUTPUT_WEIGHT, map.spec(ParameterPath.parse("blocks.0.mix")).kind());
    assertEquals(ParameterKind.OUTPUT_BIAS, map.spec(ParameterPath.parse("blocks.0.downb")).kind());
    assertEquals(ParameterKind.BIAS, map.spec(ParameterPath.parse("blocks.0.upb")).kind());
    assertEquals(ParameterKind.WEIGHT, map.spec(ParameterPath.parse("blocks.0.q")).kind());
    assertEquals(ParameterKind.EMBEDDING, map.spec(ParameterPath.parse("embed.tokTable")).kind());
    assertEquals(InitRule.ones(), map.spec(ParameterPath.parse("blocks.0.lnB_g")).init());
  }

  @Test
  void sublayersShareTheirBlocksParameters() {
    LayerMap map = ToyGraphs.encoderDecoder(1).model().layers();
    LayerPath cross = LayerPath.parse("decoder.blocks.0.cross_attn");
    assertEquals(LayerKind.SUBLAYER, map.layout().layer(cross).kind());
    assertEquals(7, map.layout().layer(cross).parameters().size());
    assertTrue(map.layout().parametersOf(List.of(LayerPath.parse("decoder.blocks.0")))
        .containsAll(map.layout().parametersOf(List.of(cross))));
    assertEquals("d0_xmix", map.variable(cross.parameter("xmix")));
  }

  @Test
  void everyProblemIsReportedAtOnceWithTheDeclaredLayers() {
    SameDiff sd = ToyGraphs.buildDecoder(1);
    LayerMapException e = assertThrows(LayerMapException.class, () -> LayerMap.builder()
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .layerMatching(LayerPath.parse("blocks.0"), LayerKind.BLOCK, "t0_.*")
        .layerMatching(LayerPath.parse("blocks.1"), LayerKind.BLOCK, "t[01]_.*") // overlaps
        .layerMatching(LayerPath.parse("blocks.2"), LayerKind.BLOCK, "t2_.*") // empty
        .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD,
            List.of("fin_g", "readout", "no_such_var", "ids")) // unknown, placeholder
        .layerMatching(LayerPath.parse("blocks.0"), LayerKind.BLOCK, "x") // twice
        .layerMatching(LayerPath.parse("blocks.1.cross_attn"), LayerKind.SUBLAYER, "t0_q")
        .kind("t(", ParameterKind.WEIGHT) // bad regex
        .build(sd));
    List<String> p = e.problems();
    assertTrue(p.contains("layer blocks.0 is declared twice"), p.toString());
    assertTrue(p.contains("kind WEIGHT: bad pattern 't(': Unclosed group"), p.toString());
    assertTrue(p.contains("layer blocks.2: pattern 't2_.*' matches no trainable variable of the"
        + " graph"), p.toString());
    assertTrue(p.contains("layer unembed: variable 'no_such_var' is not in the graph"),
        p.toString());
    assertTrue(p.contains("layer unembed: 'ids' is a PLACEHOLDER, not a parameter"), p.toString());
    assertTrue(p.contains("variable 't0_q' is in both blocks.0 and blocks.1"), p.toString());
    assertTrue(p.contains("sublayer blocks.1.cross_attn: variable 't0_q' belongs to blocks.0,"
        + " which does not enclose blocks.1.cross_attn"), p.toString());
    assertTrue(p.contains("trainable variable 'fin_b' belongs to no layer"), p.toString());
    assertTrue(p.get(p.size() - 1).startsWith("the graph's trainable variables are: [fin_b,"),
        p.get(p.size() - 1));
    assertTrue(e.getMessage().startsWith("invalid layer map, " + p.size() + " problem(s):"));
    assertTrue(e.getMessage().endsWith("layers: [embed, blocks.0, blocks.1, blocks.2, unembed,"
        + " blocks.1.cross_attn]"), e.getMessage());
  }

  @Test
  void emptyListsAndUnclaimedSublayerVariablesAreProblems() {
    SameDiff sd = ToyGraphs.buildDecoder(1);
    LayerMapException e = assertThrows(LayerMapException.class, () -> ToyGraphs
        .declareDecoderMap()
        .layerOfVariables(LayerPath.parse("extra"), LayerKind.OTHER, List.of())
        .build(sd));
    assertEquals("layer extra has no parameters (empty variable list)", e.problems().get(0));
    assertEquals(2, e.problems().size(), e.problems().toString());
  }

  @Test
  void capturingGroupsNameParameters() {
    SameDiff sd = SameDiff.create();
    sd.var("enc/layer_1/attn:W", Nd4j.rand(DataType.FLOAT, 2, 2));
    sd.var("enc/layer_1/9bias", Nd4j.zeros(DataType.FLOAT, 2));
    LayerMap map = LayerMap.builder()
        .layerMatching(LayerPath.parse("encoder.blocks.1"), LayerKind.BLOCK, "enc/layer_1/(.*)")
        .build(sd);
    assertEquals(List.of("encoder.blocks.1._9bias", "encoder.blocks.1.attn_W"),
        map.parameters().stream().map(s -> s.path().toString()).toList());
  }

  @Test
  void initRulesAreFittedToUntrainedValues() {
    assertEquals(new InitRule.Constant(0.25),
        InitRule.fittedTo(Nd4j.valueArrayOf(new long[] {3, 3}, 0.25, DataType.FLOAT)));
    InitRule u = InitRule.fittedTo(new InitRule.Uniform(0.3).sample(new long[] {16, 16},
        DataType.FLOAT, 1));
    assertInstanceOf(InitRule.Uniform.class, u);
    assertEquals(0.3, ((InitRule.Uniform) u).bound(), 0.01);
    InitRule n = InitRule.fittedTo(new InitRule.Normal(0.2).sample(new long[] {16, 16},
        DataType.FLOAT, 2));
    assertInstanceOf(InitRule.Normal.class, n);
    assertEquals(0.2, ((InitRule.Normal) n).std(), 0.02);
    assertEquals(InitRule.xavierUniform(4, 6), InitRule.inferred(ParameterKind.WEIGHT,
        new long[] {4, 6}));
    assertEquals(InitRule.ones(), InitRule.inferred(ParameterKind.NORM_GAIN, new long[] {6}));
  }

  @Test
  void blocksDeclaresAStackFromATemplate() {
    SameDiff sd = ToyGraphs.buildDecoder(1);
    LayerMap map = LayerMap.builder()
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .blocks("blocks", 2, "t%d_(.*)")
        .layerMatching(LayerPath.parse("unembed"), LayerKind.HEAD, "fin_g|fin_b|readout")
        .build(sd);
    assertEquals(ToyGraphs.declareDecoderMap().build(sd).layout().parameterPaths(),
        map.layout().parameterPaths());
    LayerMapException e = assertThrows(LayerMapException.class, () -> LayerMap.builder()
        .blocks("blocks", 3, "t%d_(.*)").build(sd));
    assertTrue(e.problems().contains("layer blocks.2: pattern 't2_(.*)' matches no trainable"
        + " variable of the graph"), e.problems().toString());
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> LayerMap.builder().blocks("blocks", 0, "t%d_.*"));
    assertEquals("a stack needs n >= 1 blocks, got 0", e2.getMessage());
  }

  @Test
  void declaredInitRulesWin() {
    SameDiff sd = ToyGraphs.buildDecoder(1);
    LayerMap map = ToyGraphs.declareDecoderMap()
        .init("t0_q", new InitRule.Normal(0.5))
        .build(sd);
    assertEquals(new InitRule.Normal(0.5), map.spec(ParameterPath.parse("blocks.0.q")).init());
  }
}
