package dev.ablation.study.store;

import dev.ablation.study.plan.Numbers;
import dev.ablation.study.plan.RunKey;

import dev.ablation.api.recovery.Verdict;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/** The {@code results.csv} format: header, one line per run, {@code \n} line ends. */
public final class ResultsCsv {
  private ResultsCsv() {}

  /** The columns, in order. */
  public static final List<String> HEADER = List.of("arch", "n_layers", "d_model", "layer",
      "scheme", "freeze", "seed", "verdict", "examples_to_recover", "rho", "ref_examples",
      "loss_original", "loss_after_wipe", "loss_deleted", "loss_final", "examples_scratch",
      "wall_s", "examples_orig", "rho_orig", "loss_original_sd", "recovery_lr",
      "recovery_lr_multiple", "target_loss");

  /** The columns of the first format (the first 17), which {@link #read} still accepts. */
  static final List<String> HEADER_V1 = HEADER.subList(0, 17);

  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
      .setRecordSeparator("\n").get();

  /** The header line, with its line end. */
  public static String headerLine() {
    return line(HEADER);
  }

  /** The cells of {@code row}, in {@link #HEADER} order. */
  public static List<String> cells(StudyRow row) {
    RunKey k = row.key();
    return List.of(k.arch().key(), Integer.toString(k.nLayers()), Integer.toString(k.dModel()),
        k.target().label(), k.scheme().toString(), k.freeze().key(), Long.toString(k.seed()),
        row.verdict().name(),
        Numbers.format(row.examplesToRecover()), Numbers.format(row.rho()),
        Long.toString(row.refExamples()), Numbers.format(row.lossOriginal()),
        Numbers.format(row.lossAfterWipe()), Numbers.format(row.lossDeleted()),
        Numbers.format(row.lossFinal()), Numbers.format(row.examplesScratch()),
        Numbers.format(Math.round(row.wallSeconds() * 1000) / 1000.0),
        Numbers.format(row.examplesOrig()), Numbers.format(row.rhoOrig()),
        Numbers.format(row.lossOriginalSd()), Numbers.format(row.recoveryLr()),
        Numbers.format(k.lrMultiple()), Numbers.format(row.targetLoss()));
  }

  /** One complete line for {@code row}, quoted where a cell needs it, ending in {@code \n}. */
  public static String line(StudyRow row) {
    return line(cells(row));
  }

  /**
   * The cells of a run that failed: its key (including {@code recovery_lr_multiple}), verdict
   * {@code FAILED}, and every other cell empty (its error is in its record and in
   * {@code results.json}).
   */
  public static List<String> cells(FailedRun failed) {
    RunKey k = failed.key();
    List<String> out = new ArrayList<>(List.of(k.arch().key(), Integer.toString(k.nLayers()),
        Integer.toString(k.dModel()), k.target().label(), k.scheme().toString(),
        k.freeze().key(), Long.toString(k.seed()), FailedRun.VERDICT));
    while (out.size() < HEADER.size()) {
      out.add("");
    }
    out.set(HEADER.indexOf("recovery_lr_multiple"), Numbers.format(k.lrMultiple()));
    return out;
  }

  /** One complete line for a run that failed. */
  public static String line(FailedRun failed) {
    return line(cells(failed));
  }

  private static String line(List<String> cells) {
    StringWriter w = new StringWriter();
    try (CSVPrinter p = new CSVPrinter(w, FORMAT)) {
      p.printRecord(cells);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * Reads the rows of a complete file, parsing schemes and policies from their text.
   *
   * @throws IllegalArgumentException if the header differs or a line is malformed, naming it
   */
  public static List<StudyRow> read(Reader in) throws IOException {
    return read(in, RunKey.Reader.parsing());
  }

  /**
   * Reads the rows of a complete file, resolving keys with {@code keys}. Rows of runs that
   * failed (verdict {@code FAILED}) have no numbers and are skipped: the result store's
   * {@code failures()} holds them.
   *
   * @throws IllegalArgumentException if the header differs or a line is malformed, naming it
   */
  public static List<StudyRow> read(Reader in, RunKey.Reader keys) throws IOException {
    List<StudyRow> out = new ArrayList<>();
    try (CSVParser p = CSVParser.builder().setReader(in).setFormat(FORMAT).get()) {
      boolean first = true;
      for (CSVRecord r : p) {
        if (first) {
          first = false;
          if (!r.toList().equals(HEADER) && !r.toList().equals(HEADER_V1)) {
            throw new IllegalArgumentException("not a results.csv header: " + r.toList());
          }
          continue;
        }
        if (r.size() > 7 && FailedRun.VERDICT.equals(r.get(7))) {
          continue;
        }
        out.add(parse(r, keys));
      }
    }
    return out;
  }

  private static StudyRow parse(CSVRecord r, RunKey.Reader keys) {
    if (r.size() != HEADER.size() && r.size() != HEADER_V1.size()) {
      throw new IllegalArgumentException("line " + r.getRecordNumber() + " has " + r.size()
          + " cells, expected " + HEADER.size() + ": " + r.toList());
    }
    try {
      boolean v2 = r.size() == HEADER.size();
      RunKey key = keys.read(r.get(0), Integer.parseInt(r.get(1)), Integer.parseInt(r.get(2)),
          r.get(3), r.get(4), r.get(5), Long.parseLong(r.get(6)),
          v2 ? Double.parseDouble(r.get(21)) : 1.0);
      StudyRowBuilder row = StudyRow.builder().key(key).verdict(Verdict.valueOf(r.get(7)))
          .examplesToRecover(Numbers.parseOptionalLong(r.get(8)))
          .rho(Numbers.parseOptionalDouble(r.get(9))).refExamples(Long.parseLong(r.get(10)))
          .lossOriginal(Double.parseDouble(r.get(11)))
          .lossAfterWipe(Double.parseDouble(r.get(12)))
          .lossDeleted(Numbers.parseOptionalDouble(r.get(13)))
          .lossFinal(Double.parseDouble(r.get(14)))
          .examplesScratch(Numbers.parseOptionalLong(r.get(15)))
          .wallSeconds(Double.parseDouble(r.get(16)));
      if (v2) {
        row.examplesOrig(Numbers.parseOptionalLong(r.get(17)))
            .rhoOrig(Numbers.parseOptionalDouble(r.get(18)))
            .lossOriginalSd(Double.parseDouble(r.get(19)))
            .recoveryLr(Double.parseDouble(r.get(20)))
            .targetLoss(Double.parseDouble(r.get(22)));
      } else { // the first format had none of these: no T_orig, σ 0, rate and target unknown
        row.lossOriginalSd(0).recoveryLr(Double.NaN).targetLoss(Double.NaN);
      }
      return row.build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("line " + r.getRecordNumber() + " is malformed: "
          + r.toList() + " (" + e.getMessage() + ")", e);
    }
  }
}
