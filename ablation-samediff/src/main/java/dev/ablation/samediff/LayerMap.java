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
import dev.ablation.api.ParameterKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
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

  /**
   * A map from scratch: declare layers with their parameters. For a graph built without our
   * conventions, declare each layer by a name pattern or a list of variables and mark the output
   * projections; kinds and init rules are otherwise inferred:
   *
   * <pre>{@code
   * LayerMap map = LayerMap.builder()
   *     .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable")
   *     .blocks("blocks", 2, "t%d_(.*)")        // blocks.0 ← t0_q, t0_k, …
   *     .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD, List.of("fin_g", "fin_b", "readout"))
   *     .kind("t\\d_(mix|down)", ParameterKind.OUTPUT_WEIGHT)
   *     .inferInitFromValues()   // build before training: FRESH redraws like the first draw
   *     .build(sd);
   * }</pre>
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Declares a layer map; validated as a whole by {@link #build(SameDiff)}. */
  public static final class Builder {
    private final Map<LayerPath, LayerKind> kinds = new LinkedHashMap<>();
    private final Map<LayerPath, List<ParameterSpec>> members = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final DeclaredLayers declared = new DeclaredLayers();
    private final ParameterRules rules = new ParameterRules();
    private boolean includeConstants;

    private Builder() {}

    /**
     * Declares a layer holding exactly the named graph variables. Each becomes the parameter
     * {@code <path>.<name>}, where the name is the variable's less the prefix all the layer's
     * variables share ({@code t0_q} → {@code blocks.0.q}; characters outside
     * {@code [A-Za-z0-9_]} become {@code _}). A {@link LayerKind#SUBLAYER} names variables that
     * an enclosing layer also declares; they take their path from the sublayer
     * ({@code decoder.blocks.0.cross_attn.q}).
     */
    public Builder layerOfVariables(LayerPath path, LayerKind kind, Collection<String> variables) {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(variables, "variables");
      declare(path, kind, List.copyOf(variables), null);
      return this;
    }

    /**
     * Declares a layer holding every trainable variable ({@code VariableType.VARIABLE}; list a
     * parameter already frozen to a constant by name with {@link #layerOfVariables}) whose whole
     * name matches {@code regex} ({@link java.util.regex.Pattern} syntax), e.g. {@code "t0_.*"}
     * or {@code "enc/layer_1/(.*)"}. A capturing group names the parameter inside the layer;
     * without one, names are found as in {@link #layerOfVariables}.
     */
    public Builder layerMatching(LayerPath path, LayerKind kind, String regex) {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(kind, "kind");
      Pattern p = compile("layer " + path, regex);
      if (p != null) {
        declare(path, kind, null, p);
      }
      return this;
    }

    /**
     * Declares blocks {@code <stack>.0 … <stack>.(n-1)}, block {@code i} matching
     * {@code String.format(Locale.ROOT, regexTemplate, i)}: {@code blocks("blocks", 4, "t%d_(.*)")}
     * or {@code blocks("encoder.blocks", 2, "enc/layer_%d/(.*)")}.
     */
    public Builder blocks(String stack, int n, String regexTemplate) {
      if (n < 1) {
        throw new IllegalArgumentException("a stack needs n >= 1 blocks, got " + n);
      }
      Objects.requireNonNull(regexTemplate, "regexTemplate");
      if (!regexTemplate.replace("%%", "").contains("%d")) {
        // without it every block matches the same variables: one clear problem, not one per
        // variable and block pair
        problems.add("blocks(\"" + stack + "\", " + n + ", \"" + regexTemplate + "\"): the"
            + " template has no %d for the block number, so every block would match the same"
            + " variables; write e.g. \"h\\.%d\\.(.*)\" for h.0.attn.wq, \"t%d_(.*)\" for t0_q");
        return this;
      }
      for (int i = 0; i < n; i++) {
        layerMatching(LayerPath.block(stack, i), LayerKind.BLOCK,
            String.format(java.util.Locale.ROOT, regexTemplate, i));
      }
      return this;
    }

    /**
     * Gives every declared variable whose whole name matches {@code regex} the kind
     * {@code kind}; later rules win. Undeclared kinds are inferred: the gain and shift inputs of
     * a {@code layer_norm} op are {@link ParameterKind#NORM_GAIN}/{@link ParameterKind#NORM_BIAS},
     * vectors are {@link ParameterKind#BIAS}, matrices in an {@link LayerKind#EMBEDDING} layer
     * {@link ParameterKind#EMBEDDING}, other matrices {@link ParameterKind#WEIGHT}. Output
     * projections cannot be told from the graph: declare them {@link ParameterKind#OUTPUT_WEIGHT}
     * and {@link ParameterKind#OUTPUT_BIAS}, or {@code ZERO_OUTPUT} refuses the layer.
     */
    public Builder kind(String regex, ParameterKind kind) {
      Objects.requireNonNull(kind, "kind");
      Pattern p = compile("kind " + kind, regex);
      if (p != null) {
        rules.kind(p, kind);
      }
      return this;
    }

    /**
     * Draws every declared variable whose whole name matches {@code regex} from {@code rule} on
     * a {@code FRESH} wipe; later rules win. See {@link #inferInitFromValues()} and
     * {@link InitRule#inferred} for the rules used otherwise.
     */
    public Builder init(String regex, InitRule rule) {
      Objects.requireNonNull(rule, "rule");
      Pattern p = compile("init " + rule, regex);
      if (p != null) {
        rules.init(p, rule);
      }
      return this;
    }

    /**
     * Fits each undeclared init rule to the variable's current values ({@link
     * InitRule#fittedTo}): call {@link #build} before training so that a {@code FRESH} wipe
     * redraws from the distribution the weights were first drawn from. Norm gains and shifts
     * and biases still reset to 1 and 0.
     */
    public Builder inferInitFromValues() {
      rules.initFromValues();
      return this;
    }

    /**
     * Lets patterns ({@link #layerMatching}, {@link #blocks}) match constants as well as
     * trainable variables: for a graph that holds its weights as constants, as SameDiff's
     * importers (ONNX, TensorFlow) and a graph saved with frozen weights do. The mapped
     * parameters stay constants until made trainable: {@code SameDiffSurgeon.unfreezeAll()},
     * {@code setTrainable(...)} or a freeze policy, which turn exactly the parameters that
     * train into variables.
     *
     * <p>A pattern adopts only constants that can be weights: {@link #build} refuses, naming
     * each, a matched constant that is not floating-point, that holds masking values
     * ({@code |x| ≥ 1e4} or non-finite, as an additive attention mask does: a wipe would
     * redraw it and attention would see the future) or that no gradient reaches. A constant
     * named with {@link #layerOfVariables} is adopted as named.
     */
    public Builder includeConstants() {
      includeConstants = true;
      return this;
    }

    private void declare(LayerPath path, LayerKind kind, List<String> variables,
        Pattern pattern) {
      if (kinds.containsKey(path)) {
        problems.add("layer " + path + " is declared twice");
        return;
      }
      kinds.put(path, kind);
      members.put(path, new ArrayList<>());
      declared.add(path, kind, variables, pattern);
    }

    private Pattern compile(String what, String regex) {
      if (regex == null || regex.isEmpty()) {
        problems.add(what + ": the pattern is empty");
        return null;
      }
      try {
        return Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        problems.add(what + ": bad pattern '" + regex + "': " + e.getDescription());
        return null;
      }
    }

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
      Objects.requireNonNull(sd, "sd");
      List<String> all = new ArrayList<>(problems);
      declared.resolve(sd, includeConstants, rules, all)
          .forEach((lp, ps) -> members.get(lp).addAll(ps));
      Map<ParameterPath, ParameterSpec> specs = new LinkedHashMap<>();
      Map<String, LayerPath> claimed = new LinkedHashMap<>();
      List<LayerInfo> infos = new ArrayList<>();
      for (Map.Entry<LayerPath, LayerKind> e : kinds.entrySet()) {
        LayerPath lp = e.getKey();
        List<ParameterSpec> ps = members.get(lp);
        if (ps.isEmpty()) {
          if (!declared.contains(lp)) {
            all.add("layer " + lp + " has no parameters");
          }
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
        TreeSet<String> params = new TreeSet<>();
        for (SDVariable v : sd.variables()) {
          if (v.getVariableType() == VariableType.VARIABLE) {
            params.add(v.name());
          }
        }
        all.add("the graph's trainable variables are: " + params);
        if (params.isEmpty() && !includeConstants) {
          List<String> consts = sd.variables().stream()
              .filter(v -> v.getVariableType() == VariableType.CONSTANT).map(SDVariable::name)
              .limit(6).toList();
          if (!consts.isEmpty()) {
            all.add("it holds its weights as constants (e.g. " + consts + "), as imported graphs"
                + " do: declare the map with LayerMap.builder().includeConstants()");
          }
        }
        throw new LayerMapException(all, kinds.keySet());
      }
      return new LayerMap(new ModelLayout(infos), specs);
    }
  }
}
