package dev.ablation.study.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The findings page's provenance table: per study folder, its command (from the data folder's
 * {@code commands.txt}) and what {@code /usr/bin/time -v} measured, added up over every session
 * of the study ({@code NAME.time}, then {@code NAME.resume-K.time} for each {@code --resume}).
 */
final class Provenance {
  private Provenance() {}

  /** One row of the provenance table, from the folder's {@code .time} file and the commands. */
  static String row(Path data, Path study, int runs) throws IOException {
    String name = study.getFileName().toString();
    String command = "—";
    Path commands = data.resolve("commands.txt");
    if (Files.isRegularFile(commands)) {
      command = Files.readAllLines(commands, StandardCharsets.UTF_8).stream()
          .filter(c -> c.endsWith("--out " + name)).findFirst().map(c -> "`" + c + "`")
          .orElse("—");
    }
    // one .time per session: NAME.time, then NAME.resume-1.time, … for each --resume
    List<Path> times;
    try (Stream<Path> t = Files.list(data)) {
      times = t.filter(f -> {
        String n = f.getFileName().toString();
        return n.equals(name + ".time") || (n.startsWith(name + ".") && n.endsWith(".time")
            && n.substring(name.length() + 1).startsWith("resume"));
      }).sorted().toList();
    }
    double wallS = 0;
    double userS = 0;
    long rssKb = 0;
    int measured = 0;
    for (Path time : times) {
      boolean any = false;
      for (String t : Files.readAllLines(time, StandardCharsets.UTF_8)) {
        String x = t.strip();
        String v = x.substring(x.lastIndexOf(' ') + 1);
        if (x.startsWith("Elapsed (wall clock) time")) {
          wallS += clock(v);
          any = true;
        } else if (x.startsWith("User time (seconds):")) {
          userS += Double.parseDouble(v);
        } else if (x.startsWith("Maximum resident set size (kbytes):")) {
          rssKb = Math.max(rssKb, Long.parseLong(v));
        }
      }
      measured += any ? 1 : 0;
    }
    int unmeasured = times.size() - measured;
    String wall = measured == 0 ? "running" : clockText(wallS);
    String user = measured == 0 ? "—" : String.format(Locale.ROOT, "%.2f s", userS);
    String rss = measured == 0 ? "—" : String.format(Locale.ROOT, "%.2f GB", rssKb / 1e6);
    if (measured > 0 && times.size() > 1) {
      String sessions = String.format(Locale.ROOT, " (%d sessions%s)", times.size(),
          unmeasured == 0 ? "" : ", " + unmeasured + " unmeasured");
      wall += sessions;
      user += sessions;
    }
    String machine = "—";
    Path readme = data.resolve("README.md");
    if (Files.isRegularFile(readme)) {
      machine = Files.readAllLines(readme, StandardCharsets.UTF_8).stream()
          .filter(l -> l.startsWith("Machine: ")).findFirst()
          .map(l -> "see data/" + data.getFileName() + "/README.md").orElse("—");
    }
    return "| " + name + " | " + runs + " | " + command + " | " + machine + " | " + wall
        + " | " + user + " | " + rss + " |";
  }

  /** Seconds of {@code h:mm:ss} or {@code m:ss.ss}, as {@code /usr/bin/time -v} writes them. */
  static double clock(String v) {
    double seconds = 0;
    for (String part : v.split(":")) {
      seconds = seconds * 60 + Double.parseDouble(part);
    }
    return seconds;
  }

  /** {@code h:mm:ss} of whole seconds. */
  static String clockText(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
