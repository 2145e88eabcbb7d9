package dev.ablation.study.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.Preset;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.StudyPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON a plan leaves on disk, byte for byte: each preset's {@code study.json} (the plan's
 * heads and training settings, which {@code --resume} compares with the directory's) and the
 * configuration an original's manifest records (its content hash's input). Why: the records
 * {@code StudyPlan} and {@code TrainingSettings} became classes built by builders, and existing
 * result directories must still resume and existing originals keep their cache keys. The golden
 * file was written by the code before that change.
 *
 * <p>Regenerate only for an intended change of the files: {@code mvn -pl ablation-study -am
 * verify -Dtest=StudyJsonGoldenTest -Dgolden.update=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class StudyJsonGoldenTest {
  static final Path GOLDEN =
      Path.of("src/test/resources/dev/ablation/study/store/study-json-golden.txt");
  /** A build that does not change with the version, so the file is the plan's alone. */
  static final StudyBuild BUILD = new StudyBuild(Map.of(StudyBuild.ABLATION, "golden"));

  @TempDir
  Path tmp;

  /** Every preset, and one with the two optional settings ({@code train_steps}, the horizon). */
  static Map<String, StudyPlan> plans() {
    Map<String, StudyPlan> m = new LinkedHashMap<>();
    for (Preset p : Presets.ALL) {
      m.put(p.name(), p.plan());
    }
    StudyPlan q = Presets.QUICK.plan();
    m.put("quick+train-steps+past-target", q.toBuilder().training(q.training().toBuilder()
        .trainSteps(640).horizonSteps(400).build()).build());
    return m;
  }

  @Test
  void studyJsonAndTheOriginalsConfigurationAreWhatTheyWere() throws IOException {
    StringBuilder now = new StringBuilder();
    for (Map.Entry<String, StudyPlan> e : plans().entrySet()) {
      Path dir = Files.createDirectories(tmp.resolve(e.getKey()));
      ResultStore.open(dir, e.getValue(), false, BUILD, false);
      now.append("== ").append(e.getKey()).append(" study.json\n")
          .append(Files.readString(dir.resolve(ResultStore.STUDY), StandardCharsets.UTF_8));
      OriginalSpec o = e.getValue().originals().get(0);
      now.append("== ").append(e.getKey()).append(" configuration of ").append(o.model())
          .append(" seed ").append(o.seed()).append('\n')
          .append(RecordJson.write(RecordJson.MAPPER.valueToTree(
              new TreeMap<>(o.configuration()))));
    }
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(GOLDEN, now, StandardCharsets.UTF_8);
    }
    assertThat(now.toString()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  /** A directory written before the change resumes: its study.json matches the plan's. */
  @Test
  void aStudyJsonOfTheGoldenFileResumes() throws IOException {
    String golden = Files.readString(GOLDEN, StandardCharsets.UTF_8);
    for (Map.Entry<String, StudyPlan> e : plans().entrySet()) {
      String head = "== " + e.getKey() + " study.json\n";
      int from = golden.indexOf(head) + head.length();
      String studyJson = golden.substring(from, golden.indexOf("\n== ", from) + 1);
      Path dir = Files.createDirectories(tmp.resolve("resume-" + e.getKey()));
      Files.writeString(dir.resolve(ResultStore.STUDY), studyJson, StandardCharsets.UTF_8);
      assertThatCode(() -> ResultStore.open(dir, e.getValue(), true, BUILD, false))
          .as(e.getKey()).doesNotThrowAnyException();
      assertThat(Files.readString(dir.resolve(ResultStore.STUDY), StandardCharsets.UTF_8))
          .as("resuming leaves it as it was").isEqualTo(studyJson);
    }
  }
}
