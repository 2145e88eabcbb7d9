package dev.ablation.samediff.train;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.GradientChatter;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * One optimiser over an explicit set of trainable variables: each {@link #step(Batch)} computes
 * the loss and the gradients of exactly those variables
 * ({@code calculateGradientsAndOutputs}) and applies Adam with bias correction, one fresh ND4J
 * {@link AdamUpdater} state per variable.
 *
 * <p>Why not {@code sd.fit}: M2.1 keeps updater state and the iteration count inside the graph
 * (a new learning rate or a fresh state per trial is silently ignored) and its listeners report
 * a wrong loss. Here the state belongs to this instance, the iteration count starts at 0, and
 * freezing means leaving a name out: a variable not in the set is never written, so it stays
 * bit-identical whatever its {@link VariableType}.
 *
 * <p>The op outputs of a step reuse the arrays of the previous step (a {@link StepArena}):
 * about a quarter less time per step on average on the N=4 reference decoder, mostly from
 * garbage-collection pauses that no longer happen. Everything a step computes is
 * consumed inside it. {@code -Dablation.stepArena=false} turns this off (every op output a fresh
 * allocation, as in SameDiff's own {@code calculateGradients}): for a benchmark's before figure,
 * and as an escape hatch.
 *
 * <p>Not thread-safe; one stepper per training run.
 */
public final class AdamStepper implements AutoCloseable {
  /** See the class comment: {@code -Dablation.stepArena=false} turns the arena off. */
  private static final boolean STEP_ARENA =
      !"false".equalsIgnoreCase(System.getProperty("ablation.stepArena", "true"));

  private final SameDiff sd;
  private final String loss;
  private final List<String> trainable;
  private final AdamSettings settings;
  private final Map<String, AdamUpdater> updaters = new LinkedHashMap<>();
  private final List<INDArray> states = new ArrayList<>();
  private final StepArena arena = new StepArena();
  private long steps;
  private boolean closed;
  private long parameterCount = -1;
  private long examples;
  private long tokens;

  /**
   * A stepper with fresh Adam state.
   *
   * @param model the graph and its scalar loss
   * @param trainableVariables the SameDiff variable names to update; every one must be a
   *     {@link VariableType#VARIABLE} of the graph
   * @param settings Adam's hyper-parameters
   * @throws IllegalArgumentException if the set is empty or names something that is not a
   *     trainable variable (all such names are listed)
   */
  public AdamStepper(SameDiffModel model, Collection<String> trainableVariables,
      AdamSettings settings) {
    if (model == null || trainableVariables == null || settings == null) {
      throw new IllegalArgumentException("model, trainable variables and settings are required");
    }
    this.sd = model.graph();
    this.loss = model.lossVariable();
    this.settings = settings;
    this.trainable = ImmutableList.copyOf(ImmutableSet.copyOf(trainableVariables));
    if (trainable.isEmpty()) {
      throw new IllegalArgumentException("nothing to train: the set of trainable variables is "
          + "empty");
    }
    List<String> bad = new ArrayList<>();
    for (String name : trainable) {
      if (!sd.hasVariable(name)) {
        bad.add("'" + name + "' is not in the graph");
      } else if (sd.getVariable(name).getVariableType() != VariableType.VARIABLE) {
        bad.add("'" + name + "' is a " + sd.getVariable(name).getVariableType()
            + ", not a trainable VARIABLE");
      }
    }
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException("cannot train " + bad + "; trainable variables of the "
          + "graph: " + trainableVariablesOf(sd) + ". A parameter held as a constant (an"
          + " imported graph, or one frozen with convertToConstants) must be made trainable"
          + " first: SameDiffSurgeon.setTrainable(...) or unfreezeAll() over a LayerMap built"
          + " with includeConstants()");
    }
    // The gradient function is built against the graph's declared loss.
    sd.setLossVariables(loss);
    Adam adam = new Adam(settings.learningRate(), settings.beta1(), settings.beta2(),
        settings.epsilon());
    if (!settings.schedule().equals(LrSchedule.constant())) {
      // ND4J's Adam asks the schedule for the rate at the iteration this stepper passes
      adam.setLearningRateSchedule(new Schedule(settings));
    }
    for (String name : trainable) {
      INDArray param = sd.getVariable(name).getArr();
      AdamUpdater u = new AdamUpdater(adam);
      INDArray state = Nd4j.zeros(param.dataType(), 1, 2 * param.length());
      u.setStateViewArray(state, param.shape(), 'c', true);
      states.add(state);
      updaters.put(name, u);
    }
  }

  /**
   * A stepper with fresh Adam state over the surgeon's trainable set, the one record of what
   * trains (see {@link SameDiffSurgeon}): a change of the set needs a new stepper.
   */
  public static AdamStepper over(SameDiffSurgeon surgeon, AdamSettings settings) {
    return new AdamStepper(surgeon.model(), surgeon.trainableVariables(), settings);
  }

  /** {@link AdamSettings#rateAt} as ND4J's schedule. */
  private record Schedule(AdamSettings settings) implements org.nd4j.linalg.schedule.ISchedule {
    @Override
    public double valueAt(int iteration, int epoch) {
      return settings.rateAt(iteration);
    }

    @Override
    public org.nd4j.linalg.schedule.ISchedule clone() {
      return this;
    }
  }

  /** The trainable variables of {@code sd}, in graph order: a convenience for "train all". */
  public static List<String> trainableVariablesOf(SameDiff sd) {
    List<String> names = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        names.add(v.name());
      }
    }
    return names;
  }

  /**
   * One Adam step on {@code batch}.
   *
   * @return the training loss on the batch before the update (nats per predicted token)
   * @throws IllegalStateException if the loss is not finite (the weights are then left as they
   *     were before the step) or a trainable variable gets no gradient
   */
  public double step(Batch batch) {
    double value = tryStep(batch);
    if (!Double.isFinite(value)) {
      throw new IllegalStateException("training loss is " + value + " at step " + steps);
    }
    return value;
  }

  /**
   * One Adam step on {@code batch}, unless the loss is not finite: then nothing is written and
   * the non-finite loss is returned, so a recovery loop can end the run as diverged without an
   * exception.
   *
   * @return the training loss on the batch before the update
   * @throws IllegalStateException if a trainable variable gets no gradient
   */
  public double tryStep(Batch batch) {
    if (closed) {
      throw new IllegalStateException("this stepper was closed after " + steps + " steps; make a"
          + " new one to train again");
    }
    GradientChatter.buildGradientFunction(sd); // once per trainable set, without the chatter
    // the gradient function's op outputs live in the arena; all of them are consumed (the loss
    // read, the gradients turned into updates) before the next step reuses them
    OutAndGrad og = STEP_ARENA
        ? arena.run(sd.getFunction("grad"), () -> sd.calculateGradientsAndOutputs(
            batch.placeholders(), List.of(loss), trainable))
        : sd.calculateGradientsAndOutputs(batch.placeholders(), List.of(loss), trainable);
    double value = og.getOutputs().get(loss).getDouble(0);
    if (!Double.isFinite(value)) {
      return value;
    }
    Map<String, INDArray> grads = og.getGradients();
    for (String name : trainable) {
      INDArray g = grads.get(name);
      if (g == null) {
        throw new IllegalStateException("no gradient for '" + name + "': it does not influence "
            + "the loss '" + loss + "'");
      }
    }
    int iteration = Math.toIntExact(steps);
    for (String name : trainable) {
      INDArray param = sd.getVariable(name).getArr();
      // applyUpdater turns the gradient into the update, in place; the gradient arrays are
      // ours (fresh per call), so this writes nothing of the graph's.
      INDArray update = grads.get(name).reshape(param.shape());
      updaters.get(name).applyUpdater(update, iteration, 0);
      param.subi(update);
    }
    steps++;
    examples += batch.examples();
    tokens += batch.tokens();
    return value;
  }

  /**
   * Frees this stepper's native memory now: the op outputs its arena holds and the Adam state.
   * Nothing of the graph is touched (parameters belong to the model). The stepper cannot step
   * after this. Why explicit: these arrays are off-heap; left to the garbage collector they
   * outlive their run by minutes, and a study's resident memory grows by each run's arena.
   */
  @Override
  public void close() {
    closed = true;
    arena.close();
    for (INDArray s : states) {
      if (!s.wasClosed() && s.closeable()) {
        s.close();
      }
    }
    states.clear();
    updaters.clear();
  }

  /**
   * A copy of the Adam state (both moments, as ND4J lays them out) of each trainable variable,
   * by name in the order given. With {@link #steps()}, {@link #examples()} and
   * {@link #tokens()} it is everything {@link #resume} needs to go on exactly where this stepper
   * is: a checkpoint of a long training run.
   */
  public Map<String, INDArray> optimiserState() {
    requireOpen();
    Map<String, INDArray> copy = new LinkedHashMap<>();
    for (int i = 0; i < trainable.size(); i++) {
      copy.put(trainable.get(i), states.get(i).dup());
    }
    return copy;
  }

  /**
   * Continues from a checkpoint: sets the step, example and token counts and the Adam state
   * that {@link #optimiserState()} gave. The next step is then the one the saved stepper would
   * have taken (the same learning rate and bias correction), bit for bit.
   *
   * @throws IllegalStateException after the first step
   * @throws IllegalArgumentException if the state's variables or shapes are not this stepper's
   *     (both are named)
   */
  public void resume(long steps, long examples, long tokens, Map<String, INDArray> state) {
    requireOpen();
    if (this.steps != 0) {
      throw new IllegalStateException("resume before the first step; this stepper has taken "
          + this.steps);
    }
    if (steps < 0 || examples < 0 || tokens < 0) {
      throw new IllegalArgumentException("counts must be >= 0, got steps " + steps
          + ", examples " + examples + ", tokens " + tokens);
    }
    if (!state.keySet().equals(new java.util.LinkedHashSet<>(trainable))) {
      throw new IllegalArgumentException("the saved state is of " + state.keySet()
          + "; this stepper trains " + trainable);
    }
    for (int i = 0; i < trainable.size(); i++) {
      INDArray saved = state.get(trainable.get(i));
      if (saved.length() != states.get(i).length()) {
        throw new IllegalArgumentException("the saved state of '" + trainable.get(i) + "' has "
            + saved.length() + " values; this stepper's has " + states.get(i).length());
      }
    }
    for (int i = 0; i < trainable.size(); i++) {
      states.get(i).assign(state.get(trainable.get(i)).reshape(states.get(i).shape()));
    }
    this.steps = steps;
    this.examples = examples;
    this.tokens = tokens;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this stepper was closed after " + steps + " steps");
    }
  }

  /** The number of scalars in the whole graph's trainable variables (for FLOP estimates). */
  public long parameterCount() {
    if (parameterCount >= 0) {
      return parameterCount;
    }
    long n = 0;
    for (String name : trainableVariablesOf(sd)) {
      n += sd.getVariable(name).getArr().length();
    }
    parameterCount = n;
    return n;
  }

  /** Steps taken so far. */
  public long steps() {
    return steps;
  }

  /** Examples consumed so far (sum of {@link Batch#examples()}). */
  public long examples() {
    return examples;
  }

  /** Predicted tokens consumed so far (sum of {@link Batch#tokens()}). */
  public long tokens() {
    return tokens;
  }

  /** The variables this stepper updates, in the order given. */
  public List<String> trainable() {
    return trainable;
  }

  /** The hyper-parameters. */
  public AdamSettings settings() {
    return settings;
  }

  /** The names this stepper leaves untouched among the graph's trainable variables. */
  public Set<String> untouched() {
    Set<String> all = new java.util.LinkedHashSet<>(trainableVariablesOf(sd));
    all.removeAll(trainable);
    return all;
  }
}
