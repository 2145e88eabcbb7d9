package dev.ablation.samediff.train;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.model.PopulationModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * <b>Prototype, not used by the study.</b> Adam over a {@link PopulationModel}: one gradient
 * call for all K members (the sum of their losses), then one Adam update per stacked
 * parameter, multiplied by a per-member trainable mask (1 where member k trains that
 * parameter, 0 where it is frozen or the member has been {@linkplain #retire retired}). A
 * masked element is never written: its update is zeroed (non-finite values included) before
 * the subtraction, so it stays bit-identical. Adam is element-wise, so member k's update equals
 * what a single stepper over its own trainable set computes from the same gradient.
 *
 * <p>Not thread-safe.
 */
public final class PopulationStepper {
  private final PopulationModel model;
  private final List<String> stacked = new ArrayList<>();
  private final Map<String, AdamUpdater> updaters = new LinkedHashMap<>();
  private final Map<String, INDArray> masks = new LinkedHashMap<>();
  private final boolean[] retired;
  private final StepArena arena = new StepArena();
  private long steps;

  /**
   * @param model the population
   * @param trainable per member, the reference variable names it trains (its freeze policy
   *     resolved); a name no member trains takes no gradient at all
   * @param settings Adam's hyper-parameters (shared by every member)
   */
  public PopulationStepper(PopulationModel model, List<? extends Collection<String>> trainable,
      AdamSettings settings) {
    int k = model.members();
    if (trainable.size() != k) {
      throw new IllegalArgumentException("need one trainable set per member (" + k + "), got "
          + trainable.size());
    }
    this.model = model;
    this.retired = new boolean[k];
    Adam adam = new Adam(settings.learningRate(), settings.beta1(), settings.beta2(),
        settings.epsilon());
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
      if (!any) {
        continue;
      }
      stacked.add(name);
      masks.put(name, mask);
      AdamUpdater u = new AdamUpdater(adam);
      u.setStateViewArray(Nd4j.zeros(param.dataType(), 1, 2 * param.length()), param.shape(),
          'c', true);
      updaters.put(name, u);
    }
    for (int m = 0; m < k; m++) {
      for (String name : trainable.get(m)) {
        if (!model.parameterVariables().contains(name)) {
          throw new IllegalArgumentException("member " + m + " trains '" + name + "', which is "
              + "not a parameter; parameters: " + model.parameterVariables());
        }
      }
    }
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
    Set<Integer> out = new java.util.TreeSet<>();
    for (int i = 0; i < retired.length; i++) {
      if (retired[i]) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * One step of every member on its batch.
   *
   * @return each member's training loss before the update
   */
  public double[] step(List<Batch> batches) {
    var sd = model.graph();
    if (sd.getFunction("grad") == null) {
      sd.createGradFunction();
    }
    Map<String, INDArray> placeholders = model.placeholders(batches);
    // op outputs reuse the previous step's arrays, as in AdamStepper (fresh native buffers of
    // K members' activations per op otherwise)
    OutAndGrad og = arena.run(sd.getFunction("grad"), () -> sd.calculateGradientsAndOutputs(
        placeholders, List.of(PopulationModel.MEMBER_LOSS), stacked));
    double[] losses = og.getOutputs().get(PopulationModel.MEMBER_LOSS)
        .castTo(DataType.DOUBLE).toDoubleVector();
    int iteration = Math.toIntExact(steps);
    for (String name : stacked) {
      INDArray param = sd.getVariable(name).getArr();
      INDArray update = og.getGradients().get(name).reshape(param.shape());
      updaters.get(name).applyUpdater(update, iteration, 0);
      // a frozen or retired element gets exactly 0 (NaN·0 would be NaN)
      BooleanIndexing.replaceWhere(update, 0.0, Conditions.isNan());
      BooleanIndexing.replaceWhere(update, 0.0, Conditions.isInfinite());
      param.subi(update.muli(masks.get(name)));
    }
    steps++;
    return losses;
  }
}
