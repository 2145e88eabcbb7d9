package dev.ablation.samediff;

import dev.ablation.api.LayerKind;
import dev.ablation.api.ParameterKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The kind and the {@code FRESH} init rule of each parameter a {@link LayerMap.Builder}
 * declares by pattern or by list: what the user declared by name pattern ({@link
 * LayerMap.Builder#kind}, {@link LayerMap.Builder#init}; later rules win), else what the graph
 * says (the inputs of a {@code layer_norm}, the shape, the layer's kind, and with {@link
 * LayerMap.Builder#inferInitFromValues()} the values). Kept apart from the layers' resolution
 * because these rules hold for every variable alike, whichever layer claims it.
 */
final class ParameterRules {
  private final List<Rule<ParameterKind>> kindRules = new ArrayList<>();
  private final List<Rule<InitRule>> initRules = new ArrayList<>();
  private boolean initFromValues;

  /** Variables whose whole name matches {@code pattern} are of {@code kind}. */
  void kind(Pattern pattern, ParameterKind kind) {
    kindRules.add(new Rule<>(pattern, kind));
  }

  /** Variables whose whole name matches {@code pattern} are drawn from {@code rule}. */
  void init(Pattern pattern, InitRule rule) {
    initRules.add(new Rule<>(pattern, rule));
  }

  /** Undeclared init rules are fitted to the variables' current values. */
  void initFromValues() {
    initFromValues = true;
  }

  /**
   * {@code v}'s kind: the last declared rule matching its name; else the gain and shift inputs
   * of a {@code layer_norm} are norm parameters, a variable with at most one dimension over 1 a
   * bias, other variables of an embedding layer embeddings and the rest weights.
   */
  ParameterKind kindOf(SameDiff sd, SDVariable v, LayerKind layerKind) {
    ParameterKind declaredKind = null;
    for (Rule<ParameterKind> r : kindRules) {
      if (r.pattern().matcher(v.name()).matches()) {
        declaredKind = r.value();
      }
    }
    if (declaredKind != null) {
      return declaredKind;
    }
    org.nd4j.autodiff.samediff.internal.Variable meta = sd.getVariables().get(v.name());
    if (meta != null && meta.getInputsForOp() != null) {
      for (String opName : meta.getInputsForOp()) {
        org.nd4j.autodiff.samediff.internal.SameDiffOp op = sd.getOps().get(opName);
        if (op == null || !"layer_norm".equals(op.getOp().opName())) {
          continue;
        }
        int idx = op.getInputsToOp().indexOf(v.name());
        if (idx == 1) {
          return ParameterKind.NORM_GAIN;
        }
        if (idx == 2) {
          return ParameterKind.NORM_BIAS;
        }
      }
    }
    long[] shape = v.getArr().shape();
    long nonUnit = java.util.Arrays.stream(shape).filter(d -> d != 1).count();
    if (nonUnit <= 1) {
      return ParameterKind.BIAS;
    }
    return layerKind == LayerKind.EMBEDDING ? ParameterKind.EMBEDDING : ParameterKind.WEIGHT;
  }

  /**
   * {@code v}'s init rule: the last declared rule matching its name, else fitted to its values
   * when asked (norm parameters and biases excepted), else inferred from its kind and shape.
   */
  InitRule initOf(SDVariable v, ParameterKind kind) {
    InitRule declaredRule = null;
    for (Rule<InitRule> r : initRules) {
      if (r.pattern().matcher(v.name()).matches()) {
        declaredRule = r.value();
      }
    }
    if (declaredRule != null) {
      return declaredRule;
    }
    boolean fixed = kind.isNorm() || kind == ParameterKind.BIAS
        || kind == ParameterKind.OUTPUT_BIAS;
    if (initFromValues && !fixed) {
      return InitRule.fittedTo(v.getArr());
    }
    return InitRule.inferred(kind, v.getArr().shape());
  }

  private record Rule<T>(Pattern pattern, T value) {}
}
