package dev.ablation.study.store;

import dev.ablation.study.plan.RunKey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.api.recovery.BudgetCap;
import dev.ablation.api.recovery.CurvePoint;
import dev.ablation.api.recovery.Fidelity;
import dev.ablation.api.recovery.FidelityAt;
import dev.ablation.api.recovery.RunManifest;
import dev.ablation.api.recovery.Verdict;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * JSON for run records and {@code results.json}: the CSV columns under the same names, then
 * the curve and the manifest. Absent values are {@code null}; non-finite losses are the
 * strings {@code "NaN"} and {@code "Infinity"}. Written explicitly (not by reflection) so the
 * file format is this class, not an accident of the record's shape.
 */
public final class RecordJson {
  private RecordJson() {}

  /** The format version of run records and {@code results.json}. */
  public static final int SCHEMA = 2;

  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** {@code record} as a JSON object. */
  public static ObjectNode toNode(RunRecord record) {
    ObjectNode n = MAPPER.createObjectNode();
    StudyRow r = record.row();
    RunKey k = r.key();
    n.put("arch", k.arch().key());
    n.put("n_layers", k.nLayers());
    n.put("d_model", k.dModel());
    n.put("layer", k.target().label());
    n.put("scheme", k.scheme().toString());
    n.put("freeze", k.freeze().key());
    n.put("seed", k.seed());
    n.put("verdict", r.verdict().name());
    putLong(n, "examples_to_recover", r.examplesToRecover());
    putDouble(n, "rho", r.rho());
    n.put("ref_examples", r.refExamples());
    putDouble(n, "loss_original", r.lossOriginal());
    putDouble(n, "loss_after_wipe", r.lossAfterWipe());
    putDouble(n, "loss_deleted", r.lossDeleted());
    putDouble(n, "loss_final", r.lossFinal());
    putLong(n, "examples_scratch", r.examplesScratch());
    putDouble(n, "wall_s", r.wallSeconds());
    putLong(n, "examples_orig", r.examplesOrig());
    putDouble(n, "rho_orig", r.rhoOrig());
    putDouble(n, "loss_original_sd", r.lossOriginalSd());
    putDouble(n, "recovery_lr", r.recoveryLr());
    putDouble(n, "recovery_lr_multiple", k.lrMultiple());
    if (record.position().isPresent()) {
      n.put("position", record.position().getAsInt());
    } else {
      n.putNull("position");
    }
    putDouble(n, "target_loss", record.targetLoss());
    if (record.budgetCap().isPresent()) {
      n.put("budget_cap", record.budgetCap().get().name());
    } else {
      n.putNull("budget_cap");
    }
    n.put("steps_spent", record.stepsSpent());
    n.put("examples_spent", record.examplesSpent());
    if (record.finalFidelity().isPresent()) {
      ObjectNode f = n.putObject("final_fidelity");
      putDouble(f, "top1_agreement", record.finalFidelity().get().top1Agreement());
      putDouble(f, "kl_to_original", record.finalFidelity().get().klToOriginal());
    } else {
      n.putNull("final_fidelity");
    }
    if (record.targetFidelity().isPresent()) { // only past-target runs have one
      FidelityAt at = record.targetFidelity().get();
      ObjectNode f = n.putObject("target_fidelity");
      f.put("step", at.step());
      putDouble(f, "top1_agreement", at.fidelity().top1Agreement());
      putDouble(f, "kl_to_original", at.fidelity().klToOriginal());
    }
    putCurve(n.putArray("curve"), record.curve());
    n.set("manifest", MAPPER.valueToTree(record.manifest()));
    putCurve(n.putArray("original_curve"), record.originalCurve());
    return n;
  }

  private static void putCurve(ArrayNode curve, List<CurvePoint> points) {
    for (CurvePoint p : points) {
      ObjectNode c = curve.addObject();
      c.put("step", p.step());
      c.put("examples", p.examples());
      c.put("tokens", p.tokens());
      putDouble(c, "loss", p.loss());
      putDouble(c, "smoothed_loss", p.smoothedLoss());
    }
  }

  private static List<CurvePoint> readCurve(JsonNode cn) {
    List<CurvePoint> curve = new ArrayList<>();
    for (Iterator<JsonNode> it = cn.elements(); it.hasNext(); ) {
      JsonNode c = it.next();
      curve.add(new CurvePoint(integer(c, "step"), integer(c, "examples"), integer(c, "tokens"),
          number(c, "loss"), number(c, "smoothed_loss")));
    }
    return curve;
  }

