package dev.ablation.samediff.train;

import dev.ablation.samediff.Batch;
import dev.ablation.samediff.BlockSplitter;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import dev.ablation.samediff.SessionMemory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training step of a recovery: Adam over the trainable variables, run on the whole graph
 * (the plain path) or, when everything below the lowest trainable block is frozen, on the part
 * of the graph from that block up (the fast path).
 *
 * <p>The fast path: the model's {@link BlockSplitter} cuts the graph at the highest block
 * {@code L} below which no parameter trains. The residual stream entering {@code L} then
 * depends on the batch only, so it is computed once per batch (an {@link ActivationCache},
 * bounded in bytes) and each step runs forward and backward through blocks {@code L..N−1} and
 * the head only. Both parts share the model's parameter arrays, so updates land in the model
 * itself and the frozen ones are never written. Before the first step, the fast path checks
 * that the two parts compute the whole graph's loss on that batch; if not, it falls back.
 *
 * <p>Refused (plain path, reason in {@link #refusal()} and logged) when block 0 trains (nothing
 * worth caching below it), when the model declares no
 * block boundaries (user graphs, encoder-decoders), when a trainable parameter lies below every
 * block (trainable embeddings, e.g. {@code allTrainable}), when a trainable parameter is missing
 * from the upper part, or when the split graph disagrees with the model.
 */
public final class RecoveryStepper implements AutoCloseable {
  /** Activations kept per run: 256 MiB (512 batches of the N=4/D=64/T=64 model at 32). */
  static final long DEFAULT_CACHE_BYTES = 256L << 20;
  private static final System.Logger LOG = System.getLogger(RecoveryStepper.class.getName());
  private static final Set<String> REFUSALS_LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final SameDiffModel model;
  private final SameDiffModel above;
  private final long parameterCount;
  private final ActivationCache cache;
  /** The fast path's lower part (its own graph, sessions and caches), or null. */
  private final SameDiff below;
  private final String residualPlaceholder;
  private final Set<String> abovePlaceholders;
  private AdamStepper stepper;
  private Optional<String> refusal;
  private OptionalInt cut;
  private boolean checked;

  private RecoveryStepper(SameDiffModel model, SameDiffModel above, AdamStepper stepper,
      Optional<String> refusal, OptionalInt cut, ActivationCache cache,
      String residualPlaceholder, Set<String> abovePlaceholders, SameDiff below) {
    this.model = model;
    this.below = below;
    this.above = above;
    this.stepper = stepper;
    this.refusal = refusal;
    this.cut = cut;
    this.cache = cache;
    this.residualPlaceholder = residualPlaceholder;
    this.abovePlaceholders = abovePlaceholders;
    this.parameterCount = wholeModelParameters(model);
    this.checked = cut.isEmpty();
  }

  /**
   * The fast path where it is valid, else the plain path, over the surgeon's trainable set: the
   * one record of what trains (see {@link SameDiffSurgeon}).
   */
  public static RecoveryStepper create(SameDiffSurgeon surgeon, AdamSettings adam) {
    return create(surgeon.model(), surgeon.trainableVariables(), adam, DEFAULT_CACHE_BYTES);
  }

  /** The fast path where it is valid, else the plain path (the reason is logged). */
  public static RecoveryStepper create(SameDiffModel model, Collection<String> trainable,
      AdamSettings adam) {
    return create(model, trainable, adam, DEFAULT_CACHE_BYTES);
  }

  static RecoveryStepper create(SameDiffModel model, Collection<String> trainable,
      AdamSettings adam, long cacheBytes) {
    Optional<String> why = refusal(model, trainable);
    if (why.isPresent()) {
      logRefusal(why.get());
      return plain(model, trainable, adam, why.get());
    }
    BlockSplitter splitter = model.splitter().orElseThrow();
    int cut = highestCut(splitter, Set.copyOf(trainable));
    if (cut == 0) {
      // Below block 0 there is only the embedding: caching it saves almost nothing, and the
      // split graph's extra placeholder and copies made L0 steps slower than the plain path
      // (bench, N=4/D=64/T=64: 220 ms vs 158 ms).
      String reason = "block 0 trains: nothing below it worth caching";
      logRefusal(reason);
      return plain(model, trainable, adam, reason);
    }
    BlockSplitter.Parts parts = splitter.split(cut);
    List<String> missing = new ArrayList<>();
    for (String name : trainable) {
      SDVariable v = parts.above().graph().hasVariable(name)
          ? parts.above().graph().getVariable(name) : null;
      if (v == null || v.getVariableType() != VariableType.VARIABLE) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      String reason = "trainable " + missing + " not in the graph above block " + cut;
      logRefusal(reason);
      return plain(model, trainable, adam, reason);
    }
    Set<String> belowPlaceholders = new LinkedHashSet<>(parts.below().inputs());
    ActivationCache cache = new ActivationCache(cacheBytes, b -> {
      Map<String, INDArray> in = new HashMap<>();
      for (String p : belowPlaceholders) {
        in.put(p, b.placeholders().get(p));
      }
      return parts.below().output(in, parts.residual()).get(parts.residual());
    });
    Set<String> above = new LinkedHashSet<>(parts.above().graph().inputs());
    above.remove(parts.residualPlaceholder());
    LOG.log(System.Logger.Level.DEBUG, "recovery fast path on from block {0}", cut);
    return new RecoveryStepper(model, parts.above(),
        new AdamStepper(parts.above(), trainable, adam), Optional.empty(), OptionalInt.of(cut),
        cache, parts.residualPlaceholder(), above, parts.below());
  }

  /**
   * Logs why the fast path is off, at INFO the first time a reason is seen and at DEBUG after:
   * a study refuses it for the same reason in dozens of runs, which would bury its progress bar.
   */
  private static void logRefusal(String reason) {
    System.Logger.Level level = REFUSALS_LOGGED.add(reason)
        ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
    LOG.log(level, "recovery fast path off: {0}", reason);
  }

  /** The plain path: every step runs the whole graph. */
  public static RecoveryStepper plain(SameDiffModel model, Collection<String> trainable,
      AdamSettings adam) {
    return plain(model, trainable, adam, "plain path requested");
  }

  private static RecoveryStepper plain(SameDiffModel model, Collection<String> trainable,
      AdamSettings adam, String reason) {
    return new RecoveryStepper(model, model, new AdamStepper(model, trainable, adam),
        Optional.of(reason), OptionalInt.empty(), null, null, Set.of(), null);
  }

  private static Optional<String> refusal(SameDiffModel model, Collection<String> trainable) {
    if (model.splitter().isEmpty()) {
      return Optional.of("the model declares no block boundaries (no BlockSplitter)");
    }
    for (String name : trainable) {
      if (!model.graph().hasVariable(name)
          || model.graph().getVariable(name).getVariableType() != VariableType.VARIABLE) {
        return Optional.of("'" + name + "' is not a trainable variable of the model");
      }
    }
    BlockSplitter s = model.splitter().get();
    Set<String> below = new LinkedHashSet<>(s.variablesBelow(0));
    below.retainAll(Set.copyOf(trainable));
    if (!below.isEmpty()) {
      return Optional.of("parameters below every block train: " + below);
    }
    return Optional.empty();
  }

  /** The highest block whose inputs depend on no trainable parameter. */
  private static int highestCut(BlockSplitter s, Set<String> trainable) {
    int cut = 0;
    for (int c = 1; c < s.blocks(); c++) {
      Set<String> below = new LinkedHashSet<>(s.variablesBelow(c));
      below.retainAll(trainable);
      if (!below.isEmpty()) {
        break;
      }
      cut = c;
    }
    return cut;
  }

  private static long wholeModelParameters(SameDiffModel model) {
    long n = 0;
    for (String name : AdamStepper.trainableVariablesOf(model.graph())) {
      n += model.graph().getVariable(name).getArr().length();
    }
    return n;
  }

  /**
   * One Adam step on {@code batch}; see {@link AdamStepper#tryStep}.
   *
   * @return the training loss on the batch before the update
   */
  public double tryStep(Batch batch) {
    if (cut.isEmpty()) {
      return stepper.tryStep(batch);
    }
    Batch upper = upper(batch);
    if (!checked) {
      checked = true;
      double whole = new LossEvaluator(model).loss(batch);
      double split = new LossEvaluator(above).loss(upper);
      if (!(Math.abs(whole - split) <= 1e-5 * Math.max(1, Math.abs(whole)))) {
        String reason = "the graph split at block " + cut.getAsInt() + " computes loss "
            + split + " where the model computes " + whole;
        LOG.log(System.Logger.Level.WARNING, "recovery fast path off: {0}", reason);
        // nothing has been stepped yet: a fresh optimiser on the whole graph is equivalent
        AdamStepper plain = new AdamStepper(model, stepper.trainable(), stepper.settings());
        stepper.close();
        stepper = plain;
        refusal = Optional.of(reason);
        cut = OptionalInt.empty();
        release(batch, upper);
        return stepper.tryStep(batch);
      }
    }
    try {
      return stepper.tryStep(upper);
    } finally {
      release(batch, upper);
    }
  }

  /** Frees the activations of {@code upper} unless the cache keeps them. */
  private void release(Batch batch, Batch upper) {
    INDArray a = upper.placeholders().get(residualPlaceholder);
    if (a != null && !cache.holds(batch, a) && !a.wasClosed() && a.closeable()) {
      a.close();
    }
  }

  /**
   * The token-weighted mean loss of the model on {@code batches}, without gradients. On the
   * fast path (once its first step has confirmed the split) only the upper part runs, on each
   * batch's cached activations: evaluating the same validation batches every k steps then costs
   * about what the trainable part costs.
   *
   * @throws IllegalArgumentException if there are no batches
   */
  public double meanLoss(List<Batch> batches) {
    if (cut.isEmpty() || !checked) {
      return new LossEvaluator(model).meanLoss(batches);
    }
    // one batch at a time: a small activation cache may release a batch's activations to make
    // room for the next one, and activations it does not keep are freed right after use
    LossEvaluator evaluator = new LossEvaluator(above);
    double sum = 0;
    long tokens = 0;
    for (Batch b : batches) {
      Batch upper = upper(b);
      try {
        sum += evaluator.loss(upper) * b.tokens();
      } finally {
        release(b, upper);
      }
      tokens += b.tokens();
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("need at least one batch to evaluate, got none");
    }
    return sum / tokens;
  }

  private Batch upper(Batch batch) {
    Map<String, INDArray> in = new HashMap<>();
    for (String p : abovePlaceholders) {
      INDArray a = batch.placeholders().get(p);
      if (a == null) {
        throw new IllegalArgumentException("batch has no placeholder '" + p + "'; it has "
            + batch.placeholders().keySet());
      }
      in.put(p, a);
    }
    in.put(residualPlaceholder, cache.get(batch));
    return batch.withPlaceholders(in);
  }

  /**
   * Frees this stepper's native memory now: the optimiser's state and op outputs, the cached
   * activations and, on the fast path, the split graph's session caches. The model and its
   * parameters are untouched. Why explicit: a recovery's arrays are off-heap and tens to
   * hundreds of megabytes (the activation cache alone may hold 256 MiB); left to the garbage
   * collector they outlive the run by minutes and a study's resident memory grows with every
   * run. The stepper cannot step after this.
   */
  @Override
  public void close() {
    stepper.close();
    if (cache != null) {
      cache.close();
    }
    if (above != model) {
      SessionMemory.release(above.graph());
    }
    if (below != null) {
      SessionMemory.release(below);
    }
  }

  /**
   * The number of scalars in the whole model's trainable variables, whichever path runs, so
   * that a step is charged the same FLOPs on both.
   */
  public long parameterCount() {
    return parameterCount;
  }

  /** The block the fast path starts at, or empty on the plain path. */
  public OptionalInt cut() {
    return cut;
  }

  /** Why the plain path runs, or empty on the fast path. */
  public Optional<String> refusal() {
    return refusal;
  }

  /**
   * The arrays the optimiser updates, in the model's graph (the fast path's parts share them):
   * what a copy of the trainable weights must hold.
   */
  public List<INDArray> trainableArrays() {
    List<INDArray> out = new ArrayList<>();
    for (String name : stepper.trainable()) {
      out.add(model.graph().getVariable(name).getArr());
    }
    return out;
  }

  /** The optimiser (over the upper graph on the fast path). */
  public AdamStepper adam() {
    return stepper;
  }

  @Override
  public String toString() {
    return cut.isPresent() ? "RecoveryStepper[fast path from block " + cut.getAsInt() + "]"
        : "RecoveryStepper[plain: " + refusal.orElse("") + "]";
  }
}
