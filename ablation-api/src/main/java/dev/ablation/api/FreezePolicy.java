package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedSet;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Which parameters train after a wipe. A policy resolves, against a {@link ModelLayout}, the
 * set of wiped layers and the current recovery step, to the exact set of trainable parameters;
 * everything else is frozen and must stay bit-identical.
 *
 * <p>The question this library exists for uses {@link #onlyWiped()}; {@link #allTrainable()}
 * is its control. Schedules ({@link #thenAfter}) unfreeze more as training proceeds.
 *
 * <p>Policies are values (equal when their parameters are equal) and serialisable, so a
 * cluster driver can ship them to its workers; a {@link #matching} policy serialises only if
 * its predicate does.
 */
public sealed interface FreezePolicy extends Serializable {

  /**
   * The trainable parameters at {@code step} (0-based count of recovery steps taken).
   *
   * @throws UnknownLayerException if a wiped layer is not in the layout
   * @throws NothingTrainableException if nothing would train
   */
  default Set<ParameterPath> resolve(ModelLayout layout, Collection<LayerPath> wiped, long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    Set<ParameterPath> wipedParams = layout.parametersOf(wiped);
    Set<ParameterPath> out = new TreeSet<>();
    for (ParameterInfo p : layout.parameters()) {
      if (wipedParams.contains(p.path()) || extra(layout, wiped, step, p)) {
        out.add(p.path());
      }
    }
    if (out.isEmpty()) {
      throw new NothingTrainableException(this, wiped);
    }
    return ImmutableSortedSet.copyOf(out);
  }

  /** Whether {@code p}, not in a wiped layer, trains too at {@code step}. */
  boolean extra(ModelLayout layout, Collection<LayerPath> wiped, long step, ParameterInfo p);

  /**
   * The first step after {@code step} at which the resolved set may change, or empty if it
   * never does: training loops re-resolve (and rebuild optimiser state) only there.
   */
  default OptionalLong nextChangeAfter(long step) {
    return OptionalLong.empty();
  }

  /** A short, stable name for tables and CSV files, e.g. {@code onlyWiped}. */
  String key();

  /** Only the wiped layers train: the question as asked. */
  static FreezePolicy onlyWiped() {
    return new OnlyWiped();
  }

  /** The wiped layers and every layer norm of the model. */
  static FreezePolicy wipedPlusLayerNorms() {
    return new WipedPlusLayerNorms();
  }

  /** The wiped layers and the blocks within {@code k} positions of them in the same stack. */
  static FreezePolicy wipedPlusNeighbours(int k) {
    return new WipedPlusNeighbours(k);
  }

  /** The wiped layers and the head ({@link LayerKind#HEAD}: final norm, unembedding). */
  static FreezePolicy wipedPlusHead() {
    return new WipedPlusHead();
  }

  /** Everything trains: the control that says what freezing costs. */
  static FreezePolicy allTrainable() {
    return new AllTrainable();
  }

  /**
   * The wiped layers and every parameter {@code predicate} accepts.
   *
   * @param name a key for tables, e.g. {@code attnOnly}
   */
  static FreezePolicy matching(String name, Predicate<ParameterPath> predicate) {
    return new Matching(name, predicate);
  }

  /** This policy until {@code steps} recovery steps have run, then {@code next}. */
  default FreezePolicy thenAfter(long steps, FreezePolicy next) {
    return Scheduled.of(this, steps, next);
  }

  /** The names {@link #parse} accepts. */
  List<String> SYNTAX = List.of("onlyWiped", "wipedPlusLayerNorms", "wipedPlusNeighbours(k)",
      "wipedPlusHead", "allTrainable");

  /**
   * Parses a {@link #key()} (case-insensitive; {@code ONLY_WIPED} also accepted).
   *
   * @throws IllegalArgumentException naming the bad text and listing {@link #SYNTAX}
   */
  static FreezePolicy parse(String text) {
    String t = text == null ? "" : text.strip().replace("_", "").toLowerCase(Locale.ROOT);
    switch (t) {
      case "onlywiped":
        return onlyWiped();
      case "wipedpluslayernorms":
        return wipedPlusLayerNorms();
      case "wipedplushead":
        return wipedPlusHead();
      case "alltrainable":
        return allTrainable();
      default:
        break;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("wipedplusneighbours\\((\\d{1,4})\\)").matcher(t);
    if (m.matches()) {
      return wipedPlusNeighbours(Integer.parseInt(m.group(1)));
    }
    throw new IllegalArgumentException("unknown freeze policy '" + text + "'; valid: " + SYNTAX);
  }

  /** See {@link FreezePolicy#onlyWiped()}. */
  record OnlyWiped() implements FreezePolicy {
    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> w, long s, ParameterInfo p) {
      return false;
    }

    @Override
    public String key() {
      return "onlyWiped";
    }
  }

  /** See {@link FreezePolicy#wipedPlusLayerNorms()}. */
  record WipedPlusLayerNorms() implements FreezePolicy {
    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> w, long s, ParameterInfo p) {
      return p.kind().isNorm();
    }

    @Override
    public String key() {
      return "wipedPlusLayerNorms";
    }
  }

  /**
   * See {@link FreezePolicy#wipedPlusNeighbours(int)}.
   *
   * @param k how many blocks on each side
   */
  record WipedPlusNeighbours(int k) implements FreezePolicy {
    /** Validates k. */
    public WipedPlusNeighbours {
      if (k < 0) {
        throw new IllegalArgumentException("neighbour distance k must be >= 0, got " + k);
      }
    }

    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> wiped, long s, ParameterInfo p) {
      for (LayerInfo block : l.layersOf(LayerKind.BLOCK)) {
        if (!block.path().contains(p.path())) {
          continue;
        }
        for (LayerPath w : wiped) {
          if (w.stack().equals(block.path().stack()) && w.blockIndex().isPresent()
              && Math.abs(w.blockIndex().getAsInt() - block.path().blockIndex().orElse(-1_000_000))
                  <= k) {
            return true;
          }
        }
      }
      return false;
    }

    @Override
    public String key() {
      return "wipedPlusNeighbours(" + k + ")";
    }
  }

  /** See {@link FreezePolicy#wipedPlusHead()}. */
  record WipedPlusHead() implements FreezePolicy {
    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> w, long s, ParameterInfo p) {
      return l.layersOf(LayerKind.HEAD).stream().anyMatch(h -> h.path().contains(p.path()));
    }

    @Override
    public String key() {
      return "wipedPlusHead";
    }
  }

  /** See {@link FreezePolicy#allTrainable()}. */
  record AllTrainable() implements FreezePolicy {
    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> w, long s, ParameterInfo p) {
      return true;
    }

    @Override
    public String key() {
      return "allTrainable";
    }
  }

  /**
   * See {@link FreezePolicy#matching(String, Predicate)}.
   *
   * @param name the key
   * @param predicate which extra parameters train
   */
  record Matching(String name, Predicate<ParameterPath> predicate) implements FreezePolicy {
    /** Validates the fields. */
    public Matching {
      Objects.requireNonNull(predicate, "predicate");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a matching policy needs a non-blank name");
      }
    }

    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> w, long s, ParameterInfo p) {
      return predicate.test(p.path());
    }

    @Override
    public String key() {
      return name;
    }
  }

  /**
   * One phase of a schedule: {@code policy} from step {@code from} on.
   *
   * @param from first recovery step of the phase
   * @param policy the policy of the phase
   */
  record Phase(long from, FreezePolicy policy) implements Serializable {
    /** Validates the fields. */
    public Phase {
      if (from < 0) {
        throw new IllegalArgumentException("phase start must be >= 0, got " + from);
      }
      Objects.requireNonNull(policy, "policy");
    }
  }

  /**
   * A policy that changes with the step: phases in increasing order of start, the first at 0.
   *
   * @param phases the phases
   */
  record Scheduled(List<Phase> phases) implements FreezePolicy {
    /** Validates the order of phases. */
    public Scheduled {
      if (phases == null || phases.isEmpty() || phases.get(0).from() != 0) {
        throw new IllegalArgumentException("a schedule needs phases starting at step 0, got "
            + phases);
      }
      for (int i = 1; i < phases.size(); i++) {
        if (phases.get(i).from() <= phases.get(i - 1).from()) {
          throw new IllegalArgumentException("schedule phases must start at increasing steps, got "
              + phases);
        }
      }
      phases = ImmutableList.copyOf(phases);
    }

    static Scheduled of(FreezePolicy first, long steps, FreezePolicy next) {
      if (steps <= 0) {
        throw new IllegalArgumentException("thenAfter needs steps > 0, got " + steps);
      }
      List<Phase> ps = new ArrayList<>();
      if (first instanceof Scheduled s) {
        ps.addAll(s.phases());
        long start = ps.get(ps.size() - 1).from() + steps;
        ps.add(new Phase(start, next));
      } else {
        ps.add(new Phase(0, first));
        ps.add(new Phase(steps, next));
      }
      return new Scheduled(ps);
    }

    /** The policy in force at {@code step}. */
    public FreezePolicy at(long step) {
      FreezePolicy current = phases.get(0).policy();
      for (Phase p : phases) {
        if (p.from() <= step) {
          current = p.policy();
        }
      }
      return current;
    }

    @Override
    public boolean extra(ModelLayout l, Collection<LayerPath> w, long s, ParameterInfo p) {
      return at(s).extra(l, w, s, p);
    }

    @Override
    public OptionalLong nextChangeAfter(long step) {
      return phases.stream().mapToLong(Phase::from).filter(f -> f > step).findFirst();
    }

    @Override
    public String key() {
      StringBuilder b = new StringBuilder(phases.get(0).policy().key());
      for (int i = 1; i < phases.size(); i++) {
        b.append("->@").append(phases.get(i).from()).append(':')
            .append(phases.get(i).policy().key());
      }
      return b.toString();
    }
  }
}
