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
    return Environment.current("SameDiff", nd4jVersion(), backend());
  }

  /** ND4J's version from its jar, or {@code unknown}. */
  public static String nd4jVersion() {
    String v = Nd4j.class.getPackage().getImplementationVersion();
    return v == null ? "1.0.0-M2.1" : v;
  }

  /** The backend with its BLAS vendor and thread count. */
  public static String backend() {
    Properties p = Nd4j.getExecutioner().getEnvironmentInformation();
    String ext = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
    return String.format(Locale.ROOT, "%s (%s%s, blas=%s, omp.threads=%s)",
        p.getOrDefault("backend", Nd4j.getBackend().getClass().getSimpleName()),
        System.getProperty("os.name", "?").toLowerCase(Locale.ROOT), ext,
        p.getOrDefault("blas.vendor", "?"), p.getOrDefault("omp.threads", "?"));
  }
}
