package dev.ablation.samediff.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ablation.samediff.Batch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class BatchIteratorTest {
  private final List<List<Example>> seen = new ArrayList<>();
  private final Function<List<Example>, Batch> recorder = xs -> {
    seen.add(List.copyOf(xs));
    int[][] ids = xs.stream().map(Example::tokens).toArray(int[][]::new);
    return new Batch(Map.of("tokens", Nd4j.createFromArray(ids),
        "labels", Nd4j.ones(xs.size(), 1)), xs.size(), xs.size());
  };

  private static List<Example> examples(int n) {
    List<Example> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add(Example.of(i, i + 1));
    }
    return xs;
  }

  @Test
  void everyExampleOncePerEpochReshuffledReproducibly() {
    BatchIterator it = new BatchIterator(examples(10), 4, 5, 3, recorder);
    assertEquals(3, it.batchesPerEpoch());
    int batches = 0;
    while (it.hasNext()) {
      it.next();
      batches++;
    }
    assertEquals(9, batches);
    assertEquals(List.of(4, 4, 2, 4, 4, 2, 4, 4, 2), seen.stream().map(List::size).toList());
    for (int e = 0; e < 3; e++) {
      Map<Example, Integer> count = new HashMap<>();
      for (int b = 3 * e; b < 3 * e + 3; b++) {
        seen.get(b).forEach(x -> count.merge(x, 1, Integer::sum));
      }
      assertEquals(10, count.size());
      count.values().forEach(c -> assertEquals(1, c));
    }
    assertNotEquals(seen.get(0), seen.get(3));
    List<List<Example>> first = List.copyOf(seen);
    seen.clear();
    it.reset();
    it.forEachRemaining(b -> { });
    assertEquals(first, seen);
    assertThrows(java.util.NoSuchElementException.class, it::next);
    assertThrows(IllegalArgumentException.class,
        () -> new BatchIterator(List.of(), 4, 5, 3, recorder));
  }

  @Test
  void multiDataSetAdapterExposesPlaceholdersInOrder() {
    BatchMultiDataSetIterator it = new BatchMultiDataSetIterator(
        new BatchIterator(examples(3), 2, 1, 1, recorder), List.of("tokens"), List.of("labels"));
    MultiDataSet m = it.next();
    assertEquals(2, m.getFeatures(0).size(0));
    assertEquals(2, m.getFeatures(0).size(1));
    assertEquals(Nd4j.ones(2, 1), m.getLabels(0));
    it.next();
    assertFalse(it.hasNext());
    it.reset();
    assertEquals(m.getFeatures(0), it.next().getFeatures(0));
    BatchMultiDataSetIterator bad = new BatchMultiDataSetIterator(
        new BatchIterator(examples(3), 2, 1, 1, recorder), List.of("nope"), List.of());
    assertThrows(IllegalArgumentException.class, bad::next);
  }
}
