package dev.ablation.samediff.train;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.GradientChatter;
import dev.ablation.samediff.SessionMemory;
import dev.ablation.samediff.model.PopulationModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adam over a {@link PopulationModel}: one gradient call for all K members (the sum of their
 * losses), then one Adam update per stacked parameter, multiplied by a per-member trainable
 * mask (1 where member k trains that parameter, 0 where it is frozen or the member has been
 * {@linkplain #retire retired}). A masked element is never written: its update is zeroed
 * (non-finite values included) before the subtraction, so it stays bit-identical. Adam is
 * element-wise, so member k's update equals what a single {@link AdamStepper} over its own
 * trainable set computes from the same gradient, learning-rate schedule included.
 *
 * <p>A member whose training loss is not finite is not updated at that step (as
 * {@link AdamStepper#tryStep} writes nothing then); its run is over and it should be retired.
 * {@link #keep} moves the members still training, with their Adam state, into a smaller
 * population.
 *
 * <p>Not thread-safe.
 */
public final class PopulationStepper implements AutoCloseable {
  private final PopulationModel model;
  private final AdamSettings settings;
  private final List<String> stacked = new ArrayList<>();
  private final Map<String, AdamUpdater> updaters = new LinkedHashMap<>();
  /** Each updater's state view [1, 2·length] (first moments, then second), per parameter. */
  private final Map<String, INDArray> states = new LinkedHashMap<>();
  private final Map<String, INDArray> masks = new LinkedHashMap<>();
  private final boolean[] retired;
  private final StepArena arena = new StepArena();
  private long steps;

  /**
   * @param model the population
   * @param trainable per member, the reference variable names it trains (its freeze policy
   *     resolved); a name no member trains takes no gradient at all
   * @param settings Adam's hyper-parameters (shared by every member)
   * @throws IllegalArgumentException for a count of sets other than K, or a name that is not
   *     a parameter of the population
   */
  public PopulationStepper(PopulationModel model, List<? extends Collection<String>> trainable,
      AdamSettings settings) {
    int k = model.members();
    if (trainable.size() != k) {
      throw new IllegalArgumentException("need one trainable set per member (" + k + "), got "
          + trainable.size());
    }
    for (int m = 0; m < k; m++) {
      for (String name : trainable.get(m)) {
        if (!model.parameterVariables().contains(name)) {
          throw new IllegalArgumentException("member " + m + " trains '" + name + "', which is "
              + "not a parameter; parameters: " + model.parameterVariables());
        }
      }
    }
    this.model = model;
    this.settings = settings;
    this.retired = new boolean[k];
    for (String name : model.parameterVariables()) {
      INDArray param = model.graph().getVariable(name).getArr();
      INDArray mask = Nd4j.zeros(param.dataType(), param.shape());
      boolean any = false;
      for (int m = 0; m < k; m++) {
        if (trainable.get(m).contains(name)) {
          mask.slice(m).assign(1);
          any = true;
        }
      }
      if (any) {
        add(name, mask, Nd4j.zeros(param.dataType(), 1, 2 * param.length()), true);
      }
    }
  }

  private PopulationStepper(PopulationModel model, AdamSettings settings, long steps) {
    this.model = model;
    this.settings = settings;
    this.retired = new boolean[model.members()];
    this.steps = steps;
  }

  private void add(String name, INDArray mask, INDArray state, boolean initialise) {
    INDArray param = model.graph().getVariable(name).getArr();
    Adam adam = new Adam(settings.learningRate(), settings.beta1(), settings.beta2(),
        settings.epsilon());
    if (!settings.schedule().equals(LrSchedule.constant())) {
      // the rate at the iteration passed, exactly as AdamStepper's
      adam.setLearningRateSchedule(new RateSchedule(settings));
    }
    AdamUpdater u = new AdamUpdater(adam);
    u.setStateViewArray(state, param.shape(), 'c', initialise);
    stacked.add(name);
    masks.put(name, mask);
    states.put(name, state);
    updaters.put(name, u);
  }

  /** {@link AdamSettings#rateAt} as ND4J's schedule. */
  private record RateSchedule(AdamSettings settings)
      implements org.nd4j.linalg.schedule.ISchedule {
    @Override
    public double valueAt(int iteration, int epoch) {
      return settings.rateAt(iteration);
    }

    @Override
    public org.nd4j.linalg.schedule.ISchedule clone() {
      return this;
    }
  }

  /** The population this stepper trains. */
  public PopulationModel model() {
    return model;
  }

  /** Steps taken so far (the iteration Adam's bias correction and the schedule read). */
  public long steps() {
    return steps;
  }

  /** Stops updating member {@code k} (its verdict is decided); its parameters stay as they are. */
  public void retire(int k) {
    retired[k] = true;
    for (INDArray mask : masks.values()) {
      mask.slice(k).assign(0);
    }
  }

  /** The members retired so far. */
  public Set<Integer> retired() {
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < retired.length; i++) {
      if (retired[i]) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * A stepper over a new population of the members {@code keep} (indices into this one, in
   * the new order), carrying their current parameters, trainable masks, Adam moments and the
   * step count: stepping it continues exactly where these members are. This stepper must not
   * be used afterwards for them.
   *
   * @throws IllegalArgumentException for no member, a bad index, or a retired one
   */
  public PopulationStepper keep(List<Integer> keep) {
    if (keep.isEmpty()) {
      throw new IllegalArgumentException("keep at least one member");
    }
    for (int k : keep) {
      if (k < 0 || k >= retired.length || retired[k]) {
        throw new IllegalArgumentException("member " + k + " cannot be kept: members 0.."
            + (retired.length - 1) + ", retired " + retired());
      }
    }
    List<Map<String, INDArray>> weights = new ArrayList<>();
    for (int k : keep) {
      weights.add(model.memberWeights(k));
    }
    PopulationModel smaller = PopulationModel.stack(model.reference(), weights);
    PopulationStepper next = new PopulationStepper(smaller, settings, steps);
    for (String name : stacked) {
      INDArray mask = masks.get(name);
      INDArray state = states.get(name);
      long per = mask.length() / retired.length;
      INDArray moments = state.reshape('c', 2, retired.length, per);
      INDArray[] maskRows = new INDArray[keep.size()];
      INDArray[] stateRows = new INDArray[keep.size()];
      for (int i = 0; i < keep.size(); i++) {
        maskRows[i] = mask.slice(keep.get(i)).dup();
        stateRows[i] = moments.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.point(keep.get(i)),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).reshape('c', 2, 1, per);
      }
      INDArray newMask = Nd4j.stack(0, maskRows);
      if (newMask.sumNumber().doubleValue() == 0) {
        continue; // no kept member trains it
      }
      INDArray newState = Nd4j.concat(1, stateRows).reshape('c', 1, 2L * keep.size() * per).dup();
      next.add(name, newMask, newState, false);
    }
    return next;
  }

  /**
   * Frees this stepper's native memory now (its arena's op outputs, the Adam state, the masks
   * and the cached arrays of the population graph's sessions); the population's parameters are
   * the model's and stay. A stepper made by {@link #keep} owns copies and its own graph, so
   * closing the one it came from is safe.
   */
  @Override
  public void close() {
    arena.close();
    SessionMemory.release(model.graph());
    for (INDArray a : states.values()) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    for (INDArray a : masks.values()) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    states.clear();
    masks.clear();
    updaters.clear();
  }

  /**
   * One step of every member on its batch (a retired member needs a batch of the same size
   * too; it is computed and discarded).
   *
   * @return each member's training loss before the update
   */
  public double[] step(List<Batch> batches) {
    var sd = model.graph();
    GradientChatter.buildGradientFunction(sd); // once per trainable set, without the chatter
    Map<String, INDArray> placeholders = model.placeholders(batches);
    // op outputs reuse the previous step's arrays, as in AdamStepper (fresh native buffers of
    // K members' activations per op otherwise)
    OutAndGrad og = arena.run(sd.getFunction("grad"), () -> sd.calculateGradientsAndOutputs(
        placeholders, List.of(PopulationModel.MEMBER_LOSS), stacked));
    double[] losses = og.getOutputs().get(PopulationModel.MEMBER_LOSS)
        .castTo(DataType.DOUBLE).toDoubleVector();
    List<Integer> skipped = new ArrayList<>();
    for (int m = 0; m < losses.length; m++) {
      if (!retired[m] && !Double.isFinite(losses[m])) {
        skipped.add(m); // as AdamStepper.tryStep: a non-finite loss writes nothing
      }
    }
    int iteration = Math.toIntExact(steps);
    for (String name : stacked) {
      INDArray param = sd.getVariable(name).getArr();
      INDArray update = og.getGradients().get(name).reshape(param.shape());
      updaters.get(name).applyUpdater(update, iteration, 0);
      // a frozen or retired element gets exactly 0 (NaN·0 would be NaN)
      BooleanIndexing.replaceWhere(update, 0.0, Conditions.isNan());
      BooleanIndexing.replaceWhere(update, 0.0, Conditions.isInfinite());
      update.muli(masks.get(name));
      for (int m : skipped) {
        update.slice(m).assign(0);
      }
      param.subi(update);
    }
    steps++;
    return losses;
  }
}
