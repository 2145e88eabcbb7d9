package dev.ablation.samediff;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Renames an ONNX graph's values and nodes whose names SameDiff cannot hold. SameDiff reads
 * {@code name:1} as output 1 of {@code name}, and M2.1's importer fails on PyTorch's names for
 * lifted constants such as {@code onnx::Where_314} ("IllegalArgumentException: No variable name
 * found for onnx::Where_314", {@code ImportGraph.kt:508}). Every {@code :} becomes {@code _}
 * ({@code onnx__Where_314}), consistently in initializers, node inputs and outputs, the graph's
 * inputs, outputs and value_info; a name already taken gets a further {@code _}.
 */
final class OnnxNames {
  private OnnxNames() {}

  /** The graph with no {@code :} in any value or node name. */
  static GraphProto withoutColons(GraphProto g) {
    Set<String> taken = new HashSet<>();
    for (List<ValueInfoProto> values : List.of(g.getInputList(), g.getOutputList(),
        g.getValueInfoList())) {
      values.forEach(v -> taken.add(v.getName()));
    }
    g.getInitializerList().forEach(t -> taken.add(t.getName()));
    for (NodeProto n : g.getNodeList()) {
      taken.addAll(n.getInputList());
      taken.addAll(n.getOutputList());
      taken.add(n.getName());
    }
    Map<String, String> renamed = new HashMap<>();
    for (String name : new java.util.TreeSet<>(taken)) {
      if (name.contains(":")) {
        String candidate = name.replace(':', '_');
        while (taken.contains(candidate) || renamed.containsValue(candidate)) {
          candidate += "_";
        }
        renamed.put(name, candidate);
      }
    }
    return renamed(g, renamed);
  }

  /** The graph with every value, initializer and node named in {@code renamed} renamed so. */
  static GraphProto renamed(GraphProto g, Map<String, String> renamed) {
    if (renamed.isEmpty()) {
      return g;
    }
    GraphProto.Builder b = g.toBuilder().clearInput().clearOutput().clearValueInfo()
        .clearInitializer().clearNode();
    g.getInputList().forEach(v -> b.addInput(v.toBuilder().setName(of(renamed, v.getName()))));
    g.getOutputList().forEach(v -> b.addOutput(v.toBuilder().setName(of(renamed, v.getName()))));
    g.getValueInfoList().forEach(v ->
        b.addValueInfo(v.toBuilder().setName(of(renamed, v.getName()))));
    for (TensorProto t : g.getInitializerList()) {
      b.addInitializer(t.toBuilder().setName(of(renamed, t.getName())));
    }
    for (NodeProto n : g.getNodeList()) {
      NodeProto.Builder r = n.toBuilder().clearInput().clearOutput()
          .setName(of(renamed, n.getName()));
      n.getInputList().forEach(i -> r.addInput(of(renamed, i)));
      n.getOutputList().forEach(o -> r.addOutput(of(renamed, o)));
      b.addNode(r);
    }
    return b.build();
  }

  private static String of(Map<String, String> renamed, String name) {
    return renamed.getOrDefault(name, name);
  }
}
