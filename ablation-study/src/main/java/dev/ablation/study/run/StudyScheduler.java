package dev.ablation.study.run;

import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.store.PopulationChoice;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.RunRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * The queue a study's workers share: jobs in plan order, an original's runs released once it
 * is trained, their rows held until its {@code T_scratch} is known. Every method holds the lock,
 * so progress calls and store writes happen one at a time.
 */
final class StudyScheduler {
  private static final System.Logger LOG = System.getLogger(Study.class.getName());
  private final ResultStore store;
  private final Progress progress;
  private final Map<OriginalSpec, OriginalState> states = new HashMap<>();
  private final Map<StudyJob, Integer> order = new HashMap<>();
  private final PriorityQueue<Ready> ready =
      new PriorityQueue<>((a, b) -> Integer.compare(a.order(), b.order()));
  private int unfinished;
  private Throwable failure;
  int ran;

  StudyScheduler(List<StudyJob> jobs, ResultStore store, Progress progress) {
    this.store = store;
    this.progress = progress;
    for (int i = 0; i < jobs.size(); i++) {
      StudyJob j = jobs.get(i);
      order.put(j, i);
      OriginalState st = states.computeIfAbsent(j.original(), k -> new OriginalState());
      if (j instanceof StudyJob.TrainOriginal) {
        ready.add(new Ready(i, j));
        boolean measured = j.original().training().scratch();
        st.scratch = measured ? store.scratch(j.original()).orElse(null) : OptionalLong.empty();
      } else {
        st.waiting.add(j);
      }
    }
    unfinished = jobs.size();
  }

  synchronized StudyJob take() {
    while (failure == null && ready.isEmpty() && unfinished > 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(e);
      }
    }
    if (failure != null || ready.isEmpty()) {
      return null;
    }
    StudyJob job = ready.poll().job();
    progress.started(job);
    return job;
  }

  synchronized OriginalRecord original(OriginalSpec spec) {
    OriginalRecord o = states.get(spec).original;
    if (o == null) {
      throw new IllegalStateException("original " + spec.model() + " seed " + spec.seed()
          + " is not trained yet");
    }
    return o;
  }

  /** The requests of {@code spec}'s runs still waiting for it to be trained. */
  synchronized List<RecoveryRequest> waiting(OriginalSpec spec) {
    List<RecoveryRequest> out = new ArrayList<>();
    for (StudyJob j : states.get(spec).waiting) {
      if (j instanceof StudyJob.Recover r) {
        out.add(r.request());
      }
    }
    return out;
  }

  /**
   * {@code first} and, when its original runs in populations, up to K − 1 more ready runs
   * of that original (in plan order), each reported started.
   */
  synchronized List<StudyJob.Recover> withMates(StudyJob.Recover first) {
    List<StudyJob.Recover> group = new ArrayList<>(List.of(first));
    int k = states.get(first.original()).groupSize;
    if (k <= 1) {
      return group;
    }
    List<Ready> mates = new ArrayList<>();
    for (Ready r : ready) {
      if (r.job() instanceof StudyJob.Recover m && m.original().equals(first.original())) {
        mates.add(r);
      }
    }
    mates.sort((a, b) -> Integer.compare(a.order(), b.order()));
    for (Ready r : mates.subList(0, Math.min(k - 1, mates.size()))) {
      ready.remove(r);
      progress.started(r.job());
      group.add((StudyJob.Recover) r.job());
    }
    return group;
  }

  synchronized void originalDone(StudyJob job, OriginalRecord o, PopulationChoice choice,
      Duration took) {
    OriginalState st = states.get(job.original());
    st.original = o;
    st.groupSize = choice.groupSize();
    store.putPopulation(job.original(), choice);
    LOG.log(System.Logger.Level.INFO, "original {0} seed {1}: {2}", job.original().model(),
        job.original().seed(), Study.describe(choice));
    for (StudyJob w : st.waiting) {
      ready.add(new Ready(order.get(w), w));
    }
    st.waiting.clear();
    done(job, took);
  }

  synchronized void scratchDone(StudyJob job, OptionalLong t, Duration took) {
    OriginalState st = states.get(job.original());
    store.putScratch(job.original(), t);
    st.scratch = t;
    done(job, took);
    for (Finished f : st.held) {
      store(st, f);
    }
    st.held.clear();
  }

  synchronized void recoverDone(StudyJob.Recover job, RecoveryResult result, Duration took) {
    OriginalState st = states.get(job.original());
    done(job, took);
    Finished f = new Finished(job, result);
    if (st.scratch == null) {
      st.held.add(f);
    } else {
      store(st, f);
    }
  }

  private void store(OriginalState st, Finished f) {
    RunRecord r = StudyJobs.record(st.original, f.job().request(), f.result(), st.scratch);
    store.add(r);
    ran++;
    progress.stored(r);
  }

  private void done(StudyJob job, Duration took) {
    unfinished--;
    progress.finished(job, took);
    notifyAll();
  }

  synchronized void fail(Throwable e) {
    if (failure == null) {
      failure = e;
    } else if (failure != e) {
      failure.addSuppressed(e);
    }
    notifyAll();
  }

  synchronized void rethrow() {
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException("study worker failed: " + failure, failure);
    }
  }

  /** One original's state: trained yet, its T_scratch known yet, runs waiting for either. */
  private static final class OriginalState {
    OriginalRecord original;
    /** Runs handed to the engine at once (the original's {@link PopulationChoice}). */
    int groupSize = 1;
    /** null until known. */
    OptionalLong scratch;
    final List<StudyJob> waiting = new ArrayList<>();
    final List<Finished> held = new ArrayList<>();
  }

  /** A run done before its original's T_scratch was known. */
  private record Finished(StudyJob.Recover job, RecoveryResult result) {}

  /** A ready job with its place in plan order. */
  private record Ready(int order, StudyJob job) {}
}
