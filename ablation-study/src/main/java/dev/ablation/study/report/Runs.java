package dev.ablation.study.report;

import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.study.store.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What every section reads off a list of runs: grouping by a typed key, the verdict tests, and
 * the observations of {@code ρ} that respect censoring. Kept in one place so that two sections
 * cannot disagree on what "recovered" or "one seed" means.
 */
final class Runs {
  private Runs() {}

  /** {@code rs} grouped by {@code by}, groups in order of first appearance. */
  static <K> Map<K, List<RunRecord>> group(List<RunRecord> rs, Function<RunRecord, K> by) {
    return rs.stream().collect(Collectors.groupingBy(by, LinkedHashMap::new,
        Collectors.toList()));
  }

  /** {@code rs} grouped by a comparable key, groups in key order. */
  static <K extends Comparable<? super K>> TreeMap<K, List<RunRecord>> sorted(List<RunRecord> rs,
      Function<RunRecord, K> by) {
    return new TreeMap<>(group(rs, by));
  }

  static boolean recovered(RunRecord r) {
    return r.row().verdict() == Verdict.RECOVERED;
  }

  static boolean undamaged(RunRecord r) {
    return r.row().verdict() == Verdict.UNDAMAGED;
  }

  /** The block index of a single-layer run; callers filter on its presence first. */
  static int position(RunRecord r) {
    return r.position().getAsInt();
  }

