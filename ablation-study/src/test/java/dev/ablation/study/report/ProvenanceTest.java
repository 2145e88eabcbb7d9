package dev.ablation.study.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study resumed across sessions: its provenance row adds up the wall time and user CPU of
 * every session's {@code /usr/bin/time -v} file, keeps the largest peak memory, and says how many
 * sessions were killed before writing theirs.
 */
class ProvenanceTest {
  private static String time(String wall, String user, long rssKb) {
    return "\tCommand being timed: \"java -jar ablation.jar study\"\n"
        + "\tUser time (seconds): " + user + "\n"
        + "\tElapsed (wall clock) time (h:mm:ss or m:ss): " + wall + "\n"
        + "\tMaximum resident set size (kbytes): " + rssKb + "\n";
  }

  @Test
  void everySessionIsAddedUpAndAnUnmeasuredOneIsCounted(@TempDir Path data) throws Exception {
    Path study = Files.createDirectories(data.resolve("sweep").resolve("runs"));
    Files.writeString(data.resolve("commands.txt"), "java -jar ablation.jar study --out other\n"
        + "java -jar ablation.jar study --layers 2 --out sweep\n");
    Files.writeString(data.resolve("sweep.time"), ""); // killed with its session
    Files.writeString(data.resolve("sweep.resume-1.time"), time("1:02:03", "3000.50", 900_000));
    Files.writeString(data.resolve("sweep.resume-2.time"), time("4:05.50", "200.25", 1_200_000));
    Files.writeString(data.resolve("sweeping.time"), time("9:99:99", "1", 1)); // not this study

    String row = Provenance.row(data, study.getParent(), 7);

    assertThat(row).startsWith("| sweep | 7 | `java -jar ablation.jar study --layers 2 --out "
        + "sweep` |");
    // 1:02:03 + 4:05.5 = 1:06:08.5, rounded half up; 3000.50 + 200.25 s of CPU
    assertThat(row).contains("| 1:06:09 (3 sessions, 1 unmeasured) | 3200.75 s (3 sessions, 1 "
        + "unmeasured) | 1.20 GB |");
  }

  @Test
  void aStudyWithoutTimesIsRunning(@TempDir Path data) throws Exception {
    Path study = Files.createDirectories(data.resolve("s").resolve("runs")).getParent();
    assertThat(Provenance.row(data, study, 0)).endsWith("| — | running | — | — |");
  }

  @Test
  void clockReadsBothFormsOfTime() {
    assertThat(Provenance.clock("1:02:03")).isEqualTo(3723);
    assertThat(Provenance.clock("4:05.50")).isEqualTo(245.5);
    assertThat(Provenance.clockText(3723.4)).isEqualTo("1:02:03");
  }
}
