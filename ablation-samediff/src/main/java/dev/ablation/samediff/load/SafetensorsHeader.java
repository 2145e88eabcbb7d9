package dev.ablation.samediff.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The header of a safetensors file: an 8-byte little-endian length {@code n}, then {@code n}
 * bytes of JSON mapping each tensor's name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (and {@code "__metadata__"} to string pairs); the tensors' bytes follow.
 * Reading only the header lets a layout be checked against a checkpoint before gigabytes are
 * read, or against a file that holds the header alone.
 *
 * @param tensors every tensor, in the order of their data offsets
 * @param metadata the {@code __metadata__} pairs (e.g. {@code format → pt}), possibly none
 * @param dataStart the file offset of the data section ({@code 8 + n})
 */
public record SafetensorsHeader(Map<String, TensorEntry> tensors, Map<String, String> metadata,
    long dataStart) {
  /** The format's own bound on a header (100 MB): a larger length is a corrupt file. */
  static final long MAX_HEADER_BYTES = 100L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the maps. */
  public SafetensorsHeader {
    tensors = ImmutableMap.copyOf(tensors);
    metadata = ImmutableMap.copyOf(metadata);
  }

  /** One tensor by name, if the file holds it. */
  public Optional<TensorEntry> tensor(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /** Bytes the data section needs: the largest end offset. */
  public long dataBytes() {
    return tensors.values().stream().mapToLong(TensorEntry::end).max().orElse(0);
  }

  /**
   * Reads and checks the header of {@code file}; the data section need not be there.
   *
   * @throws CheckpointException naming every problem: a length past the end of the file, JSON
   *     that does not parse, an entry without a dtype, shape or offsets, an element type the
   *     format does not define, a byte range that does not fit its shape and type, tensors
   *     whose bytes overlap
   * @throws UncheckedIOException if the file cannot be read
   */
  public static SafetensorsHeader read(Path file) {
    Objects.requireNonNull(file, "file");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new CheckpointException(file.toString(), List.of("the file has " + size
            + " bytes, fewer than the 8 of a safetensors header's length"));
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      long n = len.flip().getLong();
      if (n <= 0 || n > MAX_HEADER_BYTES || n > size - 8) {
        throw new CheckpointException(file.toString(), List.of("the header length is " + n
            + " bytes, but it must be in [1, " + Math.min(MAX_HEADER_BYTES, size - 8)
            + "] (the file has " + size + " bytes, the format allows up to "
            + MAX_HEADER_BYTES + "): not a safetensors file, or a truncated one"));
      }
      ByteBuffer json = ByteBuffer.allocate((int) n);
      readFully(ch, json, 8);
      return parse(file.toString(), new String(json.array(), StandardCharsets.UTF_8), 8 + n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int r = ch.read(into, at);
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + at);
      }
      at += r;
    }
  }

  /** Parses and checks the JSON of a header whose data section starts at {@code dataStart}. */
  static SafetensorsHeader parse(String what, String json, long dataStart) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(what, "the header is not JSON: "
          + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(what, List.of("the header is not a JSON object"));
    }
    List<String> problems = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorEntry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if ("__metadata__".equals(f.getKey())) {
        f.getValue().fields().forEachRemaining(m -> {
          if (m.getValue().isTextual()) {
            metadata.put(m.getKey(), m.getValue().asText());
          } else {
            problems.add("__metadata__." + m.getKey() + " is " + m.getValue()
                + ", not a string");
          }
        });
      } else {
        entry(f.getKey(), f.getValue(), problems).ifPresent(entries::add);
      }
    }
    entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    for (int i = 1; i < entries.size(); i++) {
      TensorEntry a = entries.get(i - 1);
      TensorEntry b = entries.get(i);
      if (b.begin() < a.end()) {
        problems.add("tensors '" + a.name() + "' [" + a.begin() + ", " + a.end() + ") and '"
            + b.name() + "' [" + b.begin() + ", " + b.end() + ") overlap");
      }
    }
    if (!problems.isEmpty()) {
      throw new CheckpointException(what, problems);
    }
    Map<String, TensorEntry> tensors = new LinkedHashMap<>();
    entries.forEach(e -> tensors.put(e.name(), e));
    return new SafetensorsHeader(tensors, metadata, dataStart);
  }

  private static Optional<TensorEntry> entry(String name, JsonNode n, List<String> problems) {
    if (!n.isObject()) {
      problems.add("'" + name + "' is " + n + ", not an object with dtype, shape and"
          + " data_offsets");
      return Optional.empty();
    }
    int before = problems.size();
    JsonNode dtypeNode = n.get("dtype");
    Optional<SafetensorsDtype> dtype = Optional.empty();
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      problems.add("'" + name + "' has no dtype");
    } else {
      dtype = SafetensorsDtype.of(dtypeNode.asText());
      if (dtype.isEmpty()) {
        problems.add("'" + name + "' has dtype " + dtypeNode.asText() + ", which the"
            + " safetensors format does not define; it defines "
            + Arrays.toString(SafetensorsDtype.values()));
      }
    }
    List<Long> shape = longs(name, "shape", n.get("shape"), -1, problems);
    List<Long> offsets = longs(name, "data_offsets", n.get("data_offsets"), 2, problems);
    if (problems.size() > before) {
      return Optional.empty();
    }
    long begin = offsets.get(0);
    long end = offsets.get(1);
    TensorEntry e = new TensorEntry(name, dtype.orElseThrow(), shape, begin, end);
    long expected;
    try {
      expected = Math.multiplyExact(e.elements(), dtype.get().bytes());
    } catch (ArithmeticException overflow) {
      problems.add("'" + name + "' has shape " + shape + ", too large to address");
      return Optional.empty();
    }
    if (end < begin || end - begin != expected) {
      problems.add("'" + name + "' has data_offsets [" + begin + ", " + end + "): "
          + (end - begin) + " bytes, but shape " + shape + " of " + dtype.get() + " needs "
          + expected);
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** A JSON array of non-negative integers ({@code length} of them unless −1). */
  private static List<Long> longs(String name, String field, JsonNode n, int length,
      List<String> problems) {
    if (n == null || !n.isArray() || length >= 0 && n.size() != length) {
      problems.add("'" + name + "' has " + field + " " + n + ", not "
          + (length >= 0 ? "an array of " + length : "an array of") + " non-negative integers");
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    for (JsonNode v : n) {
      if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
        problems.add("'" + name + "' has " + field + " " + n + ", not non-negative integers");
        return List.of();
      }
      out.add(v.asLong());
    }
    return out;
  }
}