  /**
   * The observations of {@code ρ} in {@code rs}: recovered runs are events at their ρ, the
   * others censored at what they spent; UNDAMAGED runs are not observations of ρ at all.
   */
  static List<Censored.Obs> rhoObs(List<RunRecord> rs) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (undamaged(r)) {
        continue;
      }
      if (recovered(r)) {
        double ref = r.row().refExamples();
        out.add(new Censored.Obs(r.row().rho().getAsDouble(), true,
            before(r, r.row().examplesToRecover().getAsLong()) / ref));
      } else {
        out.add(new Censored.Obs(Math.max((double) r.examplesSpent(), 1.0)
            / r.row().refExamples(), false));
      }
    }
    return out;
  }

  /** As {@link #rhoObs}, for {@code ρ_orig = T_ε / T_orig}, where T_orig exists. */
  static List<Censored.Obs> rhoOrigObs(List<RunRecord> rs) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (undamaged(r) || r.row().examplesOrig().isEmpty()
          || r.row().examplesOrig().getAsLong() == 0) {
        continue;
      }
      double tOrig = r.row().examplesOrig().getAsLong();
      out.add(recovered(r) ? new Censored.Obs(r.row().rhoOrig().getAsDouble(), true,
              before(r, r.row().examplesToRecover().getAsLong()) / tOrig)
          : new Censored.Obs(Math.max(r.examplesSpent(), 1) / tOrig, false));
    }
    return out;
  }

  /**
   * The smallest {@code T_ε} the evaluations allow: one step after the evaluation before
   * {@code examples} (a run is judged only at whole steps, and was not recovered at the
   * evaluation before), so a recovery at the first evaluation after step 0 is exact.
   */
  static double before(RunRecord r, long examples) {
    long prev = r.curve().stream().mapToLong(p -> p.examples()).filter(e -> e < examples).max()
        .orElse(0);
    double perStep = r.curve().stream().filter(p -> p.examples() == examples && p.step() > 0)
        .mapToDouble(p -> (double) p.examples() / p.step()).findFirst().orElse(0);
    return Math.min(examples, prev + perStep);
  }

  /**
   * The evaluation at which a recovered run was judged recovered (the point of its curve at
   * {@code T_ε}), if the curve holds it.
   */
  static Optional<CurvePoint> recoveryPoint(RunRecord r) {
    if (!recovered(r)) {
      return Optional.empty();
    }
    long t = r.row().examplesToRecover().getAsLong();
    return r.curve().stream().filter(p -> p.examples() == t && p.step() > 0).findFirst();
  }

  /**
   * The evaluation resolution at a recovered run's {@code T_ε}, in optimiser steps: the gap
   * from the evaluation before it. The run recovered somewhere in that gap.
   */
  static OptionalLong resolution(RunRecord r) {
    return recoveryPoint(r).map(p -> OptionalLong.of(p.step() - r.curve().stream()
        .mapToLong(CurvePoint::step).filter(s -> s < p.step()).max().orElse(0)))
        .orElse(OptionalLong.empty());
  }

  /**
   * The observations of {@code T_ε} in examples: events at {@code T_ε} (lower end one step
   * after the evaluation before), others censored at the examples they spent; UNDAMAGED runs
   * are not observations.
   */
  static List<Censored.Obs> examplesObs(List<RunRecord> rs) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (undamaged(r)) {
        continue;
      }
      if (recovered(r)) {
        long t = r.row().examplesToRecover().getAsLong();
        out.add(new Censored.Obs(t, true, before(r, t)));
      } else {
        out.add(new Censored.Obs(Math.max((double) r.examplesSpent(), 1.0), false));
      }
    }
    return out;
  }

  /**
   * The observations of {@code T_ε} in optimiser steps, as {@link #examplesObs}: the lower end
   * of an event is one step after the evaluation before. A recovered run whose curve lacks its
   * recovery point (it cannot happen for runs this study wrote) is left out.
   */
  static List<Censored.Obs> stepsObs(List<RunRecord> rs) {
    List<Censored.Obs> out = new ArrayList<>();
    for (RunRecord r : rs) {
      if (undamaged(r)) {
        continue;
      }
      if (recovered(r)) {
        recoveryPoint(r).ifPresent(p -> out.add(new Censored.Obs(p.step(), true,
            p.step() - resolution(r).getAsLong() + 1)));
      } else {
        out.add(new Censored.Obs(Math.max((double) r.stepsSpent(), 1.0), false));
      }
    }
    return out;
  }

  /** The Kaplan–Meier median of ρ over {@code rs} with its interval. */
  static Censored.Estimate rho(List<RunRecord> rs) {
    return Censored.estimate(rhoObs(rs));
  }

  /**
   * The interval over seeds of {@code f}, averaging first within a seed: runs of one original
   * under several policies share their step-0 numbers and must count once.
   */
  static Interval perSeed(List<RunRecord> rs, ToDoubleFunction<RunRecord> f) {
    return Interval.of(sorted(rs, r -> r.key().seed()).values().stream()
        .map(l -> l.stream().mapToDouble(f).average().orElse(Double.NaN)).toList());
  }

  /**
   * ρ(a) / ρ(b) of each seed (and scheme/policy/rate, already fixed by the caller) in which
   * both recovered: the same original, so the pair differs only in what is compared.
   */
  static List<Double> pairedRatios(List<RunRecord> rs, Predicate<RunRecord> a,
      Predicate<RunRecord> b) {
    List<Double> out = new ArrayList<>();
    sorted(rs, r -> r.key().seed()).values().forEach(l -> {
      OptionalDouble x = l.stream().filter(a).filter(Runs::recovered)
          .mapToDouble(r -> r.row().rho().getAsDouble()).findFirst();
      OptionalDouble y = l.stream().filter(b).filter(Runs::recovered)
          .mapToDouble(r -> r.row().rho().getAsDouble()).findFirst();
      if (x.isPresent() && y.isPresent()) {
        out.add(x.getAsDouble() / y.getAsDouble());
      }
    });
    return out;
  }

  /** T_ε / T_scratch of each recovered run whose original's T_scratch was measured. */
  static List<Double> scratchRatios(List<RunRecord> rs) {
    return rs.stream().filter(Runs::recovered)
        .filter(r -> r.row().examplesScratch().isPresent())
        .map(r -> (double) r.row().examplesToRecover().getAsLong()
            / r.row().examplesScratch().getAsLong()).toList();
  }

  /** The original's convergence window k, from the manifest; 1 when unknown. */
  static int window(RunRecord r) {
    String k = r.manifest().configuration().get("convergence_window");
    return k == null ? 1 : Integer.parseInt(k);
  }
}
