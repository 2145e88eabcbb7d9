package dev.ablation.samediff;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProto.DataType;

/** Reading and writing the values of small ONNX tensors (shapes, axes, scalars, masks). */
final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * The tensor's values as longs (integer and boolean types; floats truncated), from its typed
   * field or its little-endian {@code raw_data}; null for a type not read here.
   */
  static long[] longs(TensorProto t) {
    double[] d = doubles(t);
    if (d == null) {
      return null;
    }
    long[] out = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (long) d[i];
    }
    return out;
  }

  /** The tensor's values as doubles, as {@link #longs}; null for a type not read here. */
  static double[] doubles(TensorProto t) {
    boolean raw = !t.getRawData().isEmpty();
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (t.getDataType()) {
      case DataType.INT64_VALUE: {
        int n = raw ? b.remaining() / 8 : t.getInt64DataCount();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = raw ? b.getLong() : t.getInt64Data(i);
        }
        return out;
      }
      case DataType.FLOAT_VALUE: {
        int n = raw ? b.remaining() / 4 : t.getFloatDataCount();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = raw ? b.getFloat() : t.getFloatData(i);
        }
        return out;
      }
      case DataType.DOUBLE_VALUE: {
        int n = raw ? b.remaining() / 8 : t.getDoubleDataCount();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = raw ? b.getDouble() : t.getDoubleData(i);
        }
        return out;
      }
      case DataType.INT32_VALUE: {
        int n = raw ? b.remaining() / 4 : t.getInt32DataCount();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = raw ? b.getInt() : t.getInt32Data(i);
        }
        return out;
      }
      case DataType.BOOL_VALUE, DataType.UINT8_VALUE, DataType.INT8_VALUE: {
        // one byte each in raw_data; int32_data otherwise (ONNX's rule for small types)
        int n = raw ? b.remaining() : t.getInt32DataCount();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          int v = raw ? b.get() : t.getInt32Data(i);
          out[i] = t.getDataType() == DataType.UINT8_VALUE ? v & 0xff : v;
        }
        return out;
      }
      default:
        return null;
    }
  }

  /**
   * A scalar (rank 0) tensor written with its typed field rather than {@code raw_data}, which
   * PyTorch's export uses: M2.1 imports a rank-0 {@code raw_data} tensor as {@code [1, 1]} (and
   * {@code Gather(Shape(x), i)} with such an index as {@code [1, 1]} holding the wrong element),
   * so the {@code Unsqueeze}d head sizes reach {@code Concat} at rank 2 ("CONCAT op: all input
   * arrays must have the same rank"). Any other tensor is returned as it is.
   */
  static TensorProto scalarTyped(TensorProto t) {
    double[] v = t.getDimsCount() == 0 && !t.getRawData().isEmpty() ? doubles(t) : null;
    if (v == null || v.length != 1) {
      return t;
    }
    TensorProto.Builder out = t.toBuilder().clearRawData();
    switch (t.getDataType()) {
      case DataType.INT64_VALUE -> out.addInt64Data((long) v[0]);
      case DataType.FLOAT_VALUE -> out.addFloatData((float) v[0]);
      case DataType.DOUBLE_VALUE -> out.addDoubleData(v[0]);
      default -> out.addInt32Data((int) v[0]);
    }
    return out.build();
  }

  /** A 1-D INT64 tensor. */
  static TensorProto longs(String name, long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(DataType.INT64_VALUE).addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  /** A FLOAT scalar (rank 0). */
  static TensorProto scalar(String name, float value) {
    return TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT_VALUE)
        .addFloatData(value).build();
  }

  /** The same tensor as FLOAT, its values 0 and 1 for a boolean one. */
  static TensorProto asFloats(TensorProto t) {
    double[] v = doubles(t);
    TensorProto.Builder out = TensorProto.newBuilder().setName(t.getName())
        .setDataType(DataType.FLOAT_VALUE).addAllDims(t.getDimsList());
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      b.putFloat((float) x);
    }
    return out.setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(b.array())).build();
  }
}
