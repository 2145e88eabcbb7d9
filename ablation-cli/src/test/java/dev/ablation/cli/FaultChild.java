package dev.ablation.cli;

import dev.ablation.cli.console.Logs;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.study.store.OriginalRecord;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.run.StudyEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The study command on the real engine in a JVM of its own, for {@link KilledStudyResumesTest}
 * to kill: it prints a marker line ({@code @fault original}, {@code @fault recover n},
 * {@code @fault recovered n}) as it enters each phase, and with
 * {@code -Dfault.pauseAfterRun=n} waits for a line on stdin after the n-th recovery returns,
 * just before the study writes it, so the test can prepare the files and kill it mid-write.
 */
public final class FaultChild {
  private FaultChild() {}

  public static void main(String[] args) {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    int pauseAfter = Integer.getInteger("fault.pauseAfterRun", -1);
    StudyEngine.Factory marked = dir -> new Marked(Main.DEFAULT_ENGINE.open(dir), stdin,
        pauseAfter);
    Logs.quiet();
    System.exit(Main.execute(marked, args));
  }

  static void mark(String what) {
    System.out.println("\n@fault " + what);
    System.out.flush();
  }

  private static final class Marked implements StudyEngine {
    private final StudyEngine engine;
    private final BufferedReader stdin;
    private final int pauseAfter;
    private static final java.util.concurrent.atomic.AtomicInteger RUNS =
        new java.util.concurrent.atomic.AtomicInteger();

    Marked(StudyEngine engine, BufferedReader stdin, int pauseAfter) {
      this.engine = engine;
      this.stdin = stdin;
      this.pauseAfter = pauseAfter;
    }

    @Override
    public OriginalRecord original(OriginalSpec spec) {
      mark("original");
      return engine.original(spec);
    }

    @Override
    public RecoveryResult recover(OriginalRecord original, RecoveryRequest request,
        RecoveryListener listener) {
      int n = RUNS.incrementAndGet();
      mark("recover " + n);
      RecoveryResult r = engine.recover(original, request, listener);
      mark("recovered " + n);
      if (n == pauseAfter) {
        try {
          stdin.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return r;
    }

    @Override
    public OptionalLong scratchExamples(OriginalRecord original) {
      mark("scratch");
      return engine.scratchExamples(original);
    }

    @Override
    public Map<String, String> build() {
      return engine.build();
    }

    @Override
    public void close() {
      engine.close();
    }
  }
}
