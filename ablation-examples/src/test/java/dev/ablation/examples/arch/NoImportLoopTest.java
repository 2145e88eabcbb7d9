package dev.ablation.examples.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.ablation.examples.arch.loop.LoopB;
import org.junit.jupiter.api.Test;

/**
 * No import loop anywhere: every package of every module this one sees (the API, SameDiff, the
 * study, its engine, the command line and the examples) is a slice, and no slice reaches itself
 * through others. A loop between packages means neither can be read, tested or moved without
 * the other; the command line once had one ({@code Main} → {@code BenchCommand} →
 * {@code MemoryBench} → {@code Main}). The second test shows the rule can fail.
 */
public class NoImportLoopTest {

  private static ArchRule noLoops() {
    return slices().matching("dev.ablation.(**)").should().beFreeOfCycles();
  }

  @Test
  void noPackageReachesItselfThroughOthers() {
    JavaClasses main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // ablation-study's test-jar is on this class path too: its fixtures are not main code
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.ablation");
    assertThat(main.stream().map(c -> c.getPackageName()).distinct())
        .as("every module's packages are imported")
        .contains("dev.ablation.api", "dev.ablation.samediff", "dev.ablation.study.run",
            "dev.ablation.study.engine", "dev.ablation.cli", "dev.ablation.cli.bench",
            "dev.ablation.examples");
    noLoops().check(main);
  }

  @Test
  void aLoopIsCaught() {
    JavaClasses loop = new ClassFileImporter().importClasses(LoopA.class, LoopB.Inner.class);
    assertThat(noLoops().evaluate(new ClassFileImporter().importClasses(LoopA.class)).hasViolation())
        .as("one half alone is no loop").isFalse();
    EvaluationResult r = noLoops().evaluate(loop);
    assertThat(r.hasViolation()).isTrue();
  }

  /** One half of a loop: reaches {@link LoopB}'s package. */
  public static final class LoopA {
    Object next() {
      return new LoopB.Inner();
    }
  }
}
