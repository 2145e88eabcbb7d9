package dev.ablation.samediff.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sampled central finite differences in double precision against SameDiff's gradients, on
 * every parameter of a tiny model of each architecture (the full checker is far too slow).
 */
class GradientCheckTest {
  private static final double EPS = 1e-6;
  private static final int SAMPLES_PER_PARAMETER = 3;

  static List<TransformerConfig> configs() {
    return TinyModels.all();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyParameterMatchesFiniteDifferences(TransformerConfig config) {
    ReferenceModel m = ReferenceModel.build(config, DataType.DOUBLE);
    // Perturb norms and zero-initialised biases so their gradients are generic, not special.
    SplittableRandom r = new SplittableRandom(5);
    for (ParameterSpec s : m.layers().parameters()) {
      INDArray a = m.graph().getVariable(s.variable()).getArr();
      for (long i = 0; i < a.length(); i++) {
        a.putScalar(i, a.getDouble(i) + 0.1 * (r.nextDouble() - 0.5));
      }
    }
    Batch batch = ReferenceBatches.of(m).batch(TinyModels.examples(config, 3, 21));
    SameDiff sd = m.graph();
    Map<String, INDArray> grads = sd.calculateGradients(batch.placeholders(),
        m.parameterVariables());
    List<String> failures = new ArrayList<>();
    int checked = 0;
    double worst = 0;
    for (String v : m.parameterVariables()) {
      INDArray p = sd.getVariable(v).getArr();
      INDArray g = grads.get(v);
      if (g == null) {
        failures.add(v + ": no gradient");
        continue;
      }
      for (int k = 0; k < SAMPLES_PER_PARAMETER; k++) {
        long i = r.nextLong(p.length());
        double orig = p.getDouble(i);
        p.putScalar(i, orig + EPS);
        double up = loss(m, batch);
        p.putScalar(i, orig - EPS);
        double down = loss(m, batch);
        p.putScalar(i, orig);
        double numeric = (up - down) / (2 * EPS);
        double analytic = g.getDouble(i);
        double diff = Math.abs(numeric - analytic);
        double rel = diff / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic));
        worst = Math.max(worst, Math.min(rel, diff * 1e3));
        if (rel > 1e-4 && diff > 1e-7) {
          failures.add(v + "[" + i + "]: analytic " + analytic + " vs numeric " + numeric);
        }
        checked++;
      }
    }
    assertTrue(failures.isEmpty(), config + ": " + failures.size() + " of " + checked
        + " sampled elements differ: " + failures);
    assertTrue(checked >= 3 * m.parameterVariables().size());
  }

  private static double loss(ReferenceModel m, Batch b) {
    return m.graph().output(b.placeholders(), ReferenceModel.LOSS).get(ReferenceModel.LOSS)
        .getDouble(0);
  }
}
