package dev.ablation.examples;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterKind;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.TrainingBudget;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * The library on a SameDiff graph it did not build: a small causal decoder written by hand with
 * its own variable names ({@code tokTable}, {@code t1_q}, {@code readout}, …), trained with the
 * user's own {@code sd.fit}. Declaring a {@link LayerMap} — which variables form which layer,
 * and which are output projections — is all it takes to wipe, freeze and measure it.
 *
 * <p>The measurement: reset block 1 with {@code ZERO_OUTPUT} (fresh weights, output
 * projections zero, so the pre-LN block starts as the identity, i.e. as if deleted), retrain
 * only that block, and report how fast it recovers.
 *
 * <pre>
 * java -cp ablation-cli/target/ablation.jar:ablation-examples/target/ablation-examples.jar dev.ablation.examples.OwnModel
 * </pre>
 */
public final class OwnModel {
  private OwnModel() {}

  /** What {@link #main} runs: 3 blocks of width 32 (one head), 256 training steps. */
  public static ExampleOptions defaults() {
    return new ExampleOptions(new ExampleOptions.Sizes(3, 32, 1, 8, 16),
        new ExampleOptions.Training(2048, 2, 16, 3e-3, 0.05, 4), 2);
  }

  /** A few seconds' worth, for tests: 2 blocks of width 16 on 256 strings. */
  public static ExampleOptions tiny() {
    return new ExampleOptions(new ExampleOptions.Sizes(2, 16, 1, 8, 8),
        new ExampleOptions.Training(256, 3, 16, 1e-2, 0.05, 2), 2);
  }

  /** Runs {@link #defaults()} and prints the verdict, ρ and the curve. */
  public static void main(String[] args) {
    Console.quietLogs();
    ExampleRun o = Console.withoutGradientChatter(() -> run(defaults()));
    System.out.println("OwnModel: wiped " + o.wiped() + " (ZERO_OUTPUT), retrained it alone");
    System.out.print(Console.summary(o.result()));
  }

