import dev.ablation.study.store.ResultStore;
import dev.ablation.study.store.ResultsCsv;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the rows of two study directories' {@code results.csv}, every column but
 * {@code wall_s}; prints the differences and exits 1 when there are any.
 * Usage: {@code java -cp APP_JAR CompareRows.java EXPECTED_DIR ACTUAL_DIR}.
 */
public class CompareRows {
  public static void main(String[] args) throws Exception {
    List<List<String>> expected = rows(Path.of(args[0]));
    List<List<String>> actual = rows(Path.of(args[1]));
    int differ = 0;
    for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
      List<String> e = i < expected.size() ? expected.get(i) : null;
      List<String> a = i < actual.size() ? actual.get(i) : null;
      if (e == null || !e.equals(a)) {
        differ++;
        System.out.println("row " + (i + 1) + " differs:\n  expected " + e + "\n  actual   " + a);
      }
    }
    if (differ > 0 || expected.isEmpty()) {
      System.out.println("FAIL: " + differ + " of " + Math.max(expected.size(), actual.size())
          + " rows differ (wall_s ignored)" + (expected.isEmpty() ? "; no rows" : ""));
      System.exit(1);
    }
    System.out.println("OK: " + expected.size() + " rows identical in every column but wall_s");
  }

  static List<List<String>> rows(Path dir) throws Exception {
    int wall = ResultsCsv.HEADER.indexOf("wall_s");
    List<List<String>> out = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(dir.resolve(ResultStore.CSV), StandardCharsets.UTF_8)) {
      ResultsCsv.read(in).forEach(r -> {
        List<String> cells = new ArrayList<>(ResultsCsv.cells(r));
        cells.remove(wall);
        out.add(cells);
      });
    }
    return out;
  }
}
