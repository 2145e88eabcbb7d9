package dev.ablation.samediff.recovery;

import com.google.common.collect.MapMaker;
import dev.ablation.api.Surgery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Which graphs a recovery ({@link Recovery#run} or a {@link RecoveryFit}) has wiped and not yet
 * put back. Why a registry of its own: a recovery must refuse to start on a damaged model (it
 * would measure the original's loss on it), and the wipe that damaged it may belong to another
 * recovery with its own surgeon.
 */
final class WipeRegistry {
  private WipeRegistry() {}

  /**
   * The graphs a recovery has wiped and not yet put back, with who holds each. The wipe lives
   * in the graph, but each builder may bring its own surgeon
   * ({@code Recovery.builder(SameDiffModel)} makes a new one), so a surgeon's own
   * {@link SameDiffSurgeon#pendingWipes()} cannot see another recovery's wipe; M2.1's {@code SameDiff} has no place to keep it. Weak keys by
   * identity: a graph nobody uses any more leaves the map with its last reference.
   */
  private static final ConcurrentMap<SameDiff, Holder> HELD =
      new MapMaker().weakKeys().makeMap();

  /**
   * Who wiped a graph: the surgeon is held weakly (it references the graph, which would then
   * never leave {@link #HELD}). A holder whose surgeon no longer carries a wipe (restored by
   * hand with {@code surgeon.restore(snapshot)}, say) holds nothing.
   */
  record Holder(String who, java.lang.ref.WeakReference<SameDiffSurgeon> surgeon) {
    boolean holds(SameDiffSurgeon other) {
      SameDiffSurgeon s = surgeon.get();
      return s != null && s != other && !s.pendingWipes().isEmpty();
    }
  }

  /**
   * A recovery starts from the model as trained, never from one it (or anyone) wiped.
   *
   * @throws IllegalStateException naming the wipe or the recovery that holds the graph
   */
  static void requireUnwiped(SameDiffSurgeon surgeon) {
    List<Surgery> pending = surgeon.pendingWipes();
    if (!pending.isEmpty()) {
      throw new IllegalStateException("the model still carries " + pending + ", so a recovery"
          + " would measure the original's loss L* on a damaged model; nothing was changed."
          + " Put the trained weights back first: fit.restore() (or close the Fit) of the"
          + " recovery that wiped it, surgeon.restore(snapshot) or surgery.undo()");
    }
    Holder holder = HELD.get(surgeon.model().graph());
    if (holder != null && holder.holds(surgeon)) {
      throw new IllegalStateException("the graph is held by " + holder.who() + ", another recovery"
          + " that wiped it and has not put it back, so this one would measure the original's"
          + " loss L* on a damaged model; nothing was changed. Restore the first: fit.restore()"
          + " (or close the Fit, e.g. in try-with-resources) of that recovery; or rebuild the"
          + " graph (a fresh model) for this one");
    }
  }

  /** Marks the graph as wiped by {@code who} through {@code surgeon}, until it is put back. */
  static Holder hold(SameDiffSurgeon surgeon, String who) {
    Holder h = new Holder(who, new java.lang.ref.WeakReference<>(surgeon));
    HELD.put(surgeon.model().graph(), h);
    return h;
  }

  /** The graph is put back: {@code h} no longer holds it. */
  static void release(SameDiff graph, Holder h) {
    HELD.remove(graph, h);
  }
}
