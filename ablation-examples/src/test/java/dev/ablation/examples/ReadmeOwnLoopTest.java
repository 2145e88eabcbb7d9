package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.recovery.RecoveryFit;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.GradientChatter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Compiles and runs the README's own-loop example on a hand-written graph trained with
 * {@code sd.fit}, checks it stays within 15 lines, that the README shows it verbatim, and that
 * it prints none of SameDiff's "Added differentiated op" lines while a user's own lines pass.
 */
class ReadmeOwnLoopTest {
  private final PrintStream console = System.out;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @AfterEach
  void putTheConsoleBack() {
    System.setOut(console);
  }

  @Test
  void theOwnLoopExampleCompilesRunsAndIsVerbatim() throws Exception {
    ExampleOptions o = OwnModel.tiny();
    SameDiff sd = OwnModel.graph(o);
    Split data = new MarkovChain(o.vocab(), 2, 3.0, o.seed())
        .split(o.strings(), 128, o.context() + 1, o.seed());
    List<Batch> train = OwnModel.batches(data.train(), o);
    List<Batch> validation = OwnModel.batches(data.validation(), o);
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(o.learningRate()))
        .dataSetFeatureMapping("ids").dataSetLabelMapping("labels").build());
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      for (Batch b : train) {
        sd.fit(new MultiDataSet(b.placeholders().get("ids"), b.placeholders().get("labels")));
      }
    }
    long strings = data.train().size();
    int epochs = o.epochs();
    int context = o.context();
    Map<String, INDArray> before = new LinkedHashMap<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        before.put(v.name(), v.getArr().dup());
      }
    }
    // the snippet runs with System.out captured: SameDiff's per-op gradient chatter must not
    // reach it (the library builds the gradient function quietly); a user's own lines must
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    System.out.println("user: before the recovery");
    // BEGIN OWN LOOP
    LayerMap map = LayerMap.builder()                   // which of your variables form which layer
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .blocks("h", 2, "t%d_(.*)")                     // h.0 <- t0_q, t0_k, ...; h.1 <- t1_q, ...
        .layerOfVariables(LayerPath.parse("head"), LayerKind.HEAD, List.of("fin_g", "fin_b", "readout"))
        .build(sd);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(new SameDiffModel(sd, map, "xent", Optional.empty()));
    RecoveryResult r;
    try (RecoveryFit fit = Recovery.builder(surgeon)
        .wipe(LayerPath.block("h", 1), ReinitScheme.fresh())   // block 1 under your prefix: h.1
        .target(RecoveryCriterion.withinNats(0.05), ReferenceCost.of(strings, epochs, context))
        .learningRate(3e-3)                                   // a fresh Adam, inside sd.fit too
        .build().startFit(validation)) {                      // damage, wipe, freeze, optimiser
      sd.fit(fit.iterator(train), 1, fit.listener());        // your own sd.fit; stops when decided
      r = fit.result();                                      // verdict, rho, curve, manifest
    }                                                        // closed: the trained weights again
    // END OWN LOOP
    System.out.println("user: after the recovery");
    System.setOut(console);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .doesNotContain(GradientChatter.PREFIX.strip())
        .contains("user: before the recovery").contains("user: after the recovery");

    assertThat(r.curve()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(r.spent().steps()).isPositive();
    assertThat(r.manifest().configuration()).containsEntry("wiped", "[h.1]");
    assertThat(surgeon.pendingWipes()).isEmpty();
    for (Map.Entry<String, INDArray> e : before.entrySet()) {
      INDArray now = sd.getVariable(e.getKey()).getArr();
      assertThat(sd.getVariable(e.getKey()).getVariableType()).isEqualTo(VariableType.VARIABLE);
      assertThat(now.equalsWithEps(e.getValue(), 0.0)).as(e.getKey()).isTrue();
    }

    String test = Files.readString(Path.of(
        "src/test/java/dev/ablation/examples/ReadmeOwnLoopTest.java"), StandardCharsets.UTF_8);
    int from = test.indexOf("// BEGIN OWN LOOP\n") + "// BEGIN OWN LOOP\n".length();
    String example = test.substring(from, test.indexOf("// END OWN LOOP", from));
    assertThat(normalise(example).lines().count()).isLessThanOrEqualTo(15);
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("```java", readme.indexOf("## Your own model, your own loop"))
        + "```java".length();
    String shown = readme.substring(at, readme.indexOf("```", at));
    assertThat(normalise(shown)).isEqualTo(normalise(example));
  }

  private static String normalise(String code) {
    return code.lines().map(String::strip).filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
