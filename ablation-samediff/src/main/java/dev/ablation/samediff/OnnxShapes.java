package dev.ablation.samediff;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * The static shapes of an ONNX graph's values, as far as they follow from its inputs'
 * declared shapes, its initializers and the ops a transformer export uses: a rank for every
 * value it can reach, and each dimension where it is fixed ({@link #UNKNOWN} where it is not,
 * such as the batch). Exporters record no shapes for intermediate values (PyTorch's export
 * declares only the graph's inputs and outputs), yet some of {@link OnnxModels}' rewrites need a
 * rank: M2.1's importer computes reductions over a negative axis wrongly, so the axis must be
 * written as a positive one. Ops not listed here leave their outputs unknown.
 */
final class OnnxShapes {
  /** A dimension whose size is not fixed by the graph. */
  static final long UNKNOWN = -1;

  private final Map<String, long[]> dims = new HashMap<>();
  private final Map<String, TensorProto> initializers;

  private OnnxShapes(Map<String, TensorProto> initializers) {
    this.initializers = initializers;
  }

  /** The shapes of {@code graph}'s values; {@code initializers} by name (Constant nodes included). */
  static OnnxShapes of(GraphProto graph, Map<String, TensorProto> initializers) {
    OnnxShapes s = new OnnxShapes(initializers);
    for (List<ValueInfoProto> values : List.of(graph.getInputList(), graph.getOutputList(),
        graph.getValueInfoList())) {
      for (ValueInfoProto v : values) {
        if (v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
          s.dims.put(v.getName(), declared(v.getType().getTensorType().getShape()));
        }
      }
    }
    initializers.forEach((name, t) ->
        s.dims.put(name, t.getDimsList().stream().mapToLong(Long::longValue).toArray()));
    for (NodeProto n : graph.getNodeList()) {
      s.infer(n);
    }
    return s;
  }

  /** The value's dimensions, {@link #UNKNOWN} where not fixed; empty where even the rank is not. */
  Optional<long[]> dims(String value) {
    long[] d = dims.get(value);
    return d == null ? Optional.empty() : Optional.of(d.clone());
  }

  /** The value's rank, or -1 where it does not follow from the graph. */
  int rank(String value) {
    long[] d = dims.get(value);
    return d == null ? -1 : d.length;
  }

  /**
   * {@code axis} as a non-negative axis of a value of rank {@code rank} (-1: unknown), or empty
   * if that does not follow or the axis is out of range.
   */
  static Optional<Long> positive(long axis, int rank) {
    if (axis >= 0) {
      return rank >= 0 && axis >= rank ? Optional.empty() : Optional.of(axis);
    }
    return rank < 0 || axis < -rank ? Optional.empty() : Optional.of(axis + rank);
  }

  private static long[] declared(TensorShapeProto shape) {
    return shape.getDimList().stream()
        .mapToLong(d -> d.hasDimValue() ? d.getDimValue() : UNKNOWN).toArray();
  }

  private long[] in(NodeProto n, int i) {
    return i < n.getInputCount() && !n.getInput(i).isEmpty() ? dims.get(n.getInput(i)) : null;
  }

  private void out(NodeProto n, int i, long[] d) {
    if (d != null && i < n.getOutputCount() && !n.getOutput(i).isEmpty()) {
      dims.put(n.getOutput(i), d);
    }
  }

  private void infer(NodeProto n) {
    long[] x = in(n, 0);
    switch (n.getOpType()) {
      case "Identity", "Cast", "Sqrt", "Tanh", "Relu", "Sigmoid", "Softmax", "LogSoftmax", "Neg",
          "Exp", "Log", "Erf", "Abs", "Not", "Dropout", "LayerNormalization", "Gelu" ->
          out(n, 0, x);
      case "Add", "Sub", "Mul", "Div", "Pow", "Where", "Equal", "Less", "Greater", "And", "Or",
          "Max", "Min" -> {
        long[] d = x;
        for (int i = 1; i < n.getInputCount() && d != null; i++) {
          d = broadcast(d, in(n, i));
        }
        out(n, 0, d);
      }
      case "Shape" -> out(n, 0, x == null ? null : new long[] {x.length});
      case "Range" -> out(n, 0, new long[] {UNKNOWN});
      case "Gather" -> {
        long[] idx = in(n, 1);
        if (x != null && idx != null) {
          Optional<Long> axis = positive(intAttribute(n, "axis", 0), x.length);
          axis.ifPresent(a -> {
            long[] d = new long[x.length - 1 + idx.length];
            System.arraycopy(x, 0, d, 0, a.intValue());
            System.arraycopy(idx, 0, d, a.intValue(), idx.length);
            System.arraycopy(x, a.intValue() + 1, d, a.intValue() + idx.length,
                x.length - a.intValue() - 1);
            out(n, 0, d);
          });
        }
      }
      case "Unsqueeze" -> axes(n).ifPresent(axes -> {
        if (x != null) {
          int rank = x.length + axes.length;
          long[] d = new long[rank];
          boolean[] inserted = new boolean[rank];
          for (long a : axes) {
            positive(a, rank).ifPresent(p -> inserted[p.intValue()] = true);
          }
          for (int i = 0, j = 0; i < rank; i++) {
            d[i] = inserted[i] ? 1 : j < x.length ? x[j++] : UNKNOWN;
          }
          out(n, 0, d);
        }
      });
      case "Concat" -> {
        if (x == null) {
          break;
        }
        Optional<Long> axis = positive(intAttribute(n, "axis", 0), x.length);
        long[] d = x.clone();
        for (int i = 1; i < n.getInputCount() && d != null; i++) {
          long[] o = in(n, i);
          if (o == null || o.length != d.length) {
            d = null;
          } else if (axis.isPresent()) {
            int a = axis.get().intValue();
            d[a] = d[a] == UNKNOWN || o[a] == UNKNOWN ? UNKNOWN : d[a] + o[a];
          }
        }
        if (d != null && axis.isEmpty()) {
          Arrays.fill(d, UNKNOWN);
        }
        out(n, 0, d);
      }
      case "Slice" -> {
        if (x != null) {
          out(n, 0, slice(n, x));
        }
      }
      case "Split" -> {
        if (x != null) {
          Optional<Long> axis = positive(intAttribute(n, "axis", 0), x.length);
          long[] sizes = n.getInputCount() > 1 ? values(n.getInput(1)) : null;
          for (int i = 0; i < n.getOutputCount(); i++) {
            long[] d = x.clone();
            if (axis.isPresent()) {
              d[axis.get().intValue()] = sizes != null && i < sizes.length ? sizes[i] : UNKNOWN;
            }
            out(n, i, d);
          }
        }
      }
      case "Reshape" -> {
        long[] shape = in(n, 1);
        if (shape != null && shape.length == 1 && shape[0] != UNKNOWN) {
          long[] target = values(n.getInput(1));
          long[] d = new long[(int) shape[0]];
          for (int i = 0; i < d.length; i++) {
            long t = target == null || i >= target.length ? UNKNOWN : target[i];
            d[i] = t > 0 ? t : t == 0 && x != null && i < x.length ? x[i] : UNKNOWN;
          }
          out(n, 0, d);
        }
      }
      case "Transpose" -> {
        long[] perm = intsAttribute(n, "perm");
        if (x != null && (perm == null || perm.length == x.length
            && Arrays.stream(perm).allMatch(p -> p >= 0 && p < x.length))) {
          long[] d = new long[x.length];
          for (int i = 0; i < d.length; i++) {
            d[i] = perm == null ? x[d.length - 1 - i] : x[(int) perm[i]];
          }
          out(n, 0, d);
        }
      }
      case "MatMul" -> {
        long[] b = in(n, 1);
        if (x != null && b != null && x.length >= 2 && b.length >= 2) {
          long[] batch = broadcast(Arrays.copyOf(x, x.length - 2), Arrays.copyOf(b, b.length - 2));
          if (batch != null) {
            long[] d = Arrays.copyOf(batch, batch.length + 2);
            d[batch.length] = x[x.length - 2];
            d[batch.length + 1] = b[b.length - 1];
            out(n, 0, d);
          }
        }
      }
      case "Gemm" -> {
        long[] b = in(n, 1);
        if (x != null && b != null && x.length == 2 && b.length == 2) {
          out(n, 0, new long[] {x[intAttribute(n, "transA", 0) == 0 ? 0 : 1],
              b[intAttribute(n, "transB", 0) == 0 ? 1 : 0]});
        }
      }
      case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd" -> {
        Optional<long[]> axes = axes(n);
        if (x != null && axes.isPresent()) {
          boolean keep = intAttribute(n, "keepdims", 1) != 0;
          boolean[] reduced = new boolean[x.length];
          for (long a : axes.get()) {
            Optional<Long> p = positive(a, x.length);
            if (p.isEmpty()) {
              return;
            }
            reduced[p.get().intValue()] = true;
          }
          long[] d = new long[x.length];
          int k = 0;
          for (int i = 0; i < x.length; i++) {
            if (!reduced[i]) {
              d[k++] = x[i];
            } else if (keep) {
              d[k++] = 1;
            }
          }
          out(n, 0, Arrays.copyOf(d, k));
        }
      }
      default -> { }
    }
  }

  /** The dims of a {@code Slice} of {@code x}: fixed where its bounds are initializers. */
  private long[] slice(NodeProto n, long[] x) {
    long[] d = x.clone();
    long[] starts = n.getInputCount() > 1 ? values(n.getInput(1)) : null;
    long[] ends = n.getInputCount() > 2 ? values(n.getInput(2)) : null;
    long[] axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? values(n.getInput(3))
        : starts == null ? null : range(starts.length);
    long[] steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? values(n.getInput(4)) : null;
    if (axes == null) {
      Arrays.fill(d, UNKNOWN);
      return d;
    }
    for (int i = 0; i < axes.length; i++) {
      Optional<Long> p = positive(axes[i], x.length);
      if (p.isEmpty()) {
        Arrays.fill(d, UNKNOWN);
        return d;
      }
      int a = p.get().intValue();
      long size = x[a];
      if (starts == null || ends == null || size == UNKNOWN
          || (steps != null && steps[i] != 1)) {
        d[a] = UNKNOWN;
        continue;
      }
      long s = clamp(starts[i] < 0 ? starts[i] + size : starts[i], size);
      long e = clamp(ends[i] < 0 ? ends[i] + size : ends[i], size);
      d[a] = Math.max(0, e - s);
    }
    return d;
  }

  private static long clamp(long v, long size) {
    return Math.max(0, Math.min(v, size));
  }

  private static long[] range(int n) {
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /** The reduction or unsqueeze axes: the attribute, or (opset 13+) the second input's values. */
  private Optional<long[]> axes(NodeProto n) {
    long[] attr = intsAttribute(n, "axes");
    if (attr != null) {
      return Optional.of(attr);
    }
    return n.getInputCount() > 1 ? Optional.ofNullable(values(n.getInput(1))) : Optional.empty();
  }

  /** The integer values of an initializer, or null if the value is not one. */
  long[] values(String name) {
    TensorProto t = initializers.get(name);
    return t == null ? null : OnnxTensors.longs(t);
  }

  static long intAttribute(NodeProto n, String name, long otherwise) {
    for (AttributeProto a : n.getAttributeList()) {
      if (name.equals(a.getName())) {
        return a.getI();
      }
    }
    return otherwise;
  }

  static long[] intsAttribute(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (name.equals(a.getName())) {
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
      }
    }
    return null;
  }

  /** Numpy broadcasting of two shapes; null if either rank is unknown. */
  private static long[] broadcast(long[] a, long[] b) {
    if (a == null || b == null) {
      return null;
    }
    long[] d = new long[Math.max(a.length, b.length)];
    for (int i = 0; i < d.length; i++) {
      long x = i < d.length - a.length ? 1 : a[i - (d.length - a.length)];
      long y = i < d.length - b.length ? 1 : b[i - (d.length - b.length)];
      // a dimension broadcast against an unknown one is its own size (or the other's, if 1)
      d[i] = x == 1 ? y : y == 1 ? x : x == UNKNOWN ? y : y == UNKNOWN || x == y ? x : UNKNOWN;
    }
    return d;
  }
}
