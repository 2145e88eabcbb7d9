package dev.ablation.samediff.recovery;

import java.util.List;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * The same batches, in order, every epoch, never ending: the sd.fit route's data (its listener
 * ends the epoch). Package-private; the recovery tests feed sd.fit through it as well.
 */
final class CyclingMultiDataSetIterator implements MultiDataSetIterator {
  private static final long serialVersionUID = 1L;
  private final transient List<MultiDataSet> data;
  private int i;

  CyclingMultiDataSetIterator(List<MultiDataSet> data) {
    this.data = data;
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public MultiDataSet next() {
    MultiDataSet m = data.get(i);
    i = (i + 1) % data.size();
    return m;
  }

  @Override
  public MultiDataSet next(int num) {
    return next();
  }

  @Override
  public void setPreProcessor(org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor p) {
    throw new UnsupportedOperationException("the recovery's batches are used as given");
  }

  @Override
  public org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor getPreProcessor() {
    return null;
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
    i = 0;
  }
}
