package dev.ablation.study;

import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.run.Progress;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.store.ResultStore;
import dev.ablation.study.plan.RunKey;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.run.Study;
import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.plan.StudyPlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent workers on the fake engine: same rows as one worker, and resume after a crash. */
class WorkersTest {

  /**
   * Engines that share counters across workers, sleep a little per job (so jobs overlap and
   * finish out of order) and crash the whole study after {@code crashAfter} recoveries.
   */
  static final class Engines implements StudyEngine.Factory {
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger recoveries = new AtomicInteger();
    final AtomicInteger originals = new AtomicInteger();
    final AtomicInteger scratch = new AtomicInteger();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final int crashAfter;

    Engines(int crashAfter) {
      this.crashAfter = crashAfter;
    }

    @Override
    public StudyEngine open(Path cacheDir) {
      opened.incrementAndGet();
      FakeStudyEngine fake = new FakeStudyEngine();
      String owner = Thread.currentThread().getName();
      return new StudyEngine() {
        private <T> T timed(java.util.function.Supplier<T> body) {
          if (!Thread.currentThread().getName().equals(owner)) {
            throw new AssertionError("engine opened on " + owner + " used on "
                + Thread.currentThread().getName());
          }
          threads.add(owner);
          maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
          try {
            Thread.sleep((System.nanoTime() & 3) + 1); // jitter: finishing order varies
            return body.get();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          } finally {
            concurrent.decrementAndGet();
          }
        }

        @Override
        public OriginalRecord original(OriginalSpec spec) {
          originals.incrementAndGet();
          return timed(() -> fake.original(spec));
        }

        @Override
        public RecoveryResult recover(OriginalRecord o, RecoveryRequest r, RecoveryListener l) {
          if (recoveries.incrementAndGet() > crashAfter) {
            throw new FakeStudyEngine.SimulatedCrash(crashAfter);
          }
          return timed(() -> fake.recover(o, r, l));
        }

        @Override
        public OptionalLong scratchExamples(OriginalRecord o) {
          scratch.incrementAndGet();
          return timed(() -> fake.scratchExamples(o));
        }
      };
    }
  }

  static int run(StudyPlan plan, Path dir, boolean resume, Engines engines, int workers)
      throws IOException {
    ResultStore store = ResultStore.open(dir, plan, resume);
    int ran = new Study(plan, engines, dir.resolve("originals"), workers, store,
        Progress.none()).run();
    store.writeResults();
    return ran;
  }

  @Test
  void twoWorkersGiveTheRowsOfOneInKeyOrder(@TempDir Path root) throws IOException {
    StudyPlan plan = StudyTest.plan();
    Path one = root.resolve("one");
    Path four = root.resolve("four");
    run(plan, one, false, new Engines(Integer.MAX_VALUE), 1);
    Engines engines = new Engines(Integer.MAX_VALUE);
    int ran = run(plan, four, false, engines, 4);

    assertEquals(plan.totalRuns(), ran);
    assertEquals(4, engines.opened.get(), "one engine per worker");
    assertTrue(engines.threads.size() > 1, "jobs ran on several workers: " + engines.threads);
    assertTrue(engines.maxConcurrent.get() > 1, "jobs overlapped");
    assertEquals(plan.originals().size(), engines.originals.get(), "each original trained once");
    assertEquals(plan.originals().size(), engines.scratch.get(), "T_scratch once per original");
    // the fake's wall time comes from its own ticker, so whole files compare equal
    assertEquals(Files.readString(one.resolve("results.csv")),
        Files.readString(four.resolve("results.csv")));
    assertEquals(Files.readString(one.resolve("results.json")),
        Files.readString(four.resolve("results.json")));
    List<RunKey> keys = ResultStore.open(four, plan, true).records().stream()
        .map(RunRecord::key).toList();
    List<RunKey> sorted = new ArrayList<>(keys);
    Collections.sort(sorted);
    assertEquals(sorted, keys);
    try (Stream<Path> runs = Files.list(four.resolve("runs"))) {
      assertEquals(plan.totalRuns(), runs.filter(p -> p.toString().endsWith(".json")).count(),
          "one record file per run, no temporary files left");
    }
  }

  @Test
  void resumeAfterACrashWithTwoWorkersMatchesAnUninterruptedStudy(@TempDir Path root)
      throws IOException {
    StudyPlan plan = StudyTest.plan();
    Path clean = root.resolve("clean");
    run(plan, clean, false, new Engines(Integer.MAX_VALUE), 1);

    Path crashed = root.resolve("crashed");
    assertThrows(FakeStudyEngine.SimulatedCrash.class,
        () -> run(plan, crashed, false, new Engines(9), 2));
    int stored;
    try (Stream<Path> runs = Files.list(crashed.resolve("runs"))) {
      stored = (int) runs.filter(p -> p.toString().endsWith(".json")).count();
    }
    assertTrue(stored > 0 && stored <= 9, "part of the study was stored: " + stored);
    // a write the kill interrupted
    Files.writeString(crashed.resolve("runs/0123456789abcdef.json.1234.tmp"), "{\"arch\":",
        StandardCharsets.UTF_8);

    Engines again = new Engines(Integer.MAX_VALUE);
    int ran = run(plan, crashed, true, again, 2);
    assertEquals(plan.totalRuns() - stored, ran);
    assertEquals(Files.readString(clean.resolve("results.csv")),
        Files.readString(crashed.resolve("results.csv")));
    assertEquals(Files.readString(clean.resolve("results.json")),
        Files.readString(crashed.resolve("results.json")));
    assertEquals(0, run(plan, crashed, true, new Engines(Integer.MAX_VALUE), 2),
        "nothing left to run");
  }

  @Test
  void refusesZeroWorkers(@TempDir Path dir) throws IOException {
    StudyPlan plan = StudyTest.plan();
    ResultStore store = ResultStore.open(dir, plan, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Study(plan, new Engines(0), dir, 0, store, Progress.none()));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }
}
