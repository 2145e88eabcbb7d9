package dev.ablation.samediff;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

/**
 * The layers a {@link LayerMap.Builder} declares by name pattern ({@code layerMatching},
 * {@code blocks}) or by variable list ({@code layerOfVariables}), and their resolution against a
 * graph into parameter specs. Declaring needs no graph; resolving does, and is where the rules of
 * a declared map live: which variables a pattern may take, what each parameter is called inside
 * its layer, and that a variable two nested layers name lies under the deeper one (a sublayer
 * shares its block's parameters). The builder keeps the declarations here and checks the
 * resolved whole with everything else it was told.
 */
final class DeclaredLayers {
  private final Map<LayerPath, Declared> declared = new LinkedHashMap<>();

  /** Declares {@code path} by its variables, or, with {@code pattern} set, by their names. */
  void add(LayerPath path, LayerKind kind, List<String> variables, Pattern pattern) {
    declared.put(path, new Declared(kind, variables, pattern));
  }

  /** Whether {@code path} was declared here rather than with its specs. */
  boolean contains(LayerPath path) {
    return declared.containsKey(path);
  }

  /**
   * The parameter specs of each declared layer in {@code sd}, in declaration order, adding to
   * {@code all} every problem found. With {@code includeConstants}, patterns match constants
   * that {@link ConstantAdoption} accepts as weights as well as trainable variables.
   */
  Map<LayerPath, List<ParameterSpec>> resolve(SameDiff sd, boolean includeConstants,
      ParameterRules rules, List<String> all) {
    Map<LayerPath, List<ParameterSpec>> specs = new LinkedHashMap<>();
    if (declared.isEmpty()) {
      return specs;
    }
    // Patterns match trainable variables only: SameDiff's own constants (sd_var, masks) are
    // never parameters. A parameter frozen before the map is built must be listed by name.
    List<String> paramVars = new ArrayList<>();
    List<String> constants = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE
          || includeConstants && v.getVariableType() == VariableType.CONSTANT) {
        paramVars.add(v.name());
      } else if (v.getVariableType() == VariableType.CONSTANT) {
        constants.add(v.name());
      }
    }
    Map<LayerPath, List<String>> vars = new LinkedHashMap<>();
    for (Map.Entry<LayerPath, Declared> e : declared.entrySet()) {
      LayerPath lp = e.getKey();
      Declared d = e.getValue();
      List<String> found = new ArrayList<>();
      if (d.pattern() != null) {
        for (String name : paramVars) {
          if (d.pattern().matcher(name).matches()) {
            Optional<String> notAWeight =
                sd.getVariable(name).getVariableType() == VariableType.CONSTANT
                    ? ConstantAdoption.whyNotAWeight(sd, name) : Optional.empty();
            if (notAWeight.isPresent()) {
              all.add("layer " + lp + ": pattern '" + d.pattern().pattern()
                  + "' matches the constant '" + name + "', which is no weight: "
                  + notAWeight.get() + "; narrow the pattern, or name it with"
                  + " layerOfVariables(...) to adopt it anyway");
            } else {
              found.add(name);
            }
          }
        }
        if (found.isEmpty()) {
          List<String> constantHits = constants.stream()
              .filter(n -> d.pattern().matcher(n).matches()).limit(4).toList();
          all.add("layer " + lp + ": pattern '" + d.pattern().pattern()
              + "' matches no trainable variable of the graph"
              + (constantHits.isEmpty() ? "" : "; it matches constants " + constantHits
                  + ": a graph that holds its weights as constants (imported, or saved frozen)"
                  + " needs LayerMap.builder().includeConstants(), and then the surgeon makes"
                  + " the mapped parameters trainable (SameDiffSurgeon.unfreezeAll())"));
        }
      } else {
        if (d.variables().isEmpty()) {
          all.add("layer " + lp + " has no parameters (empty variable list)");
        }
        for (String name : d.variables()) {
          if (name == null || !sd.hasVariable(name)) {
            all.add("layer " + lp + ": variable '" + name + "' is not in the graph");
          } else if (!isParameter(sd.getVariable(name))) {
            all.add("layer " + lp + ": '" + name + "' is a "
                + sd.getVariable(name).getVariableType() + ", not a parameter");
          } else if (found.contains(name)) {
            all.add("layer " + lp + ": variable '" + name + "' is listed twice");
          } else {
            found.add(name);
          }
        }
      }
      vars.put(lp, found);
    }
    // A parameter's path lies under the deepest declared layer that names it, so that a
    // sublayer (decoder.blocks.0.cross_attn) and its block share the same parameter path.
    Map<String, LayerPath> deepest = new LinkedHashMap<>();
    Map<String, LayerPath> owner = new LinkedHashMap<>();
    for (Map.Entry<LayerPath, List<String>> e : vars.entrySet()) {
      boolean sub = declared.get(e.getKey()).kind() == LayerKind.SUBLAYER;
      for (String name : e.getValue()) {
        deepest.merge(name, e.getKey(),
            (a, b) -> b.segments().size() > a.segments().size() ? b : a);
        if (!sub) {
          owner.putIfAbsent(name, e.getKey());
        }
      }
    }
    Map<LayerPath, Map<String, String>> localNames = new LinkedHashMap<>();
    for (Map.Entry<LayerPath, List<String>> e : vars.entrySet()) {
      localNames.put(e.getKey(), localNames(declared.get(e.getKey()), e.getValue()));
    }
    for (Map.Entry<LayerPath, List<String>> e : vars.entrySet()) {
      LayerPath lp = e.getKey();
      Declared d = declared.get(lp);
      for (String name : e.getValue()) {
        LayerPath home = deepest.get(name);
        if (d.kind() == LayerKind.SUBLAYER) {
          LayerPath o = owner.get(name);
          if (o == null) {
            all.add("sublayer " + lp + ": variable '" + name + "' belongs to no enclosing layer");
            continue;
          }
          if (!o.contains(lp)) {
            all.add("sublayer " + lp + ": variable '" + name + "' belongs to " + o
                + ", which does not enclose " + lp);
            continue;
          }
        }
        if (!lp.contains(home)) {
          home = lp; // an unrelated deeper claim: the overlap is reported by build()
        }
        ParameterPath pp;
        try {
          pp = home.parameter(segment(localNames.get(home).get(name)));
        } catch (IllegalArgumentException ex) {
          all.add("layer " + lp + ": variable '" + name + "': " + ex.getMessage());
          continue;
        }
        SDVariable v = sd.getVariable(name);
        ParameterKind k = rules.kindOf(sd, v, d.kind());
        specs.computeIfAbsent(lp, x -> new ArrayList<>())
            .add(new ParameterSpec(pp, name, k, rules.initOf(v, k)));
      }
    }
    return specs;
  }

  /**
   * Each variable's name inside its layer: the pattern's first capturing group when it has
   * one ({@code "t0_(.*)"}), else the name less the prefix, up to a separator ({@code _ / . :}),
   * that all the layer's variables share: {@code t0_q, t0_k → q, k}. Blocks declared alike
   * thus get the same parameter names, which {@code COPY_FROM} and neighbour policies need.
   */
  private static Map<String, String> localNames(Declared d, List<String> names) {
    Map<String, String> out = new LinkedHashMap<>();
    if (d.pattern() != null && d.pattern().matcher("").groupCount() > 0) {
      for (String n : names) {
        java.util.regex.Matcher m = d.pattern().matcher(n);
        String g = m.matches() ? m.group(1) : null;
        out.put(n, g == null || g.isEmpty() ? n : g);
      }
      return out;
    }
    int cut = 0;
    if (names.size() > 1) {
      String first = names.get(0);
      int common = first.length();
      for (String n : names) {
        int i = 0;
        while (i < Math.min(common, n.length()) && n.charAt(i) == first.charAt(i)) {
          i++;
        }
        common = i;
      }
      for (int i = common - 1; i >= 0; i--) {
        if ("_/.:".indexOf(first.charAt(i)) >= 0) {
          cut = i + 1;
          break;
        }
      }
      for (String n : names) {
        if (n.length() <= cut) {
          cut = 0;
        }
      }
    }
    for (String n : names) {
      out.put(n, n.substring(cut));
    }
    return out;
  }

  private static boolean isParameter(SDVariable v) {
    return v.getVariableType() == VariableType.VARIABLE
        || v.getVariableType() == VariableType.CONSTANT;
  }

  /** A valid path segment from a variable name: {@code t0/attn.q} → {@code t0_attn_q}. */
  private static String segment(String variable) {
    String s = variable.replaceAll("[^A-Za-z0-9_]", "_");
    if (s.isEmpty() || !Character.isLetter(s.charAt(0)) && s.charAt(0) != '_') {
      s = "_" + s;
    }
    return s;
  }

  private record Declared(LayerKind kind, List<String> variables, Pattern pattern) {}
}
