package dev.ablation.samediff.load;

import java.util.List;
import java.util.Objects;

/**
 * One tensor of a safetensors header: its name, element type, shape and byte range in the data
 * section (offsets relative to the first byte after the header, end exclusive).
 *
 * @param name the key, e.g. {@code h.0.attn.c_attn.weight}
 * @param dtype its element type
 * @param shape its dimensions, outermost first ({@code []} for a scalar)
 * @param begin first byte in the data section
 * @param end one past its last byte
 */
public record TensorEntry(String name, SafetensorsDtype dtype, List<Long> shape, long begin,
    long end) {
  /** Copies the shape. */
  public TensorEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = List.copyOf(shape);
  }

  /** Number of elements: the product of the shape (1 for a scalar). */
  public long elements() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The shape as an array, for ND4J. */
  public long[] shapeArray() {
    return shape.stream().mapToLong(Long::longValue).toArray();
  }
}
