package dev.ablation.study;

import dev.ablation.api.recovery.RecoveryResult;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Runs a plan: for each original with runs left, train it (or let the engine load it), measure
 * {@code T_scratch} once, then every remaining recovery, storing each as it finishes. Runs
 * already in the store are skipped, so a killed study resumes where it stopped.
 */
public final class Study {
  private final StudyPlan plan;
  private final StudyEngine engine;
  private final ResultStore store;
  private final Progress progress;

  /** A study of {@code plan} on {@code engine}, storing into {@code store}. */
  public Study(StudyPlan plan, StudyEngine engine, ResultStore store, Progress progress) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.store = Objects.requireNonNull(store, "store");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Runs everything not yet done.
   *
   * @return how many recovery runs this call ran
   */
  public int run() {
    List<OriginalSpec> originals = plan.originals();
    int total = 0;
    int alreadyDone = 0;
    for (OriginalSpec o : originals) {
      for (RecoveryRequest r : plan.runs(o)) {
        total++;
        alreadyDone += store.isDone(RunKey.of(o, r)) ? 1 : 0;
      }
    }
    progress.start(total, alreadyDone);
    int ran = 0;
    for (OriginalSpec spec : originals) {
      List<RecoveryRequest> todo = plan.runs(spec).stream()
          .filter(r -> !store.isDone(RunKey.of(spec, r))).toList();
      if (todo.isEmpty()) {
        continue;
      }
      progress.working("original " + spec.model() + " seed " + spec.seed());
      Original original = engine.original(spec);
      OptionalLong scratch = scratch(original);
      for (RecoveryRequest request : todo) {
        RunKey key = RunKey.of(spec, request);
        progress.working(String.format(java.util.Locale.ROOT, "%s %s %s %s seed %d",
            spec.model(), key.layer(), key.scheme(), key.freeze(), key.seed()));
        RecoveryResult result = engine.recover(original, request, progress);
        store.add(RunRecord.of(key, request, result, scratch, original));
        ran++;
        progress.runDone();
      }
    }
    progress.finish();
    return ran;
  }

  private OptionalLong scratch(Original original) {
    OriginalSpec spec = original.spec();
    if (!spec.training().scratch()) {
      return OptionalLong.empty();
    }
    return store.scratch(spec).orElseGet(() -> {
      progress.working("T_scratch " + spec.model() + " seed " + spec.seed());
      OptionalLong t = engine.scratchExamples(original);
      store.putScratch(spec, t);
      return t;
    });
  }
}
