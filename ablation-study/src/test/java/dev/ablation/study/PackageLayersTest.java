package dev.ablation.study;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The study's packages stand one on another, arrows one way (issue 23.4):
 * {@code plan} (what to run: the plan, its presets, typed run keys) ← {@code store} (what ran:
 * records, CSV/JSON, the directory and its lock) ← {@code run} (running it: the study, its jobs,
 * the engine seam, progress) ← the SameDiff engine (module ablation-study-samediff, package
 * {@code engine}, behind {@code StudyEngine}); {@code report} reads the
 * plan and the store only, so a report can be written from a results directory without
 * anything that runs. Checked on the compiled main classes; the second test shows that a
 * back-arrow is caught.
 */
class PackageLayersTest {
  private static final String ROOT = "dev.ablation.study";
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(ROOT);
    assertThat(main.stream().map(c -> c.getPackageName()).distinct())
        .contains(ROOT + ".plan", ROOT + ".store", ROOT + ".run", ROOT + ".report")
        .as("the SameDiff engine lives in ablation-study-samediff")
        .doesNotContain(ROOT + ".engine");
  }

  private static ArchRule layers() {
    return layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("plan").definedBy(ROOT + ".plan..")
        .layer("store").definedBy(ROOT + ".store..")
        .layer("run").definedBy(ROOT + ".run..")
        .layer("report").definedBy(ROOT + ".report..")
        .whereLayer("report").mayNotBeAccessedByAnyLayer()
        .whereLayer("run").mayNotBeAccessedByAnyLayer()
        .whereLayer("store").mayOnlyBeAccessedByLayers("run", "report")
        .whereLayer("plan").mayOnlyBeAccessedByLayers("store", "run", "report");
  }

  @Test
  void layersPointOneWay() {
    layers().check(main);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void thePlanNeedsNothingThatStoresRunsOrReports() {
    noClasses().that().resideInAPackage(ROOT + ".plan..").should().dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".store..", ROOT + ".run..", ROOT + ".report..")
        .check(main);
  }

  @Test
  void theReportNeverReachesTheRunner() {
    noClasses().that().resideInAPackage(ROOT + ".report..").should().dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".run..")
        .check(main);
  }

  /**
   * The plan, the store, the runner and the report need neither SameDiff nor ND4J: this module
   * compiles without either (its pom names neither), and the engine that does need them is
   * ablation-study-samediff, behind {@code StudyEngine}.
   */
  @Test
  void nothingHereReachesSameDiffOrNd4j() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("dev.ablation.samediff..", "org.nd4j..", "org.deeplearning4j..")
        .check(main);
  }

  /** The rules can fail: the store's own classes plus a class of it that used a runner. */
  @Test
  void aBackArrowIsCaught() {
    JavaClasses withBackArrow = new ClassFileImporter().importClasses(
        dev.ablation.study.plan.RunKey.class, dev.ablation.study.plan.BackArrow.class, dev.ablation.study.run.Study.class);
    EvaluationResult r = layers().evaluate(withBackArrow);
    assertThat(r.hasViolation()).isTrue();
    assertThat(r.getFailureReport().toString()).contains(dev.ablation.study.plan.BackArrow.class.getName());
  }
}
