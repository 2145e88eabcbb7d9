package dev.ablation.samediff.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes safetensors files for tests: raw tensors, or a header of one's own JSON. */
final class SafetensorsFiles {
  private final Map<String, Raw> tensors = new LinkedHashMap<>();

  /** A tensor of {@code dtype} with its little-endian bytes as they will be written. */
  record Raw(String dtype, long[] shape, byte[] bytes) {}

  SafetensorsFiles f32(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    tensors.put(name, new Raw("F32", shape, b.array()));
    return this;
  }

  SafetensorsFiles half(String name, String dtype, long[] shape, short... bits) {
    ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short v : bits) {
      b.putShort(v);
    }
    tensors.put(name, new Raw(dtype, shape, b.array()));
    return this;
  }

  /** The file with every tensor's bytes after the header. */
  Path write(Path file) throws IOException {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
    for (Map.Entry<String, Raw> e : tensors.entrySet()) {
      long begin = data.size();
      data.write(e.getValue().bytes());
      json.append(String.format(Locale.ROOT, ",\"%s\":{\"dtype\":\"%s\",\"shape\":%s,"
          + "\"data_offsets\":[%d,%d]}", e.getKey(), e.getValue().dtype(),
          shape(e.getValue().shape()), begin, data.size()));
    }
    return write(file, json.append('}').toString(), data.toByteArray());
  }

  /** A file of the given header JSON and data bytes. */
  static Path write(Path file, String json, byte[] data) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(data);
    Files.write(file, b.array());
    return file;
  }

  static String shape(long[] shape) {
    return java.util.Arrays.stream(shape).mapToObj(Long::toString)
        .collect(Collectors.joining(",", "[", "]"));
  }

  static String shape(List<Long> shape) {
    return shape(shape.stream().mapToLong(Long::longValue).toArray());
  }
}
