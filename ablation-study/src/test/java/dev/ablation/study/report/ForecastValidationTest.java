package dev.ablation.study.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.study.store.RecordJson;
import dev.ablation.study.store.RunRecord;
import dev.ablation.study.store.StudyRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leave-one-original-out validation over the golden results set. */
class ForecastValidationTest {
  private static List<RunRecord> golden() throws IOException {
    return RecordJson.readResults(Files.readString(
        Path.of("src/test/resources/dev/ablation/study/report/golden/results.json"),
        StandardCharsets.UTF_8));
  }

  @Test
  void everyDamagedRunIsForecastOrCountedApart() throws IOException {
    List<RunRecord> records = golden();
    long damaged = records.stream().filter(r -> !Runs.undamaged(r)).count();
    long recoveredEarly = records.stream().filter(r -> Runs.recoveryPoint(r)
        .map(p -> p.step() <= 10).orElse(false)).count();
    ForecastValidation.Result r = ForecastValidation.validate(records, 10);
    ForecastValidation.Line all = r.arms().get(r.arms().size() - 1);
    assertEquals("all", all.arm());
    assertEquals(damaged, all.forecasts() + all.censored() + all.withinHorizon()
        + all.uncalibrated(), r.markdown());
    assertEquals(recoveredEarly, all.withinHorizon(), r.markdown());
    assertTrue(all.forecasts() > 0 && all.covered() <= all.forecasts(), r.markdown());
    assertTrue(r.markdown().contains("| all | " + all.forecasts() + " | " + all.covered()),
        r.markdown());
  }

  @Test
  void fromTheCsvItIsTheDamageForecastAtStepZero() throws IOException {
    // results.json with a horizon of 0 steps and results.csv's rows are the same evidence by
    // two routes: the tallies must agree, and nothing can use a curve
    List<RunRecord> records = golden();
    List<StudyRow> rows = records.stream().map(RunRecord::row).toList();
    ForecastValidation.Result json = ForecastValidation.validate(records, 0);
    ForecastValidation.Result csv = ForecastValidation.validateRows(rows);
    assertEquals(json.arms().size(), csv.arms().size());
    for (int i = 0; i < json.arms().size(); i++) {
      ForecastValidation.Line a = json.arms().get(i);
      ForecastValidation.Line b = csv.arms().get(i);
      assertEquals(a.arm(), b.arm());
      assertEquals(a.forecasts(), b.forecasts());
      assertEquals(a.covered(), b.covered());
      assertEquals(a.medianAbsLogError(), b.medianAbsLogError(), 1e-12);
      assertEquals(a.censored(), b.censored());
      assertEquals(0, a.curveBased());
      assertEquals(0, a.withinHorizon());
    }
    assertTrue(csv.markdown().contains("from the step-0 damage alone"), csv.markdown());
  }
}
