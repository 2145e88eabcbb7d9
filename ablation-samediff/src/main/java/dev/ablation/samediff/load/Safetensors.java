package dev.ablation.samediff.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A safetensors file (the format of Hugging Face checkpoints): its checked header and its
 * tensors read as float32, {@code F16} and {@code BF16} widened exactly. Tensors are read when
 * asked for, each straight from the file: nothing stays open between calls.
 *
 * <pre>{@code
 * Safetensors st = Safetensors.open(Path.of("model.safetensors"));
 * INDArray wte = st.array("wte.weight");   // [vocab, d_model], float32
 * }</pre>
 */
public final class Safetensors {
  private final Path file;
  private final SafetensorsHeader header;

  private Safetensors(Path file, SafetensorsHeader header) {
    this.file = file;
    this.header = header;
  }

  /**
   * Opens {@code file}: reads and checks its header, and that the data section holds every
   * tensor's bytes.
   *
   * @throws CheckpointException naming every problem of the header, or each tensor whose bytes
   *     lie past the end of the file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Safetensors open(Path file) {
    SafetensorsHeader h = SafetensorsHeader.read(file);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    long available = size - h.dataStart();
    List<String> problems = new ArrayList<>();
    for (TensorEntry e : h.tensors().values()) {
      if (e.end() > available) {
        problems.add("'" + e.name() + "' needs bytes [" + e.begin() + ", " + e.end()
            + ") of the data section, which has " + available + " (truncated file?)");
      }
    }
    if (!problems.isEmpty()) {
      throw new CheckpointException(file.toString(), problems);
    }
    return new Safetensors(file, h);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The header: names, types, shapes, offsets and metadata. */
  public SafetensorsHeader header() {
    return header;
  }

  /**
   * The values of one tensor as float32, row-major.
   *
   * @throws IllegalArgumentException if the file has no such tensor (the error lists some
   *     that it has), or it is not of a {@link SafetensorsDtype#READABLE} type
   */
  public float[] floats(String name) {
    TensorEntry e = entry(name);
    if (!e.dtype().readable()) {
      throw new IllegalArgumentException("'" + name + "' is " + e.dtype() + " " + e.shape()
          + "; only " + SafetensorsDtype.READABLE + " are read as float32 weights (save the"
          + " checkpoint in one of them, e.g. model.float())");
    }
    long n = e.elements();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("'" + name + "' has " + n + " elements, more than a"
          + " Java array holds");
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) (e.end() - e.begin()))
        .order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SafetensorsHeader.readFully(ch, bytes, header.dataStart() + e.begin());
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read '" + name + "' from " + file, ex);
    }
    bytes.flip();
    float[] out = new float[(int) n];
    switch (e.dtype()) {
      case F32 -> bytes.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfFloats.f16ToFloat(bytes.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfFloats.bf16ToFloat(bytes.getShort());
        }
      }
      default -> throw new IllegalStateException("unhandled " + e.dtype());
    }
    return out;
  }

  /** One tensor as a float32 array of its shape (a scalar as a rank-0 array). */
  public INDArray array(String name) {
    TensorEntry e = entry(name);
    float[] values = floats(name);
    return e.shape().isEmpty() ? Nd4j.scalar(values[0])
        : Nd4j.create(values, e.shapeArray(), DataType.FLOAT);
  }

  /** Every tensor, by name, in file order. */
  public Map<String, INDArray> arrays() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    header.tensors().keySet().forEach(n -> out.put(n, array(n)));
    return out;
  }

  private TensorEntry entry(String name) {
    Objects.requireNonNull(name, "name");
    return header.tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor '"
        + name + "' in " + file + "; it has " + header.tensors().size() + ", e.g. "
        + header.tensors().keySet().stream().limit(8).toList()));
  }

  @Override
  public String toString() {
    return "Safetensors[" + file + ", " + header.tensors().size() + " tensors]";
  }
}
