package dev.ablation.cli.bench;

import dev.ablation.api.FreezePolicy;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.NativeMemory;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.model.PopulationModel;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.samediff.recovery.PopulationRecovery;
import dev.ablation.samediff.train.RecoveryStepper;
import com.google.common.collect.Iterators;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.LrSchedule;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import dev.ablation.samediff.train.PopulationStepper;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.WipeTarget;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The step and population figures, printed by {@code ablation.jar bench} after
 * {@link Bench}'s: per configuration the ops a training step runs (forward and gradient graph)
 * and its median thread CPU time ({@code full_step_cpu_ms}: what the step costs however busy
 * the machine is, with {@code OMP_NUM_THREADS=1}, where ops run on the calling thread); then
 * the population prototype: {@code population_K<k>_over_single}, K single recovery steps'
 * time (each member's own wiped block, {@code onlyWiped}, the way the study runs them — the
 * fast path where it applies) over one population step of the same K members, in CPU time, and
 * {@code _wall} the same in wall time. Members wipe blocks {@code 0, 1, …, N−1, 0, …} in turn;
 * {@code population_K<k>_L<l>} is a population whose members all wipe block l (the grouping a
 * study could use: the gradient then stops at l for every member).
 * {@code population_K<k>_over_fastpath} is the comparison the study faces (see
 * {@code fastPath}), with the cost of members leaving the batch beside it.
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
    double cpu;
    try (AdamStepper full = new AdamStepper(m.model(), m.parameterVariables(), adam)) {
      cpu = median(batches, full::step);
    }
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
      fastPath(shape, k);
      recoveries(shape, k);
      // a population step holds K members' op outputs (gigabytes at K=8, N=4/D=64): what the
      // process keeps resident once its steppers are closed and freed memory is handed back
      NativeMemory.trim();
      print(p + "population_K" + k + "_rss_mb_after", Bench.rssMb());
    }
  }

  /**
   * {@code population_K<k>_recovery_over_fastpath}: whole recoveries, evaluations included —
   * K {@link Recovery#run(java.util.Iterator, List)}s one after another (the study's path: the fast path where
   * the policy allows, each run a fresh stepper and cache) against one
   * {@link PopulationRecovery} of the same K members (rebuilt at half). Members: the default
   * preset's runs of one original (targets × schemes × policies, cycled to K) on a briefly
   * trained original (8 × (warm-up + timed) steps), each its own training order, a dense
   * evaluation schedule every 4 steps on one validation batch of 8 × batch strings, a budget
   * of warm-up + timed steps and a target no run meets (so every member runs the whole budget
   * both ways). Thread CPU time of the calling thread, both totals printed.
   */
  private void recoveries(Bench.Shape shape, int k) {
    String p = shape.prefix() + ".population_K" + k;
    TransformerConfig c = shape.config();
    ReferenceModel m = ReferenceModel.build(c);
    java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> theta0 = m.weights();
    int budget = options.warmup() + options.timed();
    List<Batch> train = freshBatches(m, 7, budget);
    try (AdamStepper trainer = new AdamStepper(m.model(), m.parameterVariables(),
        AdamSettings.of(3e-3))) {
      for (int i = 0; i < 8 * budget; i++) {
        trainer.step(train.get(i % train.size()));
      }
    }
    List<Batch> validation = ReferenceBatches.of(m).batches(new MarkovChain(c.vocab(), 2, 2.0, 1)
        .sample(options.batch() * 8, c.context() + 1, 99), options.batch() * 8);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(m.model(), theta0);
    WeightSnapshot trained = surgeon.snapshot();
    RecoverySettings settings = RecoverySettings.of(
        dev.ablation.api.recovery.RecoveryCriterion.damageRecovered(0.9999),
        dev.ablation.api.recovery.TrainingBudget.ofSteps(budget),
        dev.ablation.api.recovery.ReferenceCost.of(options.batch() * 8L * budget, 1,
            c.context()),
        dev.ablation.api.recovery.EvaluationSchedule.dense(4));
    AdamSettings adam = AdamSettings.of(3e-3).withSchedule(LrSchedule.warmup(8));
    StudyPlan plan = Presets.DEFAULT.plan();
    List<Recovery> mix = new ArrayList<>();
    for (WipeTarget t : plan.targets(new ModelSpec(Architecture.DECODER_ONLY, c.nLayers(), c.dModel(),
        c.nHeads()))) {
      for (var scheme : plan.schemes()) {
        for (FreezePolicy policy : plan.policies()) {
          mix.add(Recovery.builder(surgeon).wipe(t.layers(), scheme).freeze(policy)
              .seed(1 + mix.size()).target(settings.criterion(), settings.reference())
              .budget(settings.budget()).evaluate(settings.schedule()).optimiser(adam).build());
        }
      }
    }
    List<List<Batch>> orders = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      orders.add(freshBatches(m, 200 + i, budget));
    }
    long c0 = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < k; i++) {
      mix.get(i % mix.size()).run(Iterators.cycle(orders.get(i)), validation);
      surgeon.restore(trained);
    }
    double singles = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
    List<PopulationRecovery.Member> members = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      members.add(new PopulationRecovery.Member(mix.get(i % mix.size()),
          Iterators.cycle(orders.get(i))));
    }
    c0 = CPU.getCurrentThreadCpuTime();
    Recovery.runTogether(m, members, validation, PopulationRecovery.Shrink.AT_HALF,
        (member, result) -> { });
    double population = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
    print(p + "_recovery_fastpath_cpu_s", singles);
    print(p + "_recovery_population_cpu_s", population);
    print(p + "_recovery_over_fastpath", singles / population);
  }

  /**
   * {@code population_K<k>_over_fastpath}: the comparison the study faces. Members are the
   * default preset's runs of one original of this shape (its wipe targets × policies, in plan
   * order, cycled to K), all wiping the same model as a study worker does; each single member
   * is a fresh {@link RecoveryStepper} (the fast path where its policy allows) stepping through
   * batches it has not seen, as a recovery's first pass over its data does (the fast path's
   * activation cache is filled on a batch's first visit, and that is timed), against one
   * population step over the same K members' fresh batches. Then the cost of members leaving:
   * the K-member step with half of them retired (masked, still computed), the rebuild to the
   * K/2 still training ({@link PopulationStepper#keep}, with its first step: gradient-graph
   * creation), and the K/2-member step after it.
   */
  private void fastPath(Bench.Shape shape, int k) {
    String p = shape.prefix() + ".population_K" + k;
    TransformerConfig c = shape.config();
    AdamSettings adam = AdamSettings.of(1e-3);
    ReferenceModel m = ReferenceModel.build(c);
    StudyPlan plan = Presets.DEFAULT.plan();
    List<List<String>> mix = new ArrayList<>();
    for (WipeTarget t : plan.targets(new ModelSpec(Architecture.DECODER_ONLY, c.nLayers(), c.dModel(),
        c.nHeads()))) {
      for (FreezePolicy policy : plan.policies()) {
        List<String> names = new ArrayList<>();
        for (ParameterPath q : policy.resolve(m.layers().layout(), t.layers(), 0)) {
          names.add(m.layers().variable(q));
        }
        mix.add(names);
      }
    }
    int n = options.warmup() + options.timed();
    List<List<String>> trainable = new ArrayList<>();
    List<List<Batch>> data = new ArrayList<>();
    List<java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray>> weights = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      trainable.add(mix.get(i % mix.size()));
      data.add(freshBatches(m, 100 + i, n));
      weights.add(m.weights());
    }
    double singleCpu = 0;
    for (int i = 0; i < k; i++) {
      try (RecoveryStepper single = RecoveryStepper.create(m.model(), trainable.get(i), adam)) {
        singleCpu += median(data.get(i), single::tryStep);
      }
    }
    PopulationStepper stepper = new PopulationStepper(PopulationModel.stack(m, weights),
        trainable, adam);
    PopulationStepper smaller;
    int half = k / 2;
    long w0;
    try {
      List<List<Batch>> rounds = rounds(data, 0, n);
      double popCpu = median(rounds, r -> stepper.step(r)[0]);
      print(p + "_fastpath_steps_cpu_ms", singleCpu);
      print(p + "_over_fastpath", singleCpu / popCpu);
      if (k < 2) {
        return;
      }
      for (int i = half; i < k; i++) {
        stepper.retire(i);
      }
      print(p + "_half_retired_step_cpu_ms", median(rounds, r -> stepper.step(r)[0]));
      List<Integer> keep = new ArrayList<>();
      for (int i = 0; i < half; i++) {
        keep.add(i);
      }
      w0 = System.nanoTime();
      smaller = stepper.keep(keep);
    } finally {
      // as PopulationRecovery does: the K-member arena goes before the smaller one fills (a K=8
      // step at N=4/D=64 holds gigabytes of op outputs; both at once exceeded -Xmx1g's
      // physical-bytes limit)
      stepper.close();
    }
    try (smaller) {
      List<List<Batch>> halfRounds = rounds(data.subList(0, half), 0, n);
      smaller.step(halfRounds.get(0));
      print(p + "_rebuild_to_K" + half + "_ms", (System.nanoTime() - w0) / 1e6);
      print(p + "_rebuilt_K" + half + "_step_cpu_ms",
          median(halfRounds, r -> smaller.step(r)[0]));
    }
  }

  private static List<List<Batch>> rounds(List<List<Batch>> data, int from, int to) {
    List<List<Batch>> rounds = new ArrayList<>();
    for (int b = from; b < to; b++) {
      List<Batch> round = new ArrayList<>();
      for (List<Batch> d : data) {
        round.add(d.get(b));
      }
      rounds.add(round);
    }
    return rounds;
  }

  private List<Batch> freshBatches(ReferenceModel m, long seed, int count) {
    TransformerConfig c = m.config();
    List<Example> data = new MarkovChain(c.vocab(), 2, 2.0, 1 + seed)
        .sample(options.batch() * count, c.context() + 1, 2 + seed);
    return ReferenceBatches.of(m).batches(data, options.batch());
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
      try (RecoveryStepper single = RecoveryStepper.create(members.get(i).model(),
          trainable.get(i), adam)) {
        singleCpu += median(data.get(i), single::tryStep);
        singleWall += lastWall;
      }
    }
    double popCpu;
    double popWall;
    try (PopulationStepper stepper = new PopulationStepper(pop, trainable, adam)) {
      popCpu = median(rounds(data, 0, data.get(0).size()), r -> stepper.step(r)[0]);
      popWall = lastWall;
    }
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
