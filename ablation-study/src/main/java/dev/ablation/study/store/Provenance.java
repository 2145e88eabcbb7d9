package dev.ablation.study.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a study's last invocation cost, as {@code provenance.json} beside its results: the
 * command, its wall time, the process's user CPU and peak resident memory. The runs' manifests
 * already name the commit and the machine; these are the figures only the process that ran can
 * measure, kept so that {@code report.html} (also when rewritten later by {@code report DIR})
 * shows what the numbers cost to make. User CPU and peak memory come from Linux's
 * {@code /proc/self}; elsewhere they are unknown (empty), never guessed.
 *
 * @param command the command line, as typed
 * @param finished when the study ended (UTC)
 * @param wallSeconds wall time of the invocation, seconds
 * @param userCpuSeconds user CPU of the whole process (every thread), seconds
 * @param peakRssBytes peak resident set size of the process, bytes
 */
public record Provenance(String command, Instant finished, double wallSeconds,
    OptionalDouble userCpuSeconds, OptionalLong peakRssBytes) {

  /** The file's name in a study's directory. */
  public static final String FILE = "provenance.json";

  /** Linux's clock ticks per second for {@code /proc} times (USER_HZ), 100 on every x86. */
  private static final double TICKS = 100.0;

  /** Validates. */
  public Provenance {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(finished, "finished");
    Objects.requireNonNull(userCpuSeconds, "userCpuSeconds");
    Objects.requireNonNull(peakRssBytes, "peakRssBytes");
    if (!(wallSeconds >= 0)) {
      throw new IllegalArgumentException("wall time must be >= 0 seconds, got " + wallSeconds);
    }
  }

  /** This process's figures now, for {@code command} that has run for {@code wall}. */
  public static Provenance ofThisProcess(String command, Duration wall) {
    return new Provenance(command, Instant.now(), wall.toNanos() / 1e9, userCpu(),
        peakRss());
  }

  /** Writes {@value #FILE} into {@code dir} (atomically). */
  public void write(Path dir) throws IOException {
    ObjectNode n = RecordJson.MAPPER.createObjectNode();
    n.put("command", command);
    n.put("finished", finished.toString());
    n.put("wall_s", round(wallSeconds));
    userCpuSeconds.ifPresentOrElse(c -> n.put("user_cpu_s", round(c)),
        () -> n.putNull("user_cpu_s"));
    peakRssBytes.ifPresentOrElse(b -> n.put("peak_rss_bytes", b),
        () -> n.putNull("peak_rss_bytes"));
    AtomicFiles.write(dir.resolve(FILE), RecordJson.write(n));
  }

  /**
   * The provenance in {@code dir}, when a study wrote one.
   *
   * @throws IllegalArgumentException naming the file when it is not a provenance
   */
  public static Optional<Provenance> read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    JsonNode n = RecordJson.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    if (!n.hasNonNull("command") || !n.hasNonNull("finished") || !n.hasNonNull("wall_s")) {
      throw new IllegalArgumentException(file + " is not a provenance: it needs command, "
          + "finished and wall_s, got " + n);
    }
    return Optional.of(new Provenance(n.get("command").asText(),
        Instant.parse(n.get("finished").asText()), n.get("wall_s").asDouble(),
        n.hasNonNull("user_cpu_s") ? OptionalDouble.of(n.get("user_cpu_s").asDouble())
            : OptionalDouble.empty(),
        n.hasNonNull("peak_rss_bytes") ? OptionalLong.of(n.get("peak_rss_bytes").asLong())
            : OptionalLong.empty()));
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }

  /** utime of {@code /proc/self/stat} (field 14), the fields counted after the command's ')'. */
  private static OptionalDouble userCpu() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return OptionalDouble.of(Long.parseLong(f[11]) / TICKS);
    } catch (IOException | RuntimeException e) {
      return OptionalDouble.empty();
    }
  }

  /** VmHWM of {@code /proc/self/status}: the peak resident set, in kB there. */
  private static OptionalLong peakRss() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"),
          StandardCharsets.US_ASCII);
      for (String l : lines) {
        if (l.startsWith("VmHWM:")) {
          return OptionalLong.of(Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024);
        }
      }
      return OptionalLong.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
