package dev.ablation.samediff.data;

import com.google.common.collect.ImmutableList;
import dev.ablation.samediff.Batch;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * A {@link BatchIterator} as an ND4J {@link MultiDataSetIterator}, for code that wants
 * {@code sd.fit(iterator, …)} or {@code sd.output(iterator, …)}: each batch's placeholders
 * become features and labels in the given order, to be matched by the
 * {@code TrainingConfig}'s {@code dataSetFeatureMapping} and {@code dataSetLabelMapping}.
 * (Our own training loop needs no adapter: it consumes {@link Batch}es directly.)
 */
public final class BatchMultiDataSetIterator implements MultiDataSetIterator {
  private static final long serialVersionUID = 1L;
  private final transient BatchIterator batches;
  private final List<String> features;
  private final List<String> labels;
  private transient MultiDataSetPreProcessor preProcessor;

  /**
   * @param batches the batches
   * @param features placeholder names that become features, in order
   * @param labels placeholder names that become labels, in order (may be empty)
   */
  public BatchMultiDataSetIterator(BatchIterator batches, List<String> features,
      List<String> labels) {
    if (batches == null || features == null || features.isEmpty() || labels == null) {
      throw new IllegalArgumentException("batches and at least one feature name are required");
    }
    this.batches = batches;
    this.features = ImmutableList.copyOf(features);
    this.labels = ImmutableList.copyOf(labels);
  }

  @Override
  public MultiDataSet next(int num) {
    throw new UnsupportedOperationException("the batch size is fixed by the BatchIterator");
  }

  @Override
  public MultiDataSet next() {
    Batch b = batches.next();
    MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(arrays(b, features),
        labels.isEmpty() ? null : arrays(b, labels));
    if (preProcessor != null) {
      preProcessor.preProcess(m);
    }
    return m;
  }

  private static INDArray[] arrays(Batch b, List<String> names) {
    INDArray[] out = new INDArray[names.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.placeholders().get(names.get(i));
      if (out[i] == null) {
        throw new IllegalArgumentException("batch has no placeholder '" + names.get(i)
            + "'; it has " + b.placeholders().keySet());
      }
    }
    return out;
  }

  @Override
  public boolean hasNext() {
    return batches.hasNext();
  }

  @Override
  public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
    this.preProcessor = preProcessor;
  }

  @Override
  public MultiDataSetPreProcessor getPreProcessor() {
    return preProcessor;
  }

  @Override
  public boolean resetSupported() {
    return true;
  }

  @Override
  public boolean asyncSupported() {
    return false;
  }

  @Override
  public void reset() {
    batches.reset();
  }
}
