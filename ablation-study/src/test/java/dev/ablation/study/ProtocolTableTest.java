package dev.ablation.study;

import dev.ablation.study.plan.Preset;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.TrainingSettings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md's "What each preset uses" table states every training setting of every
 * preset; this reads the table and {@link Presets} and fails on any difference, a missing
 * setting, or a missing preset (the page once said δ = 0.01 over k = 5 where the bigram presets
 * used 0.002 over 8).
 */
class ProtocolTableTest {

  /** The table: manifest key → (preset name → cell). */
  static Map<String, Map<String, String>> table() throws IOException {
    String page = Files.readString(Path.of("../docs/protocol.md"), StandardCharsets.UTF_8);
    int from = page.indexOf("## What each preset uses");
    assertThat(from).as("the section exists").isNotNegative();
    List<String> rows = page.substring(from).lines().dropWhile(l -> !l.startsWith("|"))
        .takeWhile(l -> l.startsWith("|")).toList();
    List<String> header = cells(rows.get(0));
    assertThat(header.subList(0, 3)).containsExactly("setting", "option", "key");
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String row : rows.subList(2, rows.size())) {
      List<String> c = cells(row);
      assertThat(c).as(row).hasSameSizeAs(header);
      Map<String, String> byPreset = new LinkedHashMap<>();
      for (int i = 3; i < c.size(); i++) {
        byPreset.put(header.get(i), c.get(i));
      }
      String key = c.get(2).replace("`", "");
      assertThat(out.put(key, byPreset)).as("one row per key: " + key).isNull();
    }
    return out;
  }

  private static List<String> cells(String row) {
    List<String> c = new ArrayList<>();
    for (String s : row.substring(1, row.lastIndexOf('|')).split("\\|")) {
      c.add(s.strip());
    }
    return c;
  }

  @Test
  void theTableStatesExactlyWhatEachPresetUses() throws IOException {
    Map<String, Map<String, String>> table = table();
    TreeSet<String> keys = new TreeSet<>();
    for (Preset p : Presets.ALL) {
      keys.addAll(p.plan().training().asMap().keySet());
    }
    keys.add("train_steps"); // only in the map of a fixed-length original
    keys.add(TrainingSettings.HORIZON_KEY); // only in the map of a study with --past-target
    assertThat(table.keySet()).as("a row for every setting and no other")
        .containsExactlyInAnyOrderElementsOf(keys);
    List<String> mismatches = new ArrayList<>();
    for (Preset p : Presets.ALL) {
      Map<String, String> actual = p.plan().training().asMap();
      for (String key : keys) {
        String doc = table.get(key).get(p.name());
        assertThat(doc).as("a column for preset " + p.name()).isNotNull();
        String code = actual.get(key);
        if (!same(doc, code)) {
          mismatches.add(p.name() + " " + key + ": docs/protocol.md says " + doc
              + ", Presets says " + (code == null ? "(not set)" : code));
        }
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  void aMismatchIsCaught() {
    assertThat(same("0.01", "0.002")).isFalse();
    assertThat(same("3e-3", "0.003")).isTrue();
    assertThat(same("—", "4096")).isFalse();
    assertThat(same("—", null)).isTrue();
    assertThat(same("noise", "NOISE")).isTrue();
    assertThat(same("8", null)).isFalse();
  }

  /** A cell and a manifest value agree: as numbers when both are, else as words; "—" is unset. */
  static boolean same(String doc, String code) {
    if (doc.equals("—") || code == null) {
      return doc.equals("—") && code == null;
    }
    try {
      return Double.parseDouble(doc) == Double.parseDouble(code);
    } catch (NumberFormatException e) {
      return doc.toLowerCase(Locale.ROOT).equals(code.toLowerCase(Locale.ROOT));
    }
  }
}