  /** Builds and trains the graph, then measures the recovery of block 1 after ZERO_OUTPUT. */
  public static ExampleRun run(ExampleOptions o) {
    // 1. Your graph, and its map: built before training, so that the map can record the
    //    distribution each weight was first drawn from (a FRESH wipe redraws from it).
    SameDiff sd = graph(o);
    LayerMap map = LayerMap.builder()
        .layerMatching(LayerPath.parse("embed"), LayerKind.EMBEDDING, "tokTable|posTable")
        .blocks("blocks", o.layers(), "t%d_(.*)")                   // blocks.1.q <- t1_q
        .layerOfVariables(LayerPath.parse("unembed"), LayerKind.HEAD,
            List.of("fin_g", "fin_b", "readout"))
        .kind("t\\d+_(mix|down)", ParameterKind.OUTPUT_WEIGHT)      // what ZERO_OUTPUT zeroes
        .kind("t\\d+_(mixb|downb)", ParameterKind.OUTPUT_BIAS)
        .inferInitFromValues()
        .build(sd);
    SameDiffModel model = new SameDiffModel(sd, map, "xent", Optional.of("scores_out"));

    // 2. Your training: plain sd.fit on an order-2 Markov language.
    Split data = new MarkovChain(o.vocab(), 2, 3.0, o.seed())
        .split(o.strings(), 256, o.context() + 1, o.seed());
    List<Batch> train = batches(data.train(), o);
    List<Batch> validation = batches(data.validation(), o);
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(o.learningRate()))
        .dataSetFeatureMapping("ids").dataSetLabelMapping("labels").build());
    long examples = 0;
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      for (Batch b : train) {
        sd.fit(new MultiDataSet(b.placeholders().get("ids"), b.placeholders().get("labels")));
        examples += b.examples();
      }
    }
    ReferenceCost sTimesE = new ReferenceCost(examples, examples * o.context());

    // 3. The measurement, in one expression: wipe, step-0 damage, freeze, retrain, verdict.
    //    run() puts the trained weights back when it returns; the listener keeps a copy of the
    //    recovered ones, taken as the run finishes.
    LayerPath wiped = LayerPath.block(1);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model);
    WeightSnapshot trained = surgeon.snapshot();
    WeightSnapshot[] recovered = new WeightSnapshot[1];
    RecoveryResult result = Recovery.builder(surgeon)
        .wipe(wiped, ReinitScheme.zeroOutput())
        .freeze(FreezePolicy.onlyWiped())
        .target(RecoveryCriterion.withinNats(o.epsilon()).smoothedOver(2).withPatience(8, 1e-3),
            sTimesE)
        .budget(TrainingBudget.ofReferenceFraction(1.0))
        .evaluateEvery(o.evaluateEvery())
        .learningRate(o.learningRate())
        .seed(o.seed())
        .describe("example", "OwnModel")
        .describe("options", o.toString())
        .listener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult r) {
            recovered[0] = surgeon.snapshot();
          }
        })
        .build()
        .run(train, validation);
    return new ExampleRun(result, wiped, trained, recovered[0]);
  }

  /** Next-token batches: {@code ids [batch, pos]}, one-hot {@code labels [batch, pos, vocab]}. */
  static List<Batch> batches(List<Example> examples, ExampleOptions o) {
    List<Batch> out = new ArrayList<>();
    for (int from = 0; from < examples.size(); from += o.batch()) {
      List<Example> part = examples.subList(from, Math.min(examples.size(), from + o.batch()));
      int[][] ids = new int[part.size()][o.context()];
      float[][][] labels = new float[part.size()][o.context()][o.vocab()];
      for (int i = 0; i < part.size(); i++) {
        int[] t = part.get(i).tokens();
        for (int p = 0; p < o.context(); p++) {
          ids[i][p] = t[p];
          labels[i][p][t[p + 1]] = 1f;
        }
      }
      out.add(new Batch(Map.of("ids", Nd4j.createFromArray(ids),
          "labels", Nd4j.createFromArray(labels)), part.size(), (long) part.size() * o.context()));
    }
    return out;
  }

  // ------------------------------------------------------------------ the hand-built graph

  /**
   * A pre-LN causal decoder: one-hot × matrix embeddings, per block one attention head with an
   * upper-triangle −1e9 mask and a GELU MLP, a final norm and a readout, mean softmax
   * cross-entropy {@code xent}. Written the way SameDiff M2.1 computes it correctly: no
   * {@code gather}, no sparse cross-entropy, no dropout.
   */
  static SameDiff graph(ExampleOptions o) {
    Nd4j.getRandom().setSeed(o.seed());
    Graph g = new Graph(SameDiff.create(), o.dModel(), o.vocab(), o.context());
    SameDiff sd = g.sd;
    SDVariable ids = sd.placeHolder("ids", DataType.INT32, -1, o.context());
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, -1, o.context(), o.vocab());
    SDVariable oneHot = sd.oneHot(ids, o.vocab(), -1, 1.0, 0.0, DataType.FLOAT);
    SDVariable x = g.linear(oneHot, g.weight("tokTable", o.vocab(), o.dModel()), o.dModel())
        .add(sd.var("posTable", Nd4j.rand(DataType.FLOAT, o.context(), o.dModel())
            .subi(0.5).muli(0.2)));
    SDVariable mask = g.causalMask();
    for (int i = 0; i < o.layers(); i++) {
      String p = "t" + i + "_";
      x = x.add(g.attention(g.norm(x, p + "lnA"), p, mask));
      x = x.add(g.mlp(g.norm(x, p + "lnB"), p));
    }
    SDVariable h = sd.nn().layerNorm(x, sd.var("fin_g", Nd4j.ones(DataType.FLOAT, o.dModel())),
        sd.var("fin_b", Nd4j.zeros(DataType.FLOAT, o.dModel())), false, 2);
    SDVariable logits = g.linear(h, g.weight("readout", o.dModel(), o.vocab()), o.vocab());
    sd.identity("scores_out", logits);
    sd.loss().softmaxCrossEntropy("xent", sd.reshape(labels, -1, o.vocab()),
        sd.reshape(logits, -1, o.vocab()), null);
    sd.setLossVariables("xent");
    return sd;
  }

  /** The graph's building blocks, sized once. */
  private record Graph(SameDiff sd, int d, int vocab, int t) {
    SDVariable weight(String name, long fanIn, long fanOut) {
      return sd.var(name, new XavierInitScheme('c', fanIn, fanOut), DataType.FLOAT, fanIn, fanOut);
    }

    SDVariable zeros(String name, long n) {
      return sd.var(name, Nd4j.zeros(DataType.FLOAT, n));
    }

    /** {@code x [batch, pos, in] · w [in, out] → [batch, pos, out]}. */
    SDVariable linear(SDVariable x, SDVariable w, long out) {
      return sd.reshape(sd.reshape(x, -1, w.getShape()[0]).mmul(w), -1, t, out);
    }

    SDVariable norm(SDVariable x, String name) {
      return sd.nn().layerNorm(x, sd.var(name + "_g", Nd4j.ones(DataType.FLOAT, d)),
          sd.var(name + "_b", Nd4j.zeros(DataType.FLOAT, d)), false, 2);
    }

    SDVariable attention(SDVariable x, String p, SDVariable mask) {
      SDVariable q = linear(x, weight(p + "q", d, d), d);
      SDVariable k = linear(x, weight(p + "k", d, d), d);
      SDVariable v = linear(x, weight(p + "v", d, d), d);
      SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(d)).add(mask);
      SDVariable mixed = sd.mmul(sd.nn().softmax(scores, 2), v); // [batch, pos, d]
      return linear(mixed, weight(p + "mix", d, d), d).add(zeros(p + "mixb", d));
    }

    SDVariable mlp(SDVariable x, String p) {
      SDVariable h = linear(x, weight(p + "up", d, 4L * d), 4L * d).add(zeros(p + "upb", 4L * d));
      return linear(sd.nn().gelu(h), weight(p + "down", 4L * d, d), d).add(zeros(p + "downb", d));
    }

    /** {@code [pos, pos]}: −1e9 above the diagonal, so position i sees only positions ≤ i. */
    SDVariable causalMask() {
      float[][] m = new float[t][t];
      for (int i = 0; i < t; i++) {
        for (int j = i + 1; j < t; j++) {
          m[i][j] = -1e9f;
        }
      }
      return sd.constant("causal", Nd4j.createFromArray(m));
    }
  }
}
