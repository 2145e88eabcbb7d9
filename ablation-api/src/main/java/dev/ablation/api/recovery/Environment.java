package dev.ablation.api.recovery;

import java.util.Locale;

/**
 * The engine and machine a run used: the part of a {@link RunManifest} that explains why two
 * machines give different numbers.
 *
 * @param javaVersion {@code java.version}
 * @param javaVendor {@code java.vendor}
 * @param os operating system name and version
 * @param arch CPU architecture
 * @param cpu CPU model, when known
 * @param cores available processors
 * @param engine the tensor engine, e.g. {@code SameDiff}
 * @param engineVersion its version, e.g. {@code 1.0.0-M2.1}
 * @param backend its backend and build, e.g. {@code CPU linux-x86_64-onednn}
 * @param nativeBuild the engine's native build, e.g. {@code linux-x86_64-onednn} (builds of
 *     one version differ by up to 2× in speed), or {@code unknown}
 */
public record Environment(String javaVersion, String javaVendor, String os, String arch,
    String cpu, int cores, String engine, String engineVersion, String backend,
    String nativeBuild) {

  /** Fills a missing native build (a schema-1 manifest has none) with {@code unknown}. */
  @com.fasterxml.jackson.annotation.JsonCreator
  public Environment {
    nativeBuild = nativeBuild == null || nativeBuild.isBlank() ? "unknown" : nativeBuild;
  }

  /** An environment whose native build is not known. */
  public Environment(String javaVersion, String javaVendor, String os, String arch, String cpu,
      int cores, String engine, String engineVersion, String backend) {
    this(javaVersion, javaVendor, os, arch, cpu, cores, engine, engineVersion, backend,
        "unknown");
  }

  /** The JVM's facts, with the engine fields supplied by the caller; native build unknown. */
  public static Environment current(String engine, String engineVersion, String backend) {
    return current(engine, engineVersion, backend, "unknown");
  }

  /** The JVM's facts, with the engine fields supplied by the caller. */
  public static Environment current(String engine, String engineVersion, String backend,
      String nativeBuild) {
    return new Environment(System.getProperty("java.version"), System.getProperty("java.vendor"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("os.arch"), cpuModel(), Runtime.getRuntime().availableProcessors(),
        engine, engineVersion, backend, nativeBuild);
  }

  private static String cpuModel() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"),
          java.nio.charset.StandardCharsets.UTF_8)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux, or not readable: the model is a nicety, not a requirement
    }
    return "unknown";
  }
}