  /**
   * Reads a record written by {@link #toNode}, parsing its scheme and policy from their text.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static RunRecord fromNode(JsonNode n) {
    return fromNode(n, RunKey.Reader.parsing());
  }

  /**
   * Reads a record written by {@link #toNode}, resolving its key with {@code keys}.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static RunRecord fromNode(JsonNode n, RunKey.Reader keys) {
    try {
      RunKey key = keys.read(text(n, "arch"), (int) integer(n, "n_layers"),
          (int) integer(n, "d_model"), text(n, "layer"), text(n, "scheme"), text(n, "freeze"),
          integer(n, "seed"), isAbsent(n.get("recovery_lr_multiple")) ? 1.0
              : number(n, "recovery_lr_multiple"));
      StudyRow row = StudyRow.builder().key(key).verdict(Verdict.valueOf(text(n, "verdict")))
          .examplesToRecover(optLong(n, "examples_to_recover")).rho(optDouble(n, "rho"))
          .refExamples(integer(n, "ref_examples")).lossOriginal(number(n, "loss_original"))
          .lossAfterWipe(number(n, "loss_after_wipe")).lossDeleted(optDouble(n, "loss_deleted"))
          .lossFinal(number(n, "loss_final")).examplesScratch(optLong(n, "examples_scratch"))
          .wallSeconds(number(n, "wall_s")).examplesOrig(optLong(n, "examples_orig"))
          .rhoOrig(optDouble(n, "rho_orig"))
          .lossOriginalSd(isAbsent(n.get("loss_original_sd")) ? 0
              : number(n, "loss_original_sd"))
          .recoveryLr(isAbsent(n.get("recovery_lr")) ? Double.NaN : number(n, "recovery_lr"))
          .targetLoss(number(n, "target_loss")).build();
      OptionalInt position = isAbsent(n.get("position")) ? OptionalInt.empty()
          : OptionalInt.of((int) integer(n, "position"));
      Optional<BudgetCap> cap = isAbsent(n.get("budget_cap")) ? Optional.empty()
          : Optional.of(BudgetCap.valueOf(text(n, "budget_cap")));
      JsonNode fn = n.get("final_fidelity");
      Optional<Fidelity> fidelity = isAbsent(fn) ? Optional.empty()
          : Optional.of(new Fidelity(number(fn, "top1_agreement"), number(fn, "kl_to_original")));
      JsonNode tn = n.get("target_fidelity");
      Optional<FidelityAt> atTarget = isAbsent(tn) ? Optional.empty()
          : Optional.of(new FidelityAt(integer(tn, "step"), new Fidelity(
              number(tn, "top1_agreement"), number(tn, "kl_to_original"))));
      List<CurvePoint> curve = readCurve(required(n, "curve"));
      List<CurvePoint> originalCurve = isAbsent(n.get("original_curve")) ? List.of()
          : readCurve(n.get("original_curve"));
      RunManifest manifest = RunManifest.fromJson(
          MAPPER.writeValueAsString(required(n, "manifest")));
      return RunRecord.builder().row(row).position(position)
          .targetLoss(number(n, "target_loss")).budgetCap(cap)
          .stepsSpent(integer(n, "steps_spent")).examplesSpent(integer(n, "examples_spent"))
          .finalFidelity(fidelity).curve(curve).manifest(manifest).originalCurve(originalCurve)
          .targetFidelity(atTarget).build();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed run record: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code record} as indented JSON text. */
  public static String toJson(RunRecord record) {
    return write(toNode(record));
  }

  /** Reads the text written by {@link #toJson}. */
  public static RunRecord fromJson(String json) {
    return fromJson(json, RunKey.Reader.parsing());
  }

  /** Reads the text written by {@link #toJson}, resolving its key with {@code keys}. */
  public static RunRecord fromJson(String json, RunKey.Reader keys) {
    try {
      return fromNode(MAPPER.readTree(json), keys);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a run record: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code results.json}: the schema, the CSV header and every record in order. */
  public static String results(List<RunRecord> records) {
    return results(records, List.of());
  }

  /**
   * {@code results.json}: the schema, the CSV header, every record in order, and the runs that
   * failed ({@code failed}: their key, verdict {@code FAILED} and error), in order.
   */
  public static String results(List<RunRecord> records, List<FailedRun> failures) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", SCHEMA);
    ArrayNode header = root.putArray("columns");
    ResultsCsv.HEADER.forEach(header::add);
    ArrayNode runs = root.putArray("runs");
    records.forEach(r -> runs.add(toNode(r)));
    ArrayNode failed = root.putArray("failed");
    failures.forEach(f -> failed.add(toNode(f)));
    return write(root);
  }

  /** {@code failed} as a JSON object: the key's columns, verdict {@code FAILED}, the error. */
  public static ObjectNode toNode(FailedRun failed) {
    ObjectNode n = MAPPER.createObjectNode();
    RunKey k = failed.key();
    n.put("arch", k.arch().key());
    n.put("n_layers", k.nLayers());
    n.put("d_model", k.dModel());
    n.put("layer", k.target().label());
    n.put("scheme", k.scheme().toString());
    n.put("freeze", k.freeze().key());
    n.put("seed", k.seed());
    putDouble(n, "recovery_lr_multiple", k.lrMultiple());
    n.put("verdict", FailedRun.VERDICT);
    n.put("error", failed.error());
    return n;
  }

