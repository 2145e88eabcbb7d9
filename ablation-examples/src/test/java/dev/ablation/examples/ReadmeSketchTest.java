package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.OriginalTrainer;
import dev.ablation.samediff.train.TrainedOriginal;
import dev.ablation.samediff.train.TrainingPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's usage sketch, and checks the README shows it verbatim. */
class ReadmeSketchTest {

  @Test
  void theReadmeSketchCompilesRunsAndIsVerbatim(@TempDir Path cacheDir) throws Exception {
    int vocab = 8;
    int context = 8;
    long seed = 5;
    Split split = new MarkovChain(vocab, 2, 3.0, 1).split(256, 64, context + 1, seed);
    TrainingPlan plan = TrainingPlan.of(1, 16, 3e-3, seed);
    // BEGIN SKETCH
    // a trained model: a reference one, or your own SameDiff graph with a declared LayerMap
    TrainedOriginal original = OriginalTrainer.trainOrLoad(cacheDir,
        TransformerConfig.decoderOnly(4, 64, 4, vocab, context, seed), plan, split, p -> { });
    // END SKETCH
    List<Batch> trainBatches = ReferenceBatches.of(original.model()).batches(split.train(), 16);
    List<Batch> validationBatches = ReferenceBatches.of(original.model()).batches(split.validation(), 64);
    // BEGIN SKETCH
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(original.model().model(), original.initialWeights());
    // END SKETCH
    WeightSnapshot trained = surgeon.snapshot();
    // BEGIN SKETCH

    RecoveryResult r = Recovery.builder(surgeon)
        .wipe(LayerPath.block(0), ReinitScheme.fresh())          // new draw from the layer's init rule
        .freeze(FreezePolicy.onlyWiped())                        // everything else frozen, bit for bit
        .target(RecoveryCriterion.withinNats(0.05).withPatience(20, 1e-3), original.budget())
        .budget(TrainingBudget.ofReferenceFraction(1.0))         // at most the original's S x E
        .learningRate(3e-3)                                      // a fresh Adam
        .seed(7L)                                                // the wipe's draw
        .build()                                                 // every problem at once
        .run(trainBatches, validationBatches);                   // and the trained weights are back

    System.out.println(r.verdict() + ": rho = " + r.rho());     // the fraction of S x E it took
    // END SKETCH

    // step 0 is always on the curve: the run must have trained and evaluated after it too
    assertThat(r.spent().steps()).isPositive();
    assertThat(r.curve()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(r.curve().get(r.curve().size() - 1).loss()).isLessThan(r.curve().get(0).loss());
    assertThat(surgeon.pendingWipes()).isEmpty();
    for (var p : surgeon.layout().parameterPaths()) {
      assertThat(surgeon.snapshot().values(p)).isEqualTo(trained.values(p));
    }

    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    int from = readme.indexOf("```java", readme.indexOf("## Usage sketch")) + "```java".length();
    String shown = readme.substring(from, readme.indexOf("```", from));
    String test = Files.readString(Path.of(
        "src/test/java/dev/ablation/examples/ReadmeSketchTest.java"), StandardCharsets.UTF_8);
    StringBuilder sketch = new StringBuilder();
    int at = 0;
    while ((at = test.indexOf("// BEGIN SKETCH\n", at)) >= 0) {
      int end = test.indexOf("// END SKETCH", at);
      sketch.append(test, at + "// BEGIN SKETCH\n".length(), end).append('\n');
      at = end;
    }
    assertThat(normalise(shown)).isEqualTo(normalise(sketch.toString()));
  }

  private static String normalise(String code) {
    return code.lines().map(String::strip).filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
