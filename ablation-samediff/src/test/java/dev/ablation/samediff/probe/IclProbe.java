package dev.ablation.samediff.probe;

import dev.ablation.api.LayerPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.InContextBigram;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.surgery.StepZeroDamage;
import dev.ablation.samediff.train.OriginalTrainer;
import dev.ablation.samediff.train.TrainedOriginal;
import dev.ablation.samediff.train.TrainingPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Manual probe (not part of the suite's assertions). */
class IclProbe {
  static int p(String k, int d) { return Integer.getInteger(k, d); }

  @Test
  void probe() {
    int v = p("v", 6), t = p("t", 32), n = p("n", 4), d = p("d", 64), s = p("s", 4096),
        e = p("e", 4), b = p("b", 32);
    double alpha = Double.parseDouble(System.getProperty("alpha", "0.3"));
    double lr = Double.parseDouble(System.getProperty("lr", "3e-3"));
    InContextBigram c = new InContextBigram(v, alpha);
    Split split = c.split(s, 256, t + 1, 7);
    System.out.printf("bayes %.4f unigram %.4f lnV %.4f%n", c.bayesLoss(split.validation()),
        c.unigramLoss(split.validation()), Math.log(v));
    ReferenceModel m = ReferenceModel.build(TransformerConfig.decoderOnly(n, d, 4, v, t, 3));
    long t0 = System.nanoTime();
    TrainedOriginal tr = new OriginalTrainer(TrainingPlan.of(e, b, lr, 4).evaluatingEvery(50),
        pt -> System.out.printf("%s  %.1fs%n", pt, (System.nanoTime() - t0) / 1e9)).train(m, split);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(m.model());
    List<Batch> val = m.batches(split.validation(), 256);
    System.out.printf("L* %.4f%n", tr.finalLoss());
    for (int i = 0; i < n; i++) {
      System.out.printf("deleted blocks.%d: %.4f (+%.4f)%n", i,
          StepZeroDamage.lossDeleted(surgeon, List.of(LayerPath.block(i)), val).getAsDouble(),
          StepZeroDamage.lossDeleted(surgeon, List.of(LayerPath.block(i)), val).getAsDouble()
              - tr.finalLoss());
    }
  }
}
