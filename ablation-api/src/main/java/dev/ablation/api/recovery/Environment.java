package dev.ablation.api.recovery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.ablation.api.internal.SetOnce;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The engine and machine a run used: the part of a {@link RunManifest} that explains why two
 * machines give different numbers.
 *
 * <p>Made by {@link #current(String, String, String, String)} (the JVM's facts) or, for
 * tests and tools, by {@link #builder()}. A class rather than a record of ten components so
 * that each fact is named where it is given; its JSON (property names and order) is the
 * record's, since every manifest on disk carries it.
 */
@JsonPropertyOrder({"javaVersion", "javaVendor", "os", "arch", "cpu", "cores", "engine",
    "engineVersion", "backend", "nativeBuild"})
public final class Environment {
  private static final String UNKNOWN = "unknown";

  private final String javaVersion;
  private final String javaVendor;
  private final String os;
  private final String arch;
  private final String cpu;
  private final int cores;
  private final String engine;
  private final String engineVersion;
  private final String backend;
  private final String nativeBuild;

  private Environment(String javaVersion, String javaVendor, String os, String arch,
      String cpu, int cores, String engine, String engineVersion, String backend,
      String nativeBuild) {
    this.javaVersion = javaVersion;
    this.javaVendor = javaVendor;
    this.os = os;
    this.arch = arch;
    this.cpu = cpu;
    this.cores = cores;
    this.engine = engine;
    this.engineVersion = engineVersion;
    this.backend = backend;
    this.nativeBuild = nativeBuild == null || nativeBuild.isBlank() ? UNKNOWN : nativeBuild;
  }

  /**
   * Reads a manifest's environment as written, checking nothing (a file says what a machine
   * was); a missing native build (a schema-1 manifest has none) reads as {@code unknown}.
   */
  @JsonCreator
  static Environment fromJson(@JsonProperty("javaVersion") String javaVersion,
      @JsonProperty("javaVendor") String javaVendor, @JsonProperty("os") String os,
      @JsonProperty("arch") String arch, @JsonProperty("cpu") String cpu,
      @JsonProperty("cores") int cores, @JsonProperty("engine") String engine,
      @JsonProperty("engineVersion") String engineVersion,
      @JsonProperty("backend") String backend,
      @JsonProperty("nativeBuild") String nativeBuild) {
    return new Environment(javaVersion, javaVendor, os, arch, cpu, cores, engine,
        engineVersion, backend, nativeBuild);
  }

  /**
   * A builder. Required: {@code javaVersion}, {@code javaVendor}, {@code os}, {@code arch},
   * {@code cores}, {@code engine}, {@code engineVersion}, {@code backend}; {@code cpu} and
   * {@code nativeBuild} default to {@code unknown}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these facts, each of which may be replaced once. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The JVM's facts, with the engine fields supplied by the caller; native build unknown. */
  public static Environment current(String engine, String engineVersion, String backend) {
    return current(engine, engineVersion, backend, UNKNOWN);
  }

  /** The JVM's facts, with the engine fields supplied by the caller. */
  public static Environment current(String engine, String engineVersion, String backend,
      String nativeBuild) {
    return new Environment(System.getProperty("java.version"), System.getProperty("java.vendor"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("os.arch"), cpuModel(), Runtime.getRuntime().availableProcessors(),
        engine, engineVersion, backend, nativeBuild);
  }

  /** {@code java.version}. */
  @JsonProperty("javaVersion")
  public String javaVersion() {
    return javaVersion;
  }

  /** {@code java.vendor}. */
  @JsonProperty("javaVendor")
  public String javaVendor() {
    return javaVendor;
  }

  /** Operating system name and version. */
  @JsonProperty("os")
  public String os() {
    return os;
  }

  /** CPU architecture. */
  @JsonProperty("arch")
  public String arch() {
    return arch;
  }

  /** CPU model, or {@code unknown}. */
  @JsonProperty("cpu")
  public String cpu() {
    return cpu;
  }

  /** Available processors. */
  @JsonProperty("cores")
  public int cores() {
    return cores;
  }

  /** The tensor engine, e.g. {@code SameDiff}. */
  @JsonProperty("engine")
  public String engine() {
    return engine;
  }

  /** Its version, e.g. {@code 1.0.0-M2.1}. */
  @JsonProperty("engineVersion")
  public String engineVersion() {
    return engineVersion;
  }

  /** Its backend and build, e.g. {@code CPU linux-x86_64-onednn}. */
  @JsonProperty("backend")
  public String backend() {
    return backend;
  }

  /**
   * The engine's native build, e.g. {@code linux-x86_64-onednn} (builds of one version differ
   * by up to 2× in speed), or {@code unknown}.
   */
  @JsonProperty("nativeBuild")
  public String nativeBuild() {
    return nativeBuild;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Environment e && Objects.equals(javaVersion, e.javaVersion)
        && Objects.equals(javaVendor, e.javaVendor) && Objects.equals(os, e.os)
        && Objects.equals(arch, e.arch) && Objects.equals(cpu, e.cpu) && cores == e.cores
        && Objects.equals(engine, e.engine) && Objects.equals(engineVersion, e.engineVersion)
        && Objects.equals(backend, e.backend) && nativeBuild.equals(e.nativeBuild);
  }

  @Override
  public int hashCode() {
    return Objects.hash(javaVersion, javaVendor, os, arch, cpu, cores, engine, engineVersion,
        backend, nativeBuild);
  }

  @Override
  public String toString() {
    return "Environment[javaVersion=" + javaVersion + ", javaVendor=" + javaVendor + ", os="
        + os + ", arch=" + arch + ", cpu=" + cpu + ", cores=" + cores + ", engine=" + engine
        + ", engineVersion=" + engineVersion + ", backend=" + backend + ", nativeBuild="
        + nativeBuild + "]";
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
    return UNKNOWN;
  }

  /** The facts an {@link Environment} holds, named as its JSON names them. */
  private enum Fact {
    JAVA_VERSION("javaVersion", true), JAVA_VENDOR("javaVendor", true), OS("os", true),
    ARCH("arch", true), CPU("cpu", false), CORES("cores", true), ENGINE("engine", true),
    ENGINE_VERSION("engineVersion", true), BACKEND("backend", true),
    NATIVE_BUILD("nativeBuild", false);

    final String label;
    final boolean required;

    Fact(String label, boolean required) {
      this.label = label;
      this.required = required;
    }
  }

  /**
   * An {@link Environment} one fact at a time. Each fact is checked where it is given (text
   * not blank, cores at least 1) and may be given once: a second call fails naming it. Facts
   * copied by {@link Environment#toBuilder()} may each be replaced once. {@link #build()}
   * names every required fact still missing, in one message.
   */
  public static final class Builder {
    private final String[] text = new String[Fact.values().length];
    private int cores;
    private final SetOnce<Fact> facts = SetOnce.named(f -> f.label);

    private Builder() {}

    private Builder(Environment e) {
      put(Fact.JAVA_VERSION, e.javaVersion);
      put(Fact.JAVA_VENDOR, e.javaVendor);
      put(Fact.OS, e.os);
      put(Fact.ARCH, e.arch);
      put(Fact.CPU, e.cpu);
      put(Fact.ENGINE, e.engine);
      put(Fact.ENGINE_VERSION, e.engineVersion);
      put(Fact.BACKEND, e.backend);
      put(Fact.NATIVE_BUILD, e.nativeBuild);
      cores = e.cores;
      facts.copied(EnumSet.allOf(Fact.class));
    }

    private void put(Fact f, String v) {
      text[f.ordinal()] = v;
    }

    private Builder set(Fact f, String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(f.label + " must be non-blank text"
            + (f.required ? "" : " (leave it unset for unknown)") + ", got "
            + (v == null ? "null" : "'" + v + "'"));
      }
      facts.give(f, text[f.ordinal()]);
      put(f, v);
      return this;
    }

    /** {@code java.version}; required. */
    public Builder javaVersion(String v) {
      return set(Fact.JAVA_VERSION, v);
    }

    /** {@code java.vendor}; required. */
    public Builder javaVendor(String v) {
      return set(Fact.JAVA_VENDOR, v);
    }

    /** Operating system name and version; required. */
    public Builder os(String v) {
      return set(Fact.OS, v);
    }

    /** CPU architecture; required. */
    public Builder arch(String v) {
      return set(Fact.ARCH, v);
    }

    /** CPU model; {@code unknown} if not given. */
    public Builder cpu(String v) {
      return set(Fact.CPU, v);
    }

    /** Available processors, at least 1; required. */
    public Builder cores(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("cores must be >= 1, got " + n);
      }
      facts.give(Fact.CORES, cores);
      cores = n;
      return this;
    }

    /** The tensor engine, e.g. {@code SameDiff}; required. */
    public Builder engine(String v) {
      return set(Fact.ENGINE, v);
    }

    /** The engine's version; required. */
    public Builder engineVersion(String v) {
      return set(Fact.ENGINE_VERSION, v);
    }

    /** The engine's backend and build; required. */
    public Builder backend(String v) {
      return set(Fact.BACKEND, v);
    }

    /** The engine's native build; {@code unknown} if not given. */
    public Builder nativeBuild(String v) {
      return set(Fact.NATIVE_BUILD, v);
    }

    /**
     * The environment.
     *
     * @throws IllegalStateException naming every required fact not given
     */
    public Environment build() {
      List<String> missing = new ArrayList<>();
      for (Fact f : Fact.values()) {
        if (f.required && !facts.holds(f)) {
          missing.add(f.label);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("an environment needs " + String.join(", ", missing)
            + "; set " + (missing.size() == 1 ? "it" : "them") + " on the builder");
      }
      String cpu = text[Fact.CPU.ordinal()];
      return new Environment(text[Fact.JAVA_VERSION.ordinal()], text[Fact.JAVA_VENDOR.ordinal()],
          text[Fact.OS.ordinal()], text[Fact.ARCH.ordinal()], cpu == null ? UNKNOWN : cpu,
          cores, text[Fact.ENGINE.ordinal()], text[Fact.ENGINE_VERSION.ordinal()],
          text[Fact.BACKEND.ordinal()], text[Fact.NATIVE_BUILD.ordinal()]);
    }
  }
}
