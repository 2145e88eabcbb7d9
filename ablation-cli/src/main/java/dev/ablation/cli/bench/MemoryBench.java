package dev.ablation.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The study's memory and CPU figures behind {@code bench --memory}: a slice of the default
 * preset (one seed: both its originals and every recovery of them) run as the README runs a
 * study, in a child JVM with {@code -Xmx1g -XX:+UseSerialGC}, once on two workers and once on
 * one, each from an empty directory (originals trained, not loaded). Prints each child's peak
 * resident set ({@code VmHWM}), user CPU seconds and wall seconds, and the ratio of user CPU
 * on two workers to one: two workers do the same work, so a ratio well above 1 means CPU burnt
 * outside the work (the collector, spinning native threads).
 *
 * <p>Why child JVMs: a process's peak resident set is only meaningful for a process that did
 * nothing else, and the figure a user meets is that of {@code java -jar ablation.jar study}.
 * The children are read through {@code /proc} (Linux); elsewhere the figures print as -1.
 */
public final class MemoryBench {
  /** The heap the children get: the target is under 2 GB resident at this heap. */
  public static final String HEAP = "-Xmx1g";
  /**
   * The collector the README's command names: the study's live heap is tens of megabytes but
   * it allocates hundreds per second, and G1 answers that by growing its heap to {@code -Xmx}
   * (all of it resident); the serial collector keeps a few hundred megabytes
   * (docs/performance.md, "Memory").
   */
  public static final String COLLECTOR = "-XX:+UseSerialGC";

  private final String mainClass;
  private final List<String> studyArgs;
  private final PrintWriter out;

  /**
   * The default preset's first seed.
   *
   * @param mainClass the class whose {@code main} is {@code ablation.jar}'s command line: the
   *     children run {@code study} through it
   */
  public MemoryBench(String mainClass, PrintWriter out) {
    this(mainClass, List.of("--preset", "default", "--seeds", "1"), out);
  }

  /** Another slice (tests use a tiny one): {@code study} arguments without --out/--workers. */
  public MemoryBench(String mainClass, List<String> studyArgs, PrintWriter out) {
    this.mainClass = mainClass;
    this.studyArgs = List.copyOf(studyArgs);
    this.out = out;
  }

  /** Runs the slice on two workers and on one and prints the figures. */
  public void run() {
    Path root;
    try {
      root = Files.createTempDirectory("ablation-memory-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      print("memory_slice", String.join(" ", studyArgs));
      print("memory_child_heap", HEAP);
      Child two = child(root.resolve("workers2"), 2);
      Child one = child(root.resolve("workers1"), 1);
      for (Child c : List.of(two, one)) {
        String p = "default_study_slice_workers" + c.workers + ".";
        print(p + "peak_rss_mb", Long.toString(c.peakRssKb >> 10));
        print(p + "user_cpu_s", fmt(c.userCpuS));
        print(p + "wall_s", fmt(c.wallS));
      }
      print("default_study_slice_user_cpu_workers2_over_workers1",
          fmt(one.userCpuS > 0 ? two.userCpuS / one.userCpuS : -1));
    } finally {
      deleteQuietly(root);
    }
    out.flush();
  }

  private record Child(int workers, long peakRssKb, double userCpuS, double wallS) {}

  private Child child(Path dir, int workers) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add(HEAP);
    cmd.add(COLLECTOR);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.add("study");
    cmd.addAll(studyArgs);
    cmd.add("--workers");
    cmd.add(Integer.toString(workers));
    cmd.add("--out");
    cmd.add(dir.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
    long t0 = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a child JVM: " + e.getMessage(), e);
    }
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
    long peak = -1;
    double user = -1;
    try {
      while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
        peak = Math.max(peak, hwmKb(status));
        user = Math.max(user, userCpuSeconds(stat));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the child study failed: exit " + p.exitValue()
            + " (" + String.join(" ", cmd) + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the child study", e);
    } finally {
      p.destroyForcibly();
    }
    return new Child(workers, peak, user, (System.nanoTime() - t0) / 1e9);
  }

  /** The process's peak resident set in KiB ({@code VmHWM}), or -1. */
  static long hwmKb(Path status) {
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1; // gone, or not Linux
    }
    return -1;
  }

  /** User CPU seconds of a process from {@code /proc/<pid>/stat} (field 14, clock ticks). */
  static double userCpuSeconds(Path stat) {
    try {
      String s = Files.readString(stat, StandardCharsets.UTF_8);
      // the command name (field 2) may hold spaces: count fields after its closing parenthesis
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) / 100.0; // utime is the 14th field; USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.2f", x);
  }

  private void print(String name, String value) {
    out.println(name + "=" + value);
    out.flush();
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(q -> {
        try {
          Files.deleteIfExists(q);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
