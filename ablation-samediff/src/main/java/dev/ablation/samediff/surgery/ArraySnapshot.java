package dev.ablation.samediff.surgery;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.ablation.api.ModelLayout;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.Surgery;
import dev.ablation.api.WeightSnapshot;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A snapshot held as detached copies of the parameter arrays, in their own data type, so that
 * restoring is bit-exact. Never handed out: callers see only {@link WeightSnapshot}.
 */
final class ArraySnapshot implements WeightSnapshot {
  private final ModelLayout layout;
  private final Map<ParameterPath, INDArray> arrays;
  private final Set<ParameterPath> trainable;
  /**
   * The graph it was taken from (weakly: a snapshot must not keep a discarded graph alive), or
   * none for weights handed in from elsewhere (θ₀ by variable name).
   */
  private final Optional<WeakReference<Object>> graph;
  /** The wipes the weights carried when it was taken: restoring it brings exactly these back. */
  private final List<Surgery> wipes;

  ArraySnapshot(ModelLayout layout, Map<ParameterPath, INDArray> arrays,
      Set<ParameterPath> trainable) {
    this(layout, arrays, trainable, null, List.of());
  }

  ArraySnapshot(ModelLayout layout, Map<ParameterPath, INDArray> arrays,
      Set<ParameterPath> trainable, Object graph, List<Surgery> wipes) {
    this.layout = layout;
    this.arrays = ImmutableMap.copyOf(arrays);
    this.trainable = ImmutableSortedSet.copyOf(trainable);
    this.graph = Optional.ofNullable(graph).map(WeakReference::new);
    this.wipes = List.copyOf(wipes);
  }

  /** Whether it was taken from {@code g} itself (not merely a graph of the same layout). */
  boolean takenFrom(Object g) {
    return graph.isPresent() && graph.get().get() == g;
  }

  List<Surgery> wipes() {
    return wipes;
  }

  ModelLayout layout() {
    return layout;
  }

  /** The stored array itself: callers must not modify it. */
  INDArray array(ParameterPath p) {
    INDArray a = arrays.get(p);
    if (a == null) {
      throw new IllegalArgumentException("the snapshot holds no parameter '" + p + "'");
    }
    return a;
  }

  @Override
  public Set<ParameterPath> parameters() {
    return ImmutableSortedSet.copyOf(arrays.keySet());
  }

  @Override
  public Set<ParameterPath> trainable() {
    return trainable;
  }

  @Override
  public double[] values(ParameterPath parameter) {
    INDArray a = array(parameter);
    // dup('c') detaches from the stored copy and fixes row-major order before reading
    return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
  }

  @Override
  public Optional<List<Long>> shape(ParameterPath parameter) {
    return Optional.of(java.util.Arrays.stream(array(parameter).shape()).boxed().toList());
  }

  @Override
  public String toString() {
    return "WeightSnapshot[" + arrays.size() + " parameters, " + trainable.size() + " trainable]";
  }
}
