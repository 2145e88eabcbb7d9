package dev.ablation.examples.bench;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.model.PopulationModel;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.recovery.RecoveryStepper;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import dev.ablation.samediff.train.PopulationStepper;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The figures of faster steps (issue 15), printed by {@code ablation.jar bench} after
 * {@link Bench}'s: per configuration the ops a training step runs (forward and gradient graph)
 * and its median thread CPU time ({@code full_step_cpu_ms}: what the step costs however busy
 * the machine is, with {@code OMP_NUM_THREADS=1}, where ops run on the calling thread); then
 * the population prototype: {@code population_K<k>_over_single}, K single recovery steps'
 * time (each member's own wiped block, {@code onlyWiped}, the way the study runs them — the
 * fast path where it applies) over one population step of the same K members, in CPU time, and
 * {@code _wall} the same in wall time. Members wipe blocks {@code 0, 1, …, N−1, 0, …} in turn;
 * {@code population_K<k>_L<l>} is a population whose members all wipe block l (the grouping a
 * study could use: the gradient then stops at l for every member).
 */
public final class StepsBench {
  /** Population sizes measured. */
  static final int[] POPULATIONS = {8};

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private final Bench.Options options;
  private final PrintWriter out;
  private double lastWall;

  public StepsBench(Bench.Options options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /** Prints every figure for every configuration of the options. */
  public void run() {
    for (Bench.Shape s : options.shapes()) {
      run(s);
    }
  }

  private void run(Bench.Shape shape) {
    String p = shape.prefix() + ".";
    TransformerConfig c = shape.config();
    ReferenceModel m = ReferenceModel.build(c);
    List<Batch> batches = batches(m, 0);
    AdamSettings adam = AdamSettings.of(1e-3);
    AdamStepper full = new AdamStepper(m.model(), m.parameterVariables(), adam);
    double cpu = median(batches, full::step);
    // the gradient function holds the forward ops and their derivatives: a step runs these
    print(p + "ops_per_step", m.graph().getFunction("grad").getOps().size());
    print(p + "parameter_arrays", m.parameterVariables().size());
    print(p + "full_step_cpu_ms", cpu);
    if (options.fullStepOnly()) {
      return;
    }
    for (int k : POPULATIONS) {
      population(shape, k, -1);
      for (int layer = 0; layer < c.nLayers(); layer += Math.max(1, c.nLayers() - 1)) {
        population(shape, k, layer);
      }
    }
  }

  /** Members wipe {@code layer}, or blocks 0, 1, … in turn when it is −1. */
  private void population(Bench.Shape shape, int k, int layer) {
    String p = shape.prefix() + ".population_K" + k + (layer < 0 ? "" : "_L" + layer);
    TransformerConfig c = shape.config();
    AdamSettings adam = AdamSettings.of(1e-3);
    List<ReferenceModel> members = new ArrayList<>();
    List<List<String>> trainable = new ArrayList<>();
    List<List<Batch>> data = new ArrayList<>();
    double singleCpu = 0;
    double singleWall = 0;
    for (int i = 0; i < k; i++) {
      ReferenceModel m = ReferenceModel.build(c);
      members.add(m);
      trainable.add(onlyWiped(m, layer < 0 ? i % c.nLayers() : layer));
      data.add(batches(m, i));
    }
    PopulationModel pop = PopulationModel.stack(members);
    for (int i = 0; i < k; i++) {
      RecoveryStepper single = RecoveryStepper.create(members.get(i).model(), trainable.get(i),
          adam);
      singleCpu += median(data.get(i), single::tryStep);
      singleWall += lastWall;
    }
    PopulationStepper stepper = new PopulationStepper(pop, trainable, adam);
    List<List<Batch>> rounds = new ArrayList<>();
    for (int b = 0; b < data.get(0).size(); b++) {
      List<Batch> round = new ArrayList<>();
      for (List<Batch> d : data) {
        round.add(d.get(b));
      }
      rounds.add(round);
    }
    double popCpu = median(rounds, r -> stepper.step(r)[0]);
    double popWall = lastWall;
    print(p + "_single_steps_cpu_ms", singleCpu);
    print(p + "_step_cpu_ms", popCpu);
    print(p + "_over_single", singleCpu / popCpu);
    print(p + "_over_single_wall", singleWall / popWall);
  }

  private List<Batch> batches(ReferenceModel m, long seed) {
    TransformerConfig c = m.config();
    List<Example> data = new MarkovChain(c.vocab(), 2, 2.0, 1 + seed)
        .sample(options.batch() * 8, c.context() + 1, 2 + seed);
    return ReferenceBatches.of(m).batches(data, options.batch());
  }

  private static List<String> onlyWiped(ReferenceModel m, int block) {
    List<String> names = new ArrayList<>();
    for (ParameterPath q : FreezePolicy.onlyWiped().resolve(m.layers().layout(),
        List.of(LayerPath.block(block)), 0)) {
      names.add(m.layers().variable(q));
    }
    return names;
  }

  /** Median thread CPU ms per call after the warm-up; the wall-time median in lastWall. */
  private <T> double median(List<T> inputs, ToDoubleFunction<T> step) {
    for (int i = 0; i < options.warmup(); i++) {
      step.applyAsDouble(inputs.get(i % inputs.size()));
    }
    double[] cpu = new double[options.timed()];
    double[] wall = new double[options.timed()];
    for (int i = 0; i < cpu.length; i++) {
      T in = inputs.get(i % inputs.size());
      long c0 = CPU.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      step.applyAsDouble(in);
      cpu[i] = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
      wall[i] = (System.nanoTime() - w0) / 1e6;
    }
    lastWall = middle(wall);
    return middle(cpu);
  }

  private static double middle(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private void print(String name, Object value) {
    String v = value instanceof Double x ? String.format(Locale.ROOT, "%.3f", x)
        : String.valueOf(value);
    out.println(name + "=" + v);
    out.flush();
  }
}
