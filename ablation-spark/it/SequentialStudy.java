import dev.ablation.study.PlanOptions;
import dev.ablation.study.Progress;
import dev.ablation.study.ResultStore;
import dev.ablation.study.Study;
import dev.ablation.study.StudyPlan;
import dev.ablation.study.engine.SameDiffStudyEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The integration script's reference: the sequential study (what {@code ablation.jar study}
 * runs) of a preset, on the classes of the Spark application jar.
 * Usage: {@code java -cp APP_JAR:SPARK_JARS SequentialStudy.java PRESET OUT_DIR}.
 */
public class SequentialStudy {
  public static void main(String[] args) throws Exception {
    PlanOptions o = new PlanOptions();
    o.preset = args[0];
    List<String> errors = new ArrayList<>();
    StudyPlan plan = o.plan(errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    Path out = Path.of(args[1]);
    ResultStore store = ResultStore.open(out, plan, false);
    int ran;
    try (SameDiffStudyEngine engine = new SameDiffStudyEngine(out.resolve("originals"))) {
      ran = new Study(plan, engine, store, Progress.none()).run();
    }
    store.writeResults();
    System.out.println(ran + " runs of preset " + args[0] + " in " + out);
  }
}