  /** {@code failed} as indented JSON text: the record file of a run that threw. */
  public static String toJson(FailedRun failed) {
    return write(toNode(failed));
  }

  /** Whether a run record's JSON is that of a run that failed ({@link #toNode(FailedRun)}). */
  public static boolean isFailed(JsonNode n) {
    return FailedRun.VERDICT.equals(n.path("verdict").asText());
  }

  /**
   * Reads a record written by {@link #toNode(FailedRun)}, resolving its key with {@code keys}.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static FailedRun failedFromNode(JsonNode n, RunKey.Reader keys) {
    RunKey key = keys.read(text(n, "arch"), (int) integer(n, "n_layers"),
        (int) integer(n, "d_model"), text(n, "layer"), text(n, "scheme"), text(n, "freeze"),
        integer(n, "seed"), isAbsent(n.get("recovery_lr_multiple")) ? 1.0
            : number(n, "recovery_lr_multiple"));
    return new FailedRun(key, text(n, "error"));
  }

  /**
   * {@code account} as the {@code cpu_account} object of {@code results.json}: the process's
   * CPU, each phase's seconds, what no phase was charged, and the evaluation share.
   */
  public static ObjectNode accountNode(dev.ablation.api.recovery.CpuAccount.Snapshot account) {
    ObjectNode n = MAPPER.createObjectNode();
    putDouble(n, "process_cpu_s", account.processSeconds());
    ObjectNode phases = n.putObject("phases_cpu_s");
    for (var p : dev.ablation.api.recovery.CpuAccount.Phase.values()) {
      putDouble(phases, p.key(), account.seconds(p));
    }
    putDouble(n, "unattributed_cpu_s", account.processSeconds() - account.chargedSeconds());
    putDouble(n, "evaluation_cpu_s", account.evaluationSeconds());
    putDouble(n, "study_eval_cpu_share", account.evaluationShare());
    return n;
  }

  /**
   * {@code results} (a {@code results.json} text) with its {@code cpu_account} set to
   * {@code account}.
   */
  public static String withAccount(String results,
      dev.ablation.api.recovery.CpuAccount.Snapshot account) {
    try {
      ObjectNode root = (ObjectNode) MAPPER.readTree(results);
      root.set("cpu_account", accountNode(account));
      return write(root);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a results.json: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads the records of a {@code results.json}. */
  public static List<RunRecord> readResults(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      if (integer(root, "schema") > SCHEMA) {
        throw new IllegalArgumentException("results.json schema " + root.get("schema")
            + " is newer than this program's " + SCHEMA);
      }
      List<RunRecord> out = new ArrayList<>();
      required(root, "runs").elements().forEachRemaining(r -> out.add(fromNode(r)));
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a results.json: " + e.getOriginalMessage(), e);
    }
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putDouble(ObjectNode n, String name, double v) {
    if (Double.isFinite(v)) {
      n.put(name, v);
    } else {
      n.put(name, Double.toString(v));
    }
  }

  private static void putDouble(ObjectNode n, String name, OptionalDouble v) {
    if (v.isPresent()) {
      putDouble(n, name, v.getAsDouble());
    } else {
      n.putNull(name);
    }
  }

  private static void putLong(ObjectNode n, String name, OptionalLong v) {
    if (v.isPresent()) {
      n.put(name, v.getAsLong());
    } else {
      n.putNull(name);
    }
  }

  private static boolean isAbsent(JsonNode v) {
    return v == null || v.isNull();
  }

  private static JsonNode required(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (isAbsent(v)) {
      throw new IllegalArgumentException("run record lacks '" + name + "'");
    }
    return v;
  }

  private static String text(JsonNode n, String name) {
    return required(n, name).asText();
  }

  private static long integer(JsonNode n, String name) {
    JsonNode v = required(n, name);
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("'" + name + "' must be an integer, got " + v);
    }
    return v.asLong();
  }

  private static double number(JsonNode n, String name) {
    JsonNode v = required(n, name);
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      return Double.parseDouble(v.asText());
    }
    throw new IllegalArgumentException("'" + name + "' must be a number, got " + v);
  }

  private static OptionalDouble optDouble(JsonNode n, String name) {
    return isAbsent(n.get(name)) ? OptionalDouble.empty() : OptionalDouble.of(number(n, name));
  }

  private static OptionalLong optLong(JsonNode n, String name) {
    return isAbsent(n.get(name)) ? OptionalLong.empty() : OptionalLong.of(integer(n, name));
  }
}
