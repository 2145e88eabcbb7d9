package dev.ablation.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API's two packages stand one on the other: {@code dev.ablation.api} (paths, layouts,
 * surgery, seeds) below {@code dev.ablation.api.recovery} (criteria, budgets, results), which
 * uses paths. The root once imported {@code recovery} back (for a run's typed seeds), so a
 * reader could not take either package alone. A text scan of the main sources keeps it so.
 */
class ApiPackagesTest {
  private static final Path ROOT = Path.of("src/main/java/dev/ablation/api");

  @Test
  void theRootPackageDoesNotReferenceRecovery() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          if (lines.get(i).contains("dev.ablation.api.recovery")) {
            violations.add(f.getFileName() + ":" + (i + 1) + " " + lines.get(i).strip());
          }
        }
      }
    }
    assertThat(Files.isDirectory(ROOT.resolve("recovery"))).isTrue();
    assertThat(violations).as("references from dev.ablation.api to its recovery package")
        .isEmpty();
  }
}
