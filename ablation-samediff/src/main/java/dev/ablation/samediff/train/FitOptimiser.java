package dev.ablation.samediff.train;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Gives {@code sd.fit} a new optimiser that really takes effect.
 *
 * <p>SameDiff 1.0.0-M2.1's {@code setTrainingConfig} only stores the configuration: the
 * updaters {@code fit} already built (one per variable, with the old learning rate) stay, so a
 * new learning rate is silently ignored, and Adam's bias correction keeps counting from the old
 * iteration. {@link #replace} installs a new configuration with the graph's data mappings and
 * loss variables, rebuilds every variable's updater from it with zeroed state, and resets the
 * iteration and epoch counts: the next {@code fit} step is the first step of a fresh Adam.
 *
 * <p>The new configuration carries no regularisation (no L1/L2, no weight decay), whatever the
 * old one had: the recovery question is about plain retraining, and a frozen parameter must
 * stay bit-identical.
 */
public final class FitOptimiser {
  private FitOptimiser() {}

  /**
   * Installs Adam with {@code adam}'s settings as {@code sd.fit}'s optimiser, fresh.
   *
   * @param features the placeholders a {@code MultiDataSet}'s feature arrays feed, in order
   * @param labels the placeholders its label arrays feed, in order
   * @throws IllegalArgumentException if a mapping names something that is not a placeholder of
   *     the graph, or {@code features} is empty
   */
  public static void replace(SameDiff sd, AdamSettings adam, List<String> features,
      List<String> labels) {
    Objects.requireNonNull(sd, "sd");
    Objects.requireNonNull(adam, "adam");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (features.isEmpty()) {
      throw new IllegalArgumentException("sd.fit needs at least one feature placeholder; the"
          + " graph's placeholders are " + placeholders(sd));
    }
    for (String name : concat(features, labels)) {
      if (!sd.hasVariable(name) || !sd.getVariable(name).isPlaceHolder()) {
        throw new IllegalArgumentException("'" + name + "' is not a placeholder of the graph;"
            + " its placeholders are " + placeholders(sd));
      }
    }
    TrainingConfig.Builder b = TrainingConfig.builder()
        .updater(new Adam(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon()))
        .dataSetFeatureMapping(features);
    if (labels.isEmpty()) {
      b.markLabelsUnused();
    } else {
      b.dataSetLabelMapping(labels);
    }
    TrainingConfig old = sd.getTrainingConfig();
    if (old != null && old.getDataSetFeatureMaskMapping() != null) {
      b.dataSetFeatureMaskMapping(old.getDataSetFeatureMaskMapping());
    }
    if (old != null && old.getDataSetLabelMaskMapping() != null) {
      b.dataSetLabelMaskMapping(old.getDataSetLabelMaskMapping());
    }
    TrainingConfig config = b.build();
    sd.setTrainingConfig(config);
    rebuildUpdaters(sd, config.getUpdater());
  }

  /** As {@link #replace(SameDiff, AdamSettings, List, List)}, keeping the graph's mappings. */
  public static void replace(SameDiff sd, AdamSettings adam) {
    TrainingConfig old = requireConfig(sd);
    replace(sd, adam, old.getDataSetFeatureMapping(),
        old.getDataSetLabelMapping() == null ? List.of() : old.getDataSetLabelMapping());
  }

  /**
   * The graph's training configuration.
   *
   * @throws IllegalStateException naming the remedy when it has none
   */
  public static TrainingConfig requireConfig(SameDiff sd) {
    TrainingConfig old = sd.getTrainingConfig();
    if (old == null || old.getDataSetFeatureMapping() == null
        || old.getDataSetFeatureMapping().isEmpty()) {
      throw new IllegalStateException("the graph has no TrainingConfig with a feature mapping,"
          + " so sd.fit cannot know which placeholders a MultiDataSet feeds: call"
          + " sd.setTrainingConfig(TrainingConfig.builder().dataSetFeatureMapping(...)"
          + ".dataSetLabelMapping(...)...) first, or name them with"
          + " RecoveryBuilder.fitMapping(features, labels); the graph's placeholders are "
          + placeholders(sd));
    }
    return old;
  }

  /**
   * Replaces each variable's updater by a new one of {@code updater}, state zeroed, and resets
   * the iteration and epoch counts. Before {@code fit}'s first step the graph builds them itself
   * from the configuration, so nothing is done then.
   */
  @SuppressWarnings({"rawtypes", "unchecked"}) // M2.1 exposes the updater map with a raw type
  private static void rebuildUpdaters(SameDiff sd, IUpdater updater) {
    TrainingConfig tc = sd.getTrainingConfig();
    tc.setIterationCount(0);
    tc.setEpochCount(0);
    Map<String, GradientUpdater> map = sd.getUpdaterMap();
    if (map == null) {
      return;
    }
    map.clear();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() != VariableType.VARIABLE || !v.dataType().isFPType()) {
        continue;
      }
      INDArray arr = v.getArr();
      long n = updater.stateSize(arr.length());
      INDArray view = n > 0 ? Nd4j.zeros(arr.dataType(), 1, n) : null;
      GradientUpdater u = updater.instantiate(view, true);
      u.setStateViewArray(view, arr.shape(), arr.ordering(), true);
      map.put(v.name(), u);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  private static List<String> placeholders(SameDiff sd) {
    return sd.variables().stream().filter(SDVariable::isPlaceHolder).map(SDVariable::name)
        .toList();
  }
}
