package dev.ablation.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The PyTorch 2.x peer of {@code ablation.jar bench}, through DJL's PyTorch engine: the same
 * decoder-only model as {@code bench/pytorch_peer.py} and the SDK's reference decoder (pre-LN,
 * GELU, untied embeddings, learned positions, hand-rolled causal attention with biased
 * Q/K/V/O projections, {@code d_ff = 4 d_model}, 4 heads, vocabulary 32), batch 32, one Adam
 * step on every parameter per training step. Prints
 * {@code <config>.pytorch2_full_step_ms=<median>} (wall) and {@code pytorch2_full_step_cpu_ms}
 * (this thread's CPU time) per configuration, plus the engine's version
 * and thread count.
 *
 * <p>Run offline ({@code -Dai.djl.offline=true}): the JNI bridge and libtorch come from the
 * {@code pytorch-jni} and {@code pytorch-native-cpu} jars on the classpath and are extracted to
 * {@code DJL_CACHE_DIR}; nothing is downloaded. {@code bench/compare.sh} runs it.
 */
public final class PyTorch2Peer {
  private static final int VOCAB = 32;
  private static final int HEADS = 4;
  private static final int BATCH = 32;

  private final NDManager params;
  private final List<NDArray> all = new ArrayList<>();
  private final int n;
  private final int d;
  private final int t;
  private final NDArray mask;
  private final Random random = new Random(1);

  private PyTorch2Peer(NDManager params, int n, int d, int t) {
    this.params = params;
    this.n = n;
    this.d = d;
    this.t = t;
    float[] m = new float[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        m[i * t + j] = -1e9f;
      }
    }
    this.mask = params.create(m, new Shape(t, t));
  }

  private NDArray normal(double std, long... shape) {
    float[] v = new float[Math.toIntExact(new Shape(shape).size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (random.nextGaussian() * std);
    }
    return param(params.create(v, new Shape(shape)));
  }

  private NDArray constant(float value, long... shape) {
    return param(params.full(new Shape(shape), value, DataType.FLOAT32));
  }

  private NDArray param(NDArray p) {
    p.setRequiresGradient(true);
    all.add(p);
    return p;
  }

  /** Parameters, in creation order: embed, pos, per block (ln1, q, k, v, o, ln2, in, out). */
  private final List<NDArray[]> blocks = new ArrayList<>();
  private NDArray embed;
  private NDArray pos;
  private NDArray lnFinalG;
  private NDArray lnFinalB;
  private NDArray unembedW;
  private NDArray unembedB;

  private void init() {
    embed = normal(1 / Math.sqrt(d), VOCAB, d);
    pos = normal(1 / Math.sqrt(d), t, d);
    double w = 1 / Math.sqrt(d);
    for (int i = 0; i < n; i++) {
      blocks.add(new NDArray[] {
          constant(1, d), constant(0, d), // ln1
          normal(w, d, d), constant(0, d), normal(w, d, d), constant(0, d), // q, k
          normal(w, d, d), constant(0, d), normal(w / Math.sqrt(2.0 * n), d, d), constant(0, d),
          constant(1, d), constant(0, d), // ln2
          normal(w, d, 4L * d), constant(0, 4L * d),
          normal(1 / Math.sqrt(4.0 * d) / Math.sqrt(2.0 * n), 4L * d, d), constant(0, d)});
    }
    lnFinalG = constant(1, d);
    lnFinalB = constant(0, d);
    unembedW = normal(w, d, VOCAB);
    unembedB = constant(0, VOCAB);
  }

  private NDArray layerNorm(NDArray x, NDArray g, NDArray b) {
    return LayerNorm.layerNorm(x, new Shape(d), g, b, 1e-5f).singletonOrThrow();
  }

  private static NDArray linear(NDArray x, NDArray w, NDArray b) {
    return x.matMul(w).add(b);
  }

  /** Mean cross-entropy of predicting {@code seq[:, 1:]} from {@code seq[:, :-1]}. */
  private NDArray loss(NDArray input, NDArray target) {
    int dh = d / HEADS;
    NDArray x = input.oneHot(VOCAB).matMul(embed).add(pos); // [b, t, d]
    for (NDArray[] p : blocks) {
      NDArray h = layerNorm(x, p[0], p[1]);
      NDArray q = linear(h, p[2], p[3]).reshape(BATCH, t, HEADS, dh).transpose(0, 2, 1, 3);
      NDArray k = linear(h, p[4], p[5]).reshape(BATCH, t, HEADS, dh).transpose(0, 2, 3, 1);
      NDArray v = linear(h, p[6], p[7]).reshape(BATCH, t, HEADS, dh).transpose(0, 2, 1, 3);
      NDArray s = q.matMul(k).div((float) Math.sqrt(dh)).add(mask);
      NDArray a = s.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(BATCH, t, d);
      x = x.add(linear(a, p[8], p[9]));
      h = layerNorm(x, p[10], p[11]);
      x = x.add(linear(Activation.gelu(linear(h, p[12], p[13])), p[14], p[15]));
    }
    NDArray logits = linear(layerNorm(x, lnFinalG, lnFinalB), unembedW, unembedB);
    NDArray logp = logits.logSoftmax(-1);
    return logp.mul(target.oneHot(VOCAB)).sum().neg().div((float) (BATCH * t));
  }

  private double cpuMedian = Double.NaN;

  private double median(int warmup, int timed) {
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    double[] cpuMs = new double[timed];
    Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
    List<NDArray[]> data = new ArrayList<>();
    Random r = new Random(2);
    for (int i = 0; i < 8; i++) {
      int[] in = new int[BATCH * t];
      int[] out = new int[BATCH * t];
      for (int j = 0; j < in.length; j++) {
        in[j] = r.nextInt(VOCAB);
        out[j] = r.nextInt(VOCAB);
      }
      data.add(new NDArray[] {params.create(in, new Shape(BATCH, t)),
          params.create(out, new Shape(BATCH, t))});
    }
    double[] ms = new double[timed];
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    for (int i = 0; i < warmup + timed; i++) {
      NDArray[] batch = data.get(i % data.size());
      long t0 = System.nanoTime();
      long c0 = cpu.getCurrentThreadCpuTime();
      try (NDManager step = params.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray in = batch[0].duplicate();
          in.attach(step);
          NDArray loss = loss(in, batch[1]);
          gc.backward(loss);
          lastLoss = loss.getFloat();
          if (i == 0) {
            firstLoss = lastLoss;
          }
        }
        for (int j = 0; j < all.size(); j++) {
          NDArray p = all.get(j);
          adam.update("p" + j, p, p.getGradient());
        }
      }
      if (i >= warmup) {
        ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
        cpuMs[i - warmup] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6;
      }
    }
    // a sanity check that the step trains (the data are random tokens: the loss falls
    // towards ln 32 ≈ 3.47 from above as the model learns the unigram frequencies)
    System.out.printf(Locale.ROOT, "n%d_d%d_t%d.pytorch2_loss_first=%.4f%nn%d_d%d_t%d"
        + ".pytorch2_loss_last=%.4f%n", n, d, t, firstLoss, n, d, t, lastLoss);
    Arrays.sort(cpuMs);
    cpuMedian = cpuMs[cpuMs.length / 2];
    Arrays.sort(ms);
    return ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  }

  public static void main(String[] args) {
    String configs = "4x64x64,2x32x32";
    int warmup = 8;
    int timed = 21;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> configs = args[++i];
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--timed" -> timed = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "'; valid: --config NxDxT[,NxDxT] --warmup N --timed N");
      }
    }
    Engine engine = Engine.getEngine("PyTorch");
    System.out.println("pytorch2=" + engine.getVersion());
    System.out.println("pytorch2_djl=" + Engine.getDjlVersion());
    System.out.println("pytorch2_offline=" + System.getProperty("ai.djl.offline", "false"));
    for (String c : configs.split(",")) {
      int[] f = Arrays.stream(c.split("x")).mapToInt(Integer::parseInt).toArray();
      try (NDManager m = NDManager.newBaseManager()) {
        PyTorch2Peer peer = new PyTorch2Peer(m, f[0], f[1], f[2]);
        peer.init();
        double ms = peer.median(warmup, timed);
        System.out.printf(Locale.ROOT, "n%d_d%d_t%d.pytorch2_full_step_ms=%.3f%n", f[0], f[1],
            f[2], ms);
        // this thread's CPU time (one intra-op thread: the ops run on it)
        System.out.printf(Locale.ROOT, "n%d_d%d_t%d.pytorch2_full_step_cpu_ms=%.3f%n", f[0],
            f[1], f[2], peer.cpuMedian);
      }
    }
  }
}
