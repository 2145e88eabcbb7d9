package dev.ablation.study.store;


import com.google.common.collect.ImmutableSortedMap;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What produced a study's numbers: this library's version and the engine's (e.g. ND4J's version
 * and native build). Recorded in {@code study.json}. Why: the same seed gives the same numbers
 * only on the same build, so rows of one directory made by two builds would differ for a reason
 * that is not in the data; {@code --resume} across builds warns, and refuses without
 * {@code --force}.
 *
 * @param values name → version, sorted by name
 */
public record StudyBuild(Map<String, String> values) {
  /** The key of this library's version. */
  public static final String ABLATION = "ablation";

  /** Copies and sorts the values. */
  public StudyBuild {
    values = ImmutableSortedMap.copyOf(values);
  }

  /**
   * This library's version plus what the engine reports ({@code StudyEngine.build()}): a map,
   * so that the store records a build without knowing engines.
   */
  public static StudyBuild of(Map<String, String> engineBuild) {
    Map<String, String> m = new TreeMap<>(engineBuild);
    m.put(ABLATION, ablationVersion());
    return new StudyBuild(m);
  }

  /** This library's version from the properties Maven filled in, or {@code unknown}. */
  public static String ablationVersion() {
    try (InputStream in =
        StudyBuild.class.getResourceAsStream("/dev/ablation/study/ablation.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "unknown");
        return v.contains("${") ? "unknown" : v;
      }
    } catch (IOException e) {
      // a recorded fact, not a reason to fail
    }
    return "unknown";
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    values.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ')
        .append(v));
    return s.toString();
  }
}
