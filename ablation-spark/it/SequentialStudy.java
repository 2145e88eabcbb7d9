import dev.ablation.cli.StudyOptions;
import dev.ablation.study.run.Study;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.engine.SameDiffStudyEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The integration script's reference: the study of a preset as {@code ablation.jar study}
 * runs it (the study library, every core as workers), on the classes of the Spark application
 * jar. Usage: {@code java -cp APP_JAR:SPARK_JARS SequentialStudy.java PRESET OUT_DIR}.
 */
public class SequentialStudy {
  public static void main(String[] args) throws Exception {
    StudyOptions o = new StudyOptions();
    new picocli.CommandLine(o).parseArgs("--preset", args[0]);
    List<String> errors = new ArrayList<>();
    StudyPlan plan = o.plan(errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    Study.Outcome outcome = Study.runInto(Path.of(args[1]), plan, SameDiffStudyEngine::new,
        Study.Options.defaults());
    System.out.println(outcome.ran() + " runs of preset " + args[0] + " in " + args[1]);
  }
}
