package dev.ablation.samediff.surgery;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedSet;
import dev.ablation.api.LayerInfo;
import dev.ablation.api.LayerPath;
import dev.ablation.api.LayerSurgeon;
import dev.ablation.api.ModelLayout;
import dev.ablation.api.NothingTrainableException;
import dev.ablation.api.ParameterInfo;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.Surgery;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.ParameterSpec;
import dev.ablation.samediff.SameDiffModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * {@link LayerSurgeon} on any SameDiff graph with a {@link LayerMap}: our reference models or
 * the user's own, inside the user's own training code.
 *
 * <p>Everything happens on the graph itself, in place:
 * <ul>
 *   <li><b>wipe</b> writes new values into the existing arrays ({@code getArr().assign}), never
 *       replacing them, so that {@code sd.fit} and {@code sd.output} keep reading the same
 *       arrays. The randomness of each parameter derives from the seed and the parameter's path
 *       only ({@link dev.ablation.api.recovery.Seeds#parameter}), so a wipe is reproducible whatever
 *       else the model contains. Give it a seed of its own stream
 *       ({@link dev.ablation.api.recovery.Seeds#wipe()}): with θ₀'s seed a FRESH wipe would draw θ₀.
 *   <li><b>freeze</b> sets the surgeon's trainable set: one explicit set of parameters, the
 *       only record of what trains. Our own loops read it ({@code AdamStepper.over(surgeon, …)},
 *       {@code RecoveryStepper.create(surgeon, …)}, {@code RecoveryLoop}) and never write a
 *       parameter outside it; the graph is not changed, so no gradient graph is rebuilt. The
 *       {@code sd.fit} route calls {@link #materializeForFit()}, which alone turns the frozen
 *       parameters into SameDiff constants ({@code convertToConstants}: no gradient, no update,
 *       no weight decay inside {@code fit}); from then on every change of the set is applied to
 *       the graph too.
 *   <li><b>snapshot/restore</b> copy values bit-exactly, with the trainable set.
 * </ul>
 *
 * <p><b>Optimiser state.</b> Once the graph is materialised for {@code sd.fit}, every
 * {@link #setTrainable} call (hence every freeze, unfreeze and restore that changes the set)
 * leaves the graph's own optimiser fresh: {@code sd.fit}'s
 * updater state is zeroed and its iteration and epoch counts reset to 0, so Adam's moments and
 * bias correction start anew for the trainable set. A training loop that keeps its own
 * optimiser (one updater per parameter, as the recovery loop does) must likewise start a new
 * one over {@link #trainableVariables()} after every change: state carried over from before the
 * change would distort the measured recovery speed.
 *
 * <p>Not thread-safe: one surgeon per graph, used from one thread.
 */
public final class SameDiffSurgeon implements LayerSurgeon {
  private final SameDiffModel model;
  private final SameDiff sd;
  private final LayerMap map;
  private final ModelLayout layout;
  private final Optional<ArraySnapshot> initial;
  /** The trainable set: the one source of truth of what trains. */
  private Set<ParameterPath> trainable;
  /** Whether the graph's variable types mirror {@link #trainable} (the sd.fit route asked). */
  private boolean materialized;
  /** The wipes the weights carry now (see {@link #pendingWipes()}). */
  private List<Surgery> wipes = List.of();

  private SameDiffSurgeon(SameDiffModel model, ArraySnapshot initial) {
    this.model = model;
    this.sd = model.graph();
    this.map = model.layers();
    this.layout = map.layout();
    this.initial = Optional.ofNullable(initial);
    // a graph that arrives with constant parameters (imported weights, an earlier freeze) starts
    // with those frozen, and its types already mirror the set
    Set<ParameterPath> t = new TreeSet<>();
    for (ParameterSpec s : map.parameters()) {
      if (sd.getVariable(s.variable()).getVariableType() == VariableType.VARIABLE) {
        t.add(s.path());
      } else {
        materialized = true;
      }
    }
    this.trainable = ImmutableSortedSet.copyOf(t);
  }

  /** A surgeon without θ₀: every scheme but {@code RESTORE_INITIAL} works. */
  public static SameDiffSurgeon of(SameDiffModel model) {
    Objects.requireNonNull(model, "model");
    return new SameDiffSurgeon(model, null);
  }

  /**
   * A surgeon that can {@code RESTORE_INITIAL} to {@code initialWeights}, a snapshot taken
   * (by a surgeon over the same layout) before training.
   *
   * @throws IllegalArgumentException if the snapshot is of another layout
   */
  public static SameDiffSurgeon of(SameDiffModel model, WeightSnapshot initialWeights) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(initialWeights, "initialWeights");
    SameDiffSurgeon s = new SameDiffSurgeon(model, null);
    return new SameDiffSurgeon(model, s.compatible(initialWeights, "initial weights"));
  }

  /**
   * A surgeon that can {@code RESTORE_INITIAL} to {@code initialByVariable}: θ₀ by SameDiff
   * variable name, e.g. {@code ReferenceModel.weights()} taken right after building.
   *
   * @throws IllegalArgumentException listing every parameter variable that is missing or has
   *     another shape or data type
   */
  public static SameDiffSurgeon of(SameDiffModel model, Map<String, INDArray> initialByVariable) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(initialByVariable, "initialByVariable");
    SameDiffSurgeon s = new SameDiffSurgeon(model, null);
    List<String> problems = new ArrayList<>();
    Map<ParameterPath, INDArray> arrays = new LinkedHashMap<>();
    for (ParameterSpec spec : s.map.parameters()) {
      INDArray have = s.sd.getVariable(spec.variable()).getArr();
      INDArray got = initialByVariable.get(spec.variable());
      if (got == null) {
        problems.add("'" + spec.variable() + "' is missing");
      } else if (!java.util.Arrays.equals(have.shape(), got.shape())
          || have.dataType() != got.dataType()) {
        problems.add("'" + spec.variable() + "' is " + got.dataType() + " "
            + java.util.Arrays.toString(got.shape()) + ", the model's is " + have.dataType() + " "
            + java.util.Arrays.toString(have.shape()));
      } else {
        arrays.put(spec.path(), got.dup());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("initial weights do not fit the model: " + problems);
    }
    return new SameDiffSurgeon(model,
        new ArraySnapshot(s.layout, arrays, s.layout.parameterPaths()));
  }

  /** The model operated on. */
  public SameDiffModel model() {
    return model;
  }

  @Override
  public ModelLayout layout() {
    return layout;
  }

  /**
   * The SameDiff names of the parameters that currently train, in model order: what a manual
   * training loop computes gradients for.
   */
  public List<String> trainableVariables() {
    List<String> out = new ArrayList<>();
    for (ParameterSpec s : map.parameters()) {
      if (trainable.contains(s.path())) {
        out.add(s.variable());
      }
    }
    return out;
  }

  /**
   * The {@code sd.fit} route: makes the graph's variable types mirror the trainable set —
   * frozen parameters become constants, trainable ones variables — and resets {@code sd.fit}'s
   * optimiser state. Call it before your own {@code sd.fit}; from then on every change of the
   * trainable set is applied to the graph as well. Our own loops never need it: they read the
   * set and leave the graph as it is.
   *
   * @return the graph, ready for {@code sd.fit}
   */
  public SameDiff materializeForFit() {
    materialized = true;
    applyTypes(trainable);
    return sd;
  }

  /** Whether {@link #materializeForFit()} was called (or the graph came with constants). */
  public boolean isMaterializedForFit() {
    return materialized;
  }

  // ---------------------------------------------------------------------------------- wipe

  @Override
  public Surgery wipe(Collection<LayerPath> layers, ReinitScheme scheme, long seed) {
    Objects.requireNonNull(layers, "layers");
    Objects.requireNonNull(scheme, "scheme");
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("wipe needs at least one layer; the model has: "
          + layout.paths());
    }
    // Validate the whole plan before touching a single array.
    List<LayerPath> targets = ImmutableList.copyOf(new LinkedHashSet<>(layers));
    List<LayerInfo> infos = new ArrayList<>();
    for (LayerPath p : targets) {
      infos.add(layout.layer(Objects.requireNonNull(p, "layer path")));
    }
    Set<ParameterPath> params = layout.parametersOf(targets);
    ReinitValues values = new ReinitValues(sd, map, layout, initial);
    Map<ParameterPath, ParameterPath> copySource = values.check(scheme, infos);

    ArraySnapshot before = take();
    for (ParameterPath p : params) {
      ParameterSpec spec = map.spec(p);
      INDArray arr = sd.getVariable(spec.variable()).getArr();
      long ps = ReinitValues.parameterSeed(seed, p);
      INDArray value = values.newValue(scheme, spec, arr, ps, copySource.get(p));
      if (value != arr) {
        arr.assign(value);
      }
    }
    WipeSurgery done = new WipeSurgery(targets, scheme, seed, before);
    List<Surgery> now = new ArrayList<>(wipes);
    now.add(done);
    wipes = List.copyOf(now);
    return done;
  }

  /**
   * The wipes the weights carry: every {@link #wipe} since this surgeon was made, less those a
   * {@link #restore} (or {@link Surgery#undo()}) took back — restoring a snapshot brings back
   * exactly the wipes it carried when it was taken. Empty when the weights are as the surgeon
   * found them. A recovery refuses to start while it is not empty: it would measure the
   * original's loss {@code L*} on an already damaged model.
   */
  public List<Surgery> pendingWipes() {
    return wipes;
  }

  // -------------------------------------------------------------------------------- freeze

  @Override
  public void setTrainable(Set<ParameterPath> trainable) {
    Objects.requireNonNull(trainable, "trainable");
    if (trainable.isEmpty()) {
      throw new NothingTrainableException("setTrainable was given an empty set: nothing would"
          + " train (SameDiff's fit fails when every variable is a constant); pass at least one of"
          + " the model's " + layout.parameters().size() + " parameters, e.g. "
          + layout.parameterPaths().stream().limit(4).toList());
    }
    Set<ParameterPath> known = layout.parameterPaths();
    List<String> unknown = new ArrayList<>();
    for (ParameterPath p : trainable) {
      if (p == null || !known.contains(p)) {
        unknown.add(String.valueOf(p));
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("setTrainable names " + unknown.size()
          + " parameter(s) the model does not have: " + unknown + "; the model has: "
          + layout.parameters().stream().map(ParameterInfo::path).toList());
    }
    this.trainable = ImmutableSortedSet.copyOf(trainable);
    if (materialized) {
      applyTypes(this.trainable);
    }
  }

  /** Makes exactly {@code trainable} variables and the rest constants; resets the optimiser. */
  private void applyTypes(Set<ParameterPath> trainable) {
    List<SDVariable> toConstant = new ArrayList<>();
    List<SDVariable> toVariable = new ArrayList<>();
    for (ParameterSpec s : map.parameters()) {
      SDVariable v = sd.getVariable(s.variable());
      boolean isVar = v.getVariableType() == VariableType.VARIABLE;
      boolean want = trainable.contains(s.path());
      if (isVar && !want) {
        toConstant.add(v);
      } else if (!isVar && want) {
        toVariable.add(v);
      }
    }
    // Freeze first: the graph then never has all its parameters trainable and frozen at once.
    if (!toConstant.isEmpty()) {
      sd.convertToConstants(toConstant);
    }
    if (!toVariable.isEmpty()) {
      sd.convertToVariables(toVariable);
    }
    resetOptimizerState();
  }

  /**
   * Zeroes {@code sd.fit}'s updater state (e.g. Adam's moments) and resets its iteration and
   * epoch counts, so the next {@code fit} starts the optimiser afresh for the trainable set. Does
   * nothing before the graph has a training configuration. Called by every {@link #setTrainable}
   * once the graph is materialised for {@code sd.fit}.
   */
  @SuppressWarnings({"rawtypes", "unchecked"}) // M2.1 exposes the updater map with a raw type
  public void resetOptimizerState() {
    TrainingConfig tc = sd.getTrainingConfig();
    if (tc != null) {
      tc.setIterationCount(0);
      tc.setEpochCount(0);
    }
    Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
    if (updaters != null) {
      for (GradientUpdater<?> u : updaters.values()) {
        Map<String, INDArray> state = u.getState();
        if (state != null) {
          state.values().forEach(a -> a.assign(0));
        }
      }
    }
  }

  @Override
  public Set<ParameterPath> trainable() {
    return trainable;
  }

  // ----------------------------------------------------------------------- snapshot/restore

  @Override
  public WeightSnapshot snapshot() {
    return take();
  }

  private ArraySnapshot take() {
    Map<ParameterPath, INDArray> arrays = new LinkedHashMap<>();
    for (ParameterSpec s : map.parameters()) {
      arrays.put(s.path(), sd.getVariable(s.variable()).getArr().dup());
    }
    return new ArraySnapshot(layout, arrays, trainable(), sd, wipes);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the snapshot was taken from another graph — of another
   *     layout (the message names the difference, e.g. another depth) or a separately built
   *     graph of the same layout (its weights are another model's; copy weights between graphs
   *     with {@link #of(SameDiffModel, Map)} or the model's own setter instead)
   */
  @Override
  public void restore(WeightSnapshot snapshot) {
    ArraySnapshot s = compatible(Objects.requireNonNull(snapshot, "snapshot"), "snapshot");
    if (!s.takenFrom(sd)) {
      throw new IllegalArgumentException("the snapshot was taken from another graph with the"
          + " same layout (" + layout.parameters().size() + " parameters in " + layout.paths()
          + "), e.g. a separately built model of the same shapes: a snapshot restores only into"
          + " the graph it was taken from; nothing was changed");
    }
    for (ParameterSpec spec : map.parameters()) {
      sd.getVariable(spec.variable()).getArr().assign(s.array(spec.path()));
    }
    if (!s.trainable().equals(trainable)) {
      trainable = ImmutableSortedSet.copyOf(s.trainable());
      if (materialized) {
        applyTypes(trainable);
      }
    }
    wipes = s.wipes();
  }

  private ArraySnapshot compatible(WeightSnapshot snapshot, String what) {
    if (!(snapshot instanceof ArraySnapshot a)) {
      throw new IllegalArgumentException(what + " " + snapshot
          + " was not taken by a SameDiffSurgeon; only SameDiffSurgeon.snapshot() can be restored");
    }
    if (!a.layout().equals(layout)) {
      throw new IllegalArgumentException(what + " was taken from a model of another layout: "
          + LayoutDifference.first(a.layout(), layout));
    }
    for (ParameterSpec spec : map.parameters()) {
      DataType have = sd.getVariable(spec.variable()).getArr().dataType();
      DataType got = a.array(spec.path()).dataType();
      if (have != got) {
        throw new IllegalArgumentException(what + ": parameter " + spec.path() + " is " + got
            + " in the snapshot but " + have + " in the model");
      }
    }
    return a;
  }

  /** The handle a wipe returns: undo puts back the snapshot taken just before it. */
  private final class WipeSurgery implements Surgery {
    private final List<LayerPath> layers;
    private final ReinitScheme scheme;
    private final long seed;
    private final ArraySnapshot before;

    WipeSurgery(List<LayerPath> layers, ReinitScheme scheme, long seed, ArraySnapshot before) {
      this.layers = layers;
      this.scheme = scheme;
      this.seed = seed;
      this.before = before;
    }

    @Override
    public List<LayerPath> layers() {
      return layers;
    }

    @Override
    public ReinitScheme scheme() {
      return scheme;
    }

    @Override
    public long seed() {
      return seed;
    }

    @Override
    public void undo() {
      restore(before);
    }

    @Override
    public String toString() {
      return "Surgery[" + scheme + " on " + layers + ", seed " + seed + "]";
    }
  }
}
