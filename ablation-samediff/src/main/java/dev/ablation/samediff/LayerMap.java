package dev.ablation.samediff;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerMapException;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ModelLayout;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

/**
 * The mapping from a model's layer paths to its SameDiff variables. Our reference models
 * produce one as they build the graph; for any other graph the user declares it with
 * {@link #builder()}. {@link Builder#build(SameDiff)} checks the whole map against the graph and
 * reports every problem at once.
 */
public final class LayerMap {
  private final ModelLayout layout;
  private final Map<ParameterPath, ParameterSpec> specs;
  private final Map<String, ParameterPath> byVariable;

  private LayerMap(ModelLayout layout, Map<ParameterPath, ParameterSpec> specs) {
    this.layout = layout;
    this.specs = ImmutableMap.copyOf(specs);
    Map<String, ParameterPath> v = new LinkedHashMap<>();
    specs.values().forEach(s -> v.put(s.variable(), s.path()));
    this.byVariable = ImmutableMap.copyOf(v);
  }

  /** The layers and parameters in API terms. */
  public ModelLayout layout() {
    return layout;
  }

  /** Every parameter's spec, in model order. */
  public List<ParameterSpec> parameters() {
    return ImmutableList.copyOf(specs.values());
  }

  /** The spec of one parameter; unknown paths fail naming the path. */
  public ParameterSpec spec(ParameterPath path) {
    ParameterSpec s = specs.get(path);
    if (s == null) {
      throw new IllegalArgumentException("unknown parameter '" + path + "'; the model has "
          + specs.size() + " parameters, e.g. " + specs.keySet().stream().limit(8).toList());
    }
    return s;
  }

  /** The SameDiff variable holding {@code path}. */
  public String variable(ParameterPath path) {
    return spec(path).variable();
  }

  /** Variable name → parameter path. */
  public Map<String, ParameterPath> byVariable() {
    return byVariable;
  }

  /** A map from scratch: declare layers, then their parameters. */
  public static Builder builder() {
    return new Builder();
  }

  /** Declares a layer map; validated as a whole by {@link #build(SameDiff)}. */
  public static final class Builder {
    private final Map<LayerPath, LayerKind> kinds = new LinkedHashMap<>();
    private final Map<LayerPath, List<ParameterSpec>> members = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private Builder() {}

    /** Declares a layer with its parameters. */
    public Builder layer(LayerPath path, LayerKind kind, List<ParameterSpec> parameters) {
      if (kinds.containsKey(path)) {
        problems.add("layer " + path + " is declared twice");
        return this;
      }
      kinds.put(path, kind);
      members.put(path, new ArrayList<>(parameters));
      return this;
    }

    /** Adds one parameter to a declared layer. */
    public Builder parameter(LayerPath layer, ParameterSpec spec) {
      List<ParameterSpec> m = members.get(layer);
      if (m == null) {
        problems.add("parameter " + spec.path() + " added to undeclared layer " + layer);
      } else {
        m.add(spec);
      }
      return this;
    }

    /**
     * Checks the map against {@code sd} and builds it.
     *
     * @throws LayerMapException listing every problem: empty layers, parameters outside their
     *     layer's path, variables missing from the graph or not trainable variables, shapes
     *     unknown, a variable in two layers, and graph variables no layer claims
     */
    public LayerMap build(SameDiff sd) {
      List<String> all = new ArrayList<>(problems);
      Map<ParameterPath, ParameterSpec> specs = new LinkedHashMap<>();
      Map<String, LayerPath> claimed = new LinkedHashMap<>();
      List<LayerInfo> infos = new ArrayList<>();
      for (Map.Entry<LayerPath, LayerKind> e : kinds.entrySet()) {
        LayerPath lp = e.getKey();
        List<ParameterSpec> ps = members.get(lp);
        if (ps.isEmpty()) {
          all.add("layer " + lp + " has no parameters");
          continue;
        }
        List<ParameterInfo> pinfos = new ArrayList<>();
        for (ParameterSpec s : ps) {
          if (!lp.contains(s.path())) {
            all.add("parameter " + s.path() + " does not lie under its layer " + lp);
            continue;
          }
          SDVariable v = sd.hasVariable(s.variable()) ? sd.getVariable(s.variable()) : null;
          if (v == null) {
            all.add("layer " + lp + ": variable '" + s.variable() + "' is not in the graph");
            continue;
          }
          if (v.getVariableType() != VariableType.VARIABLE
              && v.getVariableType() != VariableType.CONSTANT) {
            all.add("layer " + lp + ": '" + s.variable() + "' is a " + v.getVariableType()
                + ", not a parameter");
            continue;
          }
          if (e.getValue() != LayerKind.SUBLAYER) {
            LayerPath prev = claimed.put(s.variable(), lp);
            if (prev != null) {
              all.add("variable '" + s.variable() + "' is in both " + prev + " and " + lp);
              continue;
            }
            specs.put(s.path(), s);
          }
          long[] shape = v.getArr().shape();
          List<Long> sh = new ArrayList<>();
          for (long d : shape) {
            sh.add(d);
          }
          pinfos.add(new ParameterInfo(s.path(), sh, s.kind()));
        }
        if (!pinfos.isEmpty()) {
          infos.add(new LayerInfo(lp, e.getValue(), pinfos));
        }
      }
      for (SDVariable v : sd.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE && !claimed.containsKey(v.name())) {
          all.add("trainable variable '" + v.name() + "' belongs to no layer");
        }
      }
      if (!all.isEmpty()) {
        throw new LayerMapException(all, kinds.keySet());
      }
      return new LayerMap(new ModelLayout(infos), specs);
    }
  }
}
