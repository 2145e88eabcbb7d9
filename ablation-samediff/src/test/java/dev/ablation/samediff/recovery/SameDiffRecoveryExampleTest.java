package dev.ablation.samediff.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.api.recovery.ReferenceBudget;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Compiles and runs the worked example of {@link SameDiffRecovery}'s Javadoc, word for word. */
class SameDiffRecoveryExampleTest {

  @Test
  void theJavadocExampleCompilesRunsAndIsVerbatim() throws IOException {
    TinyOriginal o = new TinyOriginal(3, 300);
    ReferenceModel original = o.model;
    ReferenceBudget reference = o.reference;
    List<Batch> train = o.train;
    List<Batch> validation = o.validation;
    // BEGIN EXAMPLE
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(original.model());
    WeightSnapshot trained = surgeon.snapshot();
    SameDiffRecovery.Plan plan = new SameDiffRecovery.Plan(
        List.of(LayerPath.block(0)), ReinitScheme.fresh(), FreezePolicy.onlyWiped(), 7L,
        RecoverySettings.of(RecoveryCriterion.withinNats(0.05).withPatience(20, 1e-3),
            TrainingBudget.ofReferenceFraction(1.0), reference, 10),
        AdamSettings.of(1e-2));
    RecoveryResult r = SameDiffRecovery.run(surgeon, plan,
        SameDiffRecovery.cycle(train), validation, Map.of());
    System.out.println(r.verdict() + " rho=" + r.rho());
    surgeon.restore(trained);
    // END EXAMPLE
    assertThat(r.verdict()).isIn(Verdict.RECOVERED, Verdict.PLATEAUED, Verdict.BUDGET_EXHAUSTED);
    // the example must show a recovery, not a wipe that did no damage (recovered at step 0)
    assertThat(r.damage().lossAfterWipe()).isGreaterThan(r.damage().lossOriginal() + 0.05);
    // step 0 is always on the curve: the run must have trained and evaluated after it too
    assertThat(r.spent().steps()).isPositive();
    assertThat(r.curve()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(r.curve().get(r.curve().size() - 1).loss()).isLessThan(r.curve().get(0).loss());

    String javadoc = Files.readString(
        Path.of("src/main/java/dev/ablation/samediff/recovery/SameDiffRecovery.java"),
        StandardCharsets.UTF_8);
    String block = javadoc.substring(javadoc.indexOf("<pre>{@code"), javadoc.indexOf("}</pre>"));
    String fromJavadoc = block.lines().skip(1).map(l -> l.replaceFirst("^\\s*\\*", "").strip())
        .filter(l -> !l.isEmpty() && !l.startsWith("//")).collect(Collectors.joining("\n"));
    String test = Files.readString(Path.of(
        "src/test/java/dev/ablation/samediff/recovery/SameDiffRecoveryExampleTest.java"),
        StandardCharsets.UTF_8);
    String region = test.substring(test.indexOf("// BEGIN EXAMPLE") + 16, test.indexOf("// END EXAMPLE"));
    String fromTest = region.lines().map(String::strip).filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
    assertThat(fromJavadoc).isEqualTo(fromTest);
  }
}
