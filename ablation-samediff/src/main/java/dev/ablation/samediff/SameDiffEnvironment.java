package dev.ablation.samediff;

import dev.ablation.api.recovery.Environment;
import java.util.Locale;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/** The engine part of a run's {@link Environment}: ND4J version, backend and native build. */
public final class SameDiffEnvironment {
  private SameDiffEnvironment() {}

  /** The current JVM, ND4J version and backend, e.g. {@code CPU (OPENBLAS, omp.threads=1)}. */
  public static Environment current() {
    return Environment.current("SameDiff", nd4jVersion(), backend(), nativeBuild());
  }

  /** ND4J's version from its Maven metadata, or {@code unknown}. */
  public static String nd4jVersion() {
    // Maven's pom.properties, not the package's Implementation-Version: M2.1's jars carry none,
    // and in a shaded jar that field is the shading application's own version
    try (java.io.InputStream in = Nd4j.class.getResourceAsStream(
        "/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (java.io.IOException e) {
      // a manifest field, not a reason to fail a run
    }
    return "unknown";
  }

  /** The backend with its native build, BLAS vendor and thread count. */
  public static String backend() {
    Properties p = Nd4j.getExecutioner().getEnvironmentInformation();
    return String.format(Locale.ROOT, "%s (%s, blas=%s, omp.threads=%s)",
        p.getOrDefault("backend", Nd4j.getBackend().getClass().getSimpleName()), nativeBuild(),
        p.getOrDefault("blas.vendor", "?"), p.getOrDefault("omp.threads", "?"));
  }

  /**
   * Which nd4j-native build is on the class path, e.g. {@code linux-x86_64-onednn} or
   * {@code linux-x86_64} (the two differ by up to 2× in speed here, so a timing means little
   * without it), or {@code unknown} (for example on CUDA).
   */
  public static String nativeBuild() {
    ClassLoader cl = Nd4j.class.getClassLoader();
    String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String os = name.startsWith("linux") ? "linux" : name.startsWith("mac") ? "macosx" : "windows";
    String arch = switch (System.getProperty("os.arch", "")) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64" -> "arm64";
      default -> System.getProperty("os.arch", "");
    };
    String platform = os + "-" + arch;
    for (String build : new String[] {platform + "-onednn-avx512", platform + "-onednn-avx2",
        platform + "-onednn", platform + "-avx512", platform + "-avx2", platform}) {
      if (cl.getResource("META-INF/native-image/" + build + "/jnind4jcpu/") != null) {
        return build;
      }
    }
    return "unknown";
  }
}
