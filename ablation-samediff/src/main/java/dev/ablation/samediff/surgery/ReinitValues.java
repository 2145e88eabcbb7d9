package dev.ablation.samediff.surgery;

import dev.ablation.api.AblationException;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ModelLayout;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.samediff.InitRule;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a wipe writes into each parameter under a {@link ReinitScheme}: fresh draws of the
 * parameter's own init rule, layer norms reset to γ = 1 and β = 0, zeroed output projections,
 * θ₀, a shrunk and perturbed copy, or another layer's values. Kept apart from
 * {@link SameDiffSurgeon}, which decides where and when values are written (in place, with a
 * snapshot for undo): the schemes' meaning is this class alone, and a scheme that cannot apply
 * to the layers asked for is refused here before any array changes.
 */
final class ReinitValues {
  private final SameDiff sd;
  private final LayerMap map;
  private final ModelLayout layout;
  private final Optional<ArraySnapshot> initial;

  ReinitValues(SameDiff sd, LayerMap map, ModelLayout layout, Optional<ArraySnapshot> initial) {
    this.sd = sd;
    this.map = map;
    this.layout = layout;
    this.initial = initial;
  }

  /**
   * Checks that {@code scheme} can apply to {@code infos}, before anything changes, and returns
   * the copy plan of a {@code COPY_FROM} (target parameter → source parameter; empty for the
   * other schemes).
   *
   * @throws AblationException naming every layer or parameter the scheme cannot apply to
   */
  Map<ParameterPath, ParameterPath> check(ReinitScheme scheme, List<LayerInfo> infos) {
    if (scheme instanceof ReinitScheme.RestoreInitial && initial.isEmpty()) {
      throw new AblationException("RESTORE_INITIAL needs the initial weights θ₀, and this surgeon"
          + " was created without them: take a snapshot before training and pass it to"
          + " SameDiffSurgeon.of(model, initialWeights)");
    }
    if (scheme instanceof ReinitScheme.ZeroOutput) {
      List<String> problems = new ArrayList<>();
      for (LayerInfo l : infos) {
        if (l.parameters().stream().noneMatch(p -> p.kind().isOutput())) {
          problems.add(l.path() + " (kinds " + l.parameters().stream().map(ParameterInfo::kind)
              .distinct().toList() + ")");
        }
      }
      if (!problems.isEmpty()) {
        throw new AblationException("ZERO_OUTPUT cannot make these layers the identity: they"
            + " have no OUTPUT_WEIGHT or OUTPUT_BIAS parameter: " + problems
            + "; declare the output projections in the layer map (LayerMap.Builder.kind)");
      }
    }
    if (scheme instanceof ReinitScheme.CopyFrom c) {
      return copyPlan(c.source(), infos);
    }
    return Map.of();
  }

  INDArray newValue(ReinitScheme scheme, ParameterSpec spec, INDArray arr, long seed,
      ParameterPath copyFrom) {
    long[] shape = arr.shape();
    DataType type = arr.dataType();
    if (scheme instanceof ReinitScheme.CopyFrom) {
      return sd.getVariable(map.variable(copyFrom)).getArr().dup();
    }
    if (scheme instanceof ReinitScheme.ShrinkPerturb sp) {
      INDArray noise = new InitRule.Normal(1).sample(shape, DataType.DOUBLE, seed);
      return arr.dup().castTo(DataType.DOUBLE).muli(sp.lambda())
          .addi(noise.muli(sp.sigma())).castTo(type);
    }
    // FRESH, ZERO_OUTPUT and RESTORE_INITIAL reset layer norms to γ=1, β=0.
    if (spec.kind() == ParameterKind.NORM_GAIN) {
      return InitRule.ones().sample(shape, type, seed);
    }
    if (spec.kind() == ParameterKind.NORM_BIAS) {
      return InitRule.zeros().sample(shape, type, seed);
    }
    if (scheme instanceof ReinitScheme.RestoreInitial) {
      return initial.orElseThrow().array(spec.path());
    }
    if (scheme instanceof ReinitScheme.ZeroOutput && spec.kind().isOutput()) {
      return InitRule.zeros().sample(shape, type, seed);
    }
    return spec.init().sample(shape, type, seed);
  }

  /** Target parameter → source parameter, matched by their path relative to their layer. */
  private Map<ParameterPath, ParameterPath> copyPlan(LayerPath source, List<LayerInfo> targets) {
    LayerInfo src = layout.layer(source);
    Map<String, ParameterInfo> bySuffix = new LinkedHashMap<>();
    for (ParameterInfo p : src.parameters()) {
      bySuffix.put(relative(src.path(), p.path()), p);
    }
    List<String> problems = new ArrayList<>();
    Map<ParameterPath, ParameterPath> plan = new LinkedHashMap<>();
    for (LayerInfo t : targets) {
      if (t.path().contains(source) || source.contains(t.path())) {
        problems.add("source " + source + " and target " + t.path() + " overlap");
        continue;
      }
      Set<String> seen = new TreeSet<>();
      for (ParameterInfo p : t.parameters()) {
        String rel = relative(t.path(), p.path());
        seen.add(rel);
        ParameterInfo s = bySuffix.get(rel);
        if (s == null) {
          problems.add(t.path() + "." + rel + " has no counterpart " + source + "." + rel);
        } else if (!s.shape().equals(p.shape())) {
          problems.add(t.path() + "." + rel + " has shape " + p.shape() + " but " + s.path()
              + " has shape " + s.shape());
        } else {
          plan.put(p.path(), s.path());
        }
      }
      for (String rel : bySuffix.keySet()) {
        if (!seen.contains(rel)) {
          problems.add(source + "." + rel + " has no counterpart " + t.path() + "." + rel);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new AblationException("COPY_FROM(" + source + ") does not fit; nothing was changed: "
          + String.join("; ", problems));
    }
    return plan;
  }

  private static String relative(LayerPath layer, ParameterPath p) {
    return String.join(".", p.segments().subList(layer.segments().size(), p.segments().size()));
  }

  /**
   * The seed of one parameter's draw: {@link dev.ablation.api.recovery.Seeds#parameter}, the project's
   * one derivation (the reference models draw θ₀ with the same function), so the same seed
   * gives the same values whatever other layers are wiped alongside.
   */
  static long parameterSeed(long seed, ParameterPath p) {
    return dev.ablation.api.recovery.Seeds.parameter(seed, p);
  }
}
