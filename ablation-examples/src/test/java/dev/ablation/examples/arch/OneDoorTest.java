package dev.ablation.examples.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * One door to a recovery: the loop under {@code Recovery} ({@code dev.ablation.samediff.internal})
 * is reached only by {@code Recovery} itself. The study's encoder swaps and scratch runs, the
 * benches and the command line go through {@code Recovery}'s builder (or time single steps with
 * the public {@code train.RecoveryStepper}). Checked on every module's compiled main classes
 * (this module sees them all); the second test shows the rule can fail.
 */
class OneDoorTest {
  private static final String INTERNAL = "dev.ablation.samediff.internal..";

  private static ArchRule onlyRecoveryReachesTheLoop() {
    return noClasses().that().resideOutsideOfPackages(INTERNAL, "dev.ablation.samediff.recovery..")
        .should().dependOnClassesThat().resideInAPackage(INTERNAL)
        .because("a recovery starts at Recovery.builder; the loop under it is not API");
  }

  @Test
  void nothingOutsideRecoveryReachesTheLoopUnderIt() {
    JavaClasses main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.ablation");
    assertThat(main.stream().map(c -> c.getPackageName()).distinct())
        .as("the study, the examples and the loop itself are all imported")
        .contains("dev.ablation.study.engine", "dev.ablation.cli.bench",
            "dev.ablation.samediff.internal", "dev.ablation.samediff.recovery");
    onlyRecoveryReachesTheLoop().check(main);
  }

  @Test
  void aClassThatReachesTheLoopIsCaught() {
    JavaClasses withBackDoor = new ClassFileImporter().importClasses(BackDoor.class,
        dev.ablation.samediff.internal.RecoveryLoop.class);
    EvaluationResult r = onlyRecoveryReachesTheLoop().evaluate(withBackDoor);
    assertThat(r.hasViolation()).isTrue();
    assertThat(r.getFailureReport().toString()).contains(BackDoor.class.getName());
  }

  /** What the rule forbids: code outside the module driving the loop by hand. */
  static final class BackDoor {
    Object loop() {
      return dev.ablation.samediff.internal.RecoveryLoop.cycle(java.util.List.of());
    }
  }
}
