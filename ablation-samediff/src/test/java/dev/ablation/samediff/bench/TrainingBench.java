package dev.ablation.samediff.bench;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: prints the median milliseconds per training step ({@link AdamStepper}, all
 * parameters) and per evaluation batch (loss only, no gradients) of decoder-only reference
 * models at batch 32: N=2/D=32/T=32 and N=4/D=64/T=64 (4 heads, vocab 32). Run from
 * {@code ablation-samediff/} with the test classpath, e.g.
 * <pre>
 * mvn -q -pl ablation-samediff -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * cd ablation-samediff
 * OMP_NUM_THREADS=1 java -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     dev.ablation.samediff.bench.TrainingBench
 * </pre>
 * Warm-up steps (JIT, gradient-graph creation) are excluded.
 */
public final class TrainingBench {
  private TrainingBench() {}

  public static void main(String[] args) {
    int batch = 32;
    System.out.printf(Locale.ROOT, "threads OMP_NUM_THREADS=%s, cores %d, java %s%n",
        System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    run(TransformerConfig.decoderOnly(2, 32, 4, 32, 32, 1), batch, 15, 40);
    run(TransformerConfig.decoderOnly(4, 64, 4, 32, 64, 1), batch, 5, 15);
  }

  private static void run(TransformerConfig config, int batch, int warmup, int timed) {
    ReferenceModel m = ReferenceModel.build(config);
    MarkovChain chain = new MarkovChain(config.vocab(), 2, 2.0, 1);
    List<Example> data = chain.sample(batch * 8, config.context() + 1, 2);
    List<Batch> batches = ReferenceBatches.of(m).batches(data, batch);
    AdamStepper stepper = new AdamStepper(m.model(), m.parameterVariables(),
        AdamSettings.of(1e-3));
    LossEvaluator eval = new LossEvaluator(m.model());
    double[] step = new double[timed];
    double[] evaluation = new double[timed];
    for (int i = 0; i < warmup + timed; i++) {
      Batch b = batches.get(i % batches.size());
      long t0 = System.nanoTime();
      stepper.step(b);
      long t1 = System.nanoTime();
      eval.loss(b);
      long t2 = System.nanoTime();
      if (i >= warmup) {
        step[i - warmup] = (t1 - t0) / 1e6;
        evaluation[i - warmup] = (t2 - t1) / 1e6;
      }
    }
    System.out.printf(Locale.ROOT,
        "N=%d D=%d T=%d batch=%d params=%d: train step median %.1f ms (min %.1f), "
            + "eval batch median %.1f ms (min %.1f)%n",
        config.nLayers(), config.dModel(), config.context(), batch,
        m.layers().layout().size(), median(step), Arrays.stream(step).min().orElseThrow(),
        median(evaluation), Arrays.stream(evaluation).min().orElseThrow());
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

}
