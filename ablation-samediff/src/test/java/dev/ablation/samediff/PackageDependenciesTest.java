package dev.ablation.samediff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages of this module stand one on another: the root (a graph, its
 * batches, its evaluator) → {@code surgery} → {@code train} → {@code internal} (the loop, not API) → {@code recovery}, with
 * {@code model} (the reference transformers) and {@code data} beside them, and {@code load}
 * (weights from outside) on the root and {@code model}. A cycle creeps in
 * one import at a time ({@code model} once imported {@code train} for an evaluator), so this
 * reads the main sources and fails on any reference, import or fully qualified, against the
 * order. No ArchUnit: a text scan of {@code src/main/java} is enough and has no dependency.
 */
class PackageDependenciesTest {
  private static final Path ROOT = Path.of("src/main/java/dev/ablation/samediff");
  private static final String PREFIX = "dev.ablation.samediff.";

  /** package (relative to the root; "" = the root) → packages it must not reference. */
  private static final Map<String, List<String>> FORBIDDEN = Map.of(
      "", List.of("data", "model", "surgery", "train", "internal", "recovery", "load"),
      "model", List.of("train", "surgery", "internal", "recovery", "load"),
      "load", List.of("train", "internal", "recovery"),
      "surgery", List.of("model", "train", "internal", "recovery"),
      "data", List.of("train", "surgery", "internal", "recovery"),
      "train", List.of("internal", "recovery"),
      "internal", List.of("recovery"));

  @Test
  void noPackageReferencesOneAboveIt() throws IOException {
    for (String pkg : FORBIDDEN.keySet()) {
      assertThat(sources(ROOT, pkg)).as("sources of package '%s' under %s", pkg,
          ROOT.toAbsolutePath()).isNotEmpty();
    }
    assertThat(violations(ROOT)).as("references against the package order").isEmpty();
  }

  @Test
  void theScanCatchesTheImportModelOnceHad(@TempDir Path tmp) throws IOException {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("ReferenceModel.java"), "package dev.ablation.samediff.model;"
        + "\n\nimport dev.ablation.samediff.train.LossEvaluator;\n", StandardCharsets.UTF_8);
    assertThat(violations(tmp)).singleElement().asString()
        .contains("ReferenceModel.java:3 references dev.ablation.samediff.train");
  }

  private static List<String> violations(Path root) throws IOException {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : FORBIDDEN.entrySet()) {
      for (Path f : sources(root, e.getKey())) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          for (String bad : e.getValue()) {
            if (lines.get(i).contains(PREFIX + bad + ".")) {
              violations.add(root.relativize(f) + ":" + (i + 1) + " references " + PREFIX + bad
                  + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    return violations;
  }

  private static List<Path> sources(Path root, String pkg) throws IOException {
    Path dir = pkg.isEmpty() ? root : root.resolve(pkg);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }
}
