package dev.ablation.cli.bench;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Per-op profile of a full training step of the reference decoder (batch 32, Adam, every
 * parameter): for each op type, how many ops a step runs and the milliseconds spent between
 * SameDiff's {@code preOpExecution} and {@code opExecution} callbacks, summed over the step,
 * in this thread's CPU time (so a busy machine slows the figures less than wall time; run with
 * {@code OMP_NUM_THREADS=1} so the ops run on this thread);
 * the rest of the step (SameDiff's bookkeeping between ops, Adam's updates) is printed as
 * {@code outside_ops}. The listener's own cost is inside the step time, so the figures are for
 * finding where a step goes, not for comparing engines (that is {@link Bench}'s job).
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 java -cp ablation.jar dev.ablation.cli.bench.OpProfile
 * [NxDxT ...]} (default {@code 4x64x64 2x32x32}).
 */
public final class OpProfile extends BaseListener {
  private final Map<String, long[]> byOp = new HashMap<>(); // op name -> {count, nanos}
  private final Map<String, long[]> byInstance = new HashMap<>(); // op instance -> {count, ns}
  private long started;
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** This thread's CPU time, ns: what a step costs however busy the machine is. */
  static long cpuNanos() {
    return CPU.getCurrentThreadCpuTime();
  }

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
    started = cpuNanos();
  }

  @Override
  public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op,
      OpContext opContext, INDArray[] outputs) {
    long ns = cpuNanos() - started;
    long[] a = byOp.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
    a[0]++;
    a[1] += ns;
    long[] b = byInstance.computeIfAbsent(op.getName() + " " + shapes(opContext, outputs),
        k -> new long[2]);
    b[0]++;
    b[1] += ns;
  }

  private static String shapes(OpContext ctx, INDArray[] outputs) {
    StringBuilder sb = new StringBuilder();
    if (ctx != null) {
      for (INDArray in : ctx.getInputArrays()) {
        sb.append(java.util.Arrays.toString(in.shape()));
      }
    }
    sb.append("->");
    if (outputs != null && outputs.length > 0 && outputs[0] != null) {
      sb.append(java.util.Arrays.toString(outputs[0].shape()));
    }
    return sb.toString();
  }

  /** Profiles {@code steps} steps after {@code warmup} and prints a table per op type. */
  static void profile(Bench.Shape shape, int warmup, int steps, PrintWriter out) {
    TransformerConfig c = shape.config();
    ReferenceModel m = ReferenceModel.build(c);
    List<Example> data = new MarkovChain(c.vocab(), 2, 2.0, 1).sample(32 * 8, c.context() + 1, 2);
    List<Batch> batches = ReferenceBatches.of(m).batches(data, 32);
    AdamStepper full = new AdamStepper(m.model(), m.parameterVariables(), AdamSettings.of(1e-3));
    for (int i = 0; i < warmup; i++) {
      full.step(batches.get(i % batches.size()));
    }
    OpProfile p = new OpProfile();
    SameDiff grad = m.graph().getFunction("grad");
    m.graph().setListeners(p);
    grad.setListeners(p);
    long t0 = cpuNanos();
    for (int i = 0; i < steps; i++) {
      full.step(batches.get(i % batches.size()));
    }
    double stepMs = (cpuNanos() - t0) / 1e6 / steps;
    m.graph().setListeners();
    grad.setListeners();
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(p.byOp.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
    long ops = 0;
    double inOps = 0;
    out.printf(Locale.ROOT, "# %s: %d parameters, step %.2f ms of CPU time (with the listener)%n",
        shape.prefix(), m.layers().layout().size(), stepMs);
    out.printf(Locale.ROOT, "%-28s %8s %10s %10s%n", "op", "per_step", "ms_per_step", "us_per_op");
    for (Map.Entry<String, long[]> e : rows) {
      double count = e.getValue()[0] / (double) steps;
      double ms = e.getValue()[1] / 1e6 / steps;
      ops += e.getValue()[0];
      inOps += ms;
      out.printf(Locale.ROOT, "%-28s %8.0f %10.3f %10.1f%n", e.getKey(), count, ms,
          ms * 1e3 / count);
    }
    out.printf(Locale.ROOT, "%-28s %8d %10.3f%n", "all_ops", ops / steps, inOps);
    out.printf(Locale.ROOT, "%-28s %8s %10.3f%n", "outside_ops", "", stepMs - inOps);
    if (Boolean.getBoolean("ablation.profile.instances")) {
      List<Map.Entry<String, long[]>> inst = new ArrayList<>(p.byInstance.entrySet());
      inst.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
      out.println("# slowest op instances (ms per step, op name, input shapes -> output shape)");
      for (Map.Entry<String, long[]> e : inst.subList(0, Math.min(40, inst.size()))) {
        out.printf(Locale.ROOT, "%8.3f %s%n", e.getValue()[1] / 1e6 / steps, e.getKey());
      }
    }
    out.flush();
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    List<Bench.Shape> shapes = new ArrayList<>();
    for (String a : args) {
      String[] f = a.split("x");
      shapes.add(new Bench.Shape(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
          Integer.parseInt(f[2])));
    }
    for (Bench.Shape s : shapes.isEmpty() ? Bench.SHAPES : shapes) {
      profile(s, 10, 20, out);
    }
  }
}
