package dev.ablation.samediff;

import java.util.Set;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Cuts a model's graph at the start of a block into two graphs that share its parameter
 * arrays: the part below (embeddings and the blocks under the cut), which maps a batch to the
 * residual stream entering the block, and the part above, which reads that stream from a
 * placeholder and computes the same loss as the whole graph.
 *
 * <p>When nothing below the cut trains and the graph has no randomness, the residual stream
 * entering the cut is a pure function of the batch: a recovery can compute it once per batch
 * and run forward and backward passes on the part above only. An implementation therefore
 * exists only for graphs without randomness (no dropout, no sampling), and its parts must
 * compute exactly what the whole graph computes with the same weights.
 */
public interface BlockSplitter {

  /** The number of blocks, {@code N}: the graph can be cut at the input of block 0..N−1. */
  int blocks();

  /**
   * The variable names of every parameter the part below {@code cut} reads (embeddings and
   * blocks {@code 0..cut−1}); a parameter read on both sides (a tied embedding) is included.
   */
  Set<String> variablesBelow(int cut);

  /**
   * Both parts for {@code cut}, sharing (not copying) the parameter arrays of the graph this
   * splitter was made for: an in-place update of one is seen by all three graphs. An
   * implementation may return the same parts again for the same cut (their gradient graphs are
   * then built once).
   *
   * @throws IllegalArgumentException if {@code cut} is not in {@code [0, blocks())}
   */
  Parts split(int cut);

  /**
   * The two parts of a cut graph.
   *
   * @param below embeddings and blocks under the cut, fed the whole graph's placeholders
   * @param residual the variable of {@code below} holding the residual stream entering the cut,
   *     {@code [batch·pos, d_model]}
   * @param above the blocks from the cut up and the head, with the whole graph's loss (and
   *     logits) variable names
   * @param residualPlaceholder the placeholder of {@code above} that takes the stream
   */
  record Parts(SameDiff below, String residual, SameDiffModel above,
      String residualPlaceholder) {}
}
