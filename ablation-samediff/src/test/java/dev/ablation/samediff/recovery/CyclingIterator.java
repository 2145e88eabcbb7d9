package dev.ablation.samediff.recovery;

import java.util.List;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/** An endless iterator over a fixed list, in order: one "epoch" that never ends. */
final class CyclingIterator implements MultiDataSetIterator {
  private static final long serialVersionUID = 1L;
  private final transient List<MultiDataSet> data;
  private int i;

  CyclingIterator(List<MultiDataSet> data) {
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
  public void setPreProcessor(MultiDataSetPreProcessor p) {}

  @Override
  public MultiDataSetPreProcessor getPreProcessor() {
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
  public void reset() {}
}
