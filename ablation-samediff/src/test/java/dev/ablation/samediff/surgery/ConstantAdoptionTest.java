package dev.ablation.samediff.surgery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerMapException;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code includeConstants()} adopts constants as weights only where they can be weights: a
 * broad pattern over an imported graph must not turn its causal mask (a −1e9 constant) into a
 * parameter that a wipe would redraw, nor an integer constant, nor one no gradient reaches.
 * Naming such a constant explicitly still adopts it: the user said so.
 */
class ConstantAdoptionTest {

  /** The toy decoder with every weight a constant, as importers produce it. */
  private static SameDiff imported() {
    SameDiff sd = ToyGraphs.buildDecoder(3);
    List<SDVariable> vars = sd.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).toList();
    sd.convertToConstants(vars);
    try {
      return SameDiff.fromFlatBuffers(sd.asFlatBuffers(false), false);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every other layer as the toy's map has it; the head by a broad "everything else" pattern. */
  private static LayerMap.Builder broadHead(String headPattern) {
    return LayerMap.builder().includeConstants()
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .layerMatching(LayerPath.parse("blocks.0"), LayerKind.BLOCK, "t0_.*")
        .layerMatching(LayerPath.parse("blocks.1"), LayerKind.BLOCK, "t1_.*")
        .layerMatching(LayerPath.parse("unembed"), LayerKind.HEAD, headPattern)
        .kind("t\\d_(mix|down)", ParameterKind.OUTPUT_WEIGHT)
        .kind("t\\d_(mixb|downb)", ParameterKind.OUTPUT_BIAS)
        .inferInitFromValues();
  }

  @Test
  void aBroadPatternDoesNotAdoptTheCausalMask() {
    SameDiff sd = imported();
    assertThat(sd.getVariable("causal").getVariableType()).isEqualTo(VariableType.CONSTANT);
    assertThatThrownBy(() -> broadHead("(?!t\\d_|tokTable|posTable).*").build(sd))
        .isInstanceOf(LayerMapException.class)
        .hasMessageContaining("'causal'")
        .hasMessageContaining("layerOfVariables");
  }

  @Test
  void aBroadPatternDoesNotAdoptAnIntegerOrAnUnreachableConstant() {
    SameDiff sd = imported();
    // an integer constant, and a float one that reaches the loss only through a comparison
    sd.constant("fin_steps", Nd4j.createFromArray(1, 2, 3));
    SDVariable gate = sd.constant("fin_gate", Nd4j.ones(DataType.FLOAT, 1));
    SDVariable loss = sd.getVariable("xent");
    sd.setLossVariables(loss.add("xent_gated",
        gate.gt(0.5).castTo(DataType.FLOAT).mul(0.0).sum()));
    assertThatThrownBy(() -> broadHead("fin_.*|readout").build(sd))
        .isInstanceOf(LayerMapException.class)
        .hasMessageContaining("'fin_steps'").hasMessageContaining("INT")
        .hasMessageContaining("'fin_gate'").hasMessageContaining("no gradient");
  }

  @Test
  void namedExplicitlyAConstantIsAdoptedAndThePreciseMapIsUnchanged() {
    SameDiff sd = imported();
    LayerMap precise = broadHead("fin_g|fin_b|readout").build(sd);
    assertThat(precise.parameters()).extracting(ParameterSpec::variable)
        .contains("fin_g", "readout").doesNotContain("causal");

    LayerMap named = LayerMap.builder().includeConstants()
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .layerMatching(LayerPath.parse("blocks.0"), LayerKind.BLOCK, "t0_.*")
        .layerMatching(LayerPath.parse("blocks.1"), LayerKind.BLOCK, "t1_.*")
        .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD,
            List.of("fin_g", "fin_b", "readout", "causal"))
        .inferInitFromValues()
        .build(sd);
    assertThat(named.parameters()).extracting(ParameterSpec::variable).contains("causal");
  }
}
