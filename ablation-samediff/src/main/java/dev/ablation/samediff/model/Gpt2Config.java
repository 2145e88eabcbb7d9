package dev.ablation.samediff.model;

import dev.ablation.api.Architecture;
import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of a transformer in GPT-2's layout ({@link Gpt2Model}), named as in Hugging Face's
 * {@code GPT2Config}, plus the context the SameDiff graph is built for.
 *
 * @param nLayer blocks {@code h.0 … h.(n_layer-1)}
 * @param nEmbd residual width {@code d_model}
 * @param nHead attention heads ({@code n_embd} must divide by it; not in a checkpoint's
 *     shapes: take it from the model's {@code config.json})
 * @param nPositions rows of the position table {@code wpe}
 * @param vocab rows of the token table {@code wte}
 * @param context positions per sequence in the built graph, {@code 1 … n_positions}: the graph
 *     reads the first {@code context} rows of {@code wpe}
 */
public record Gpt2Config(int nLayer, int nEmbd, int nHead, int nPositions, int vocab,
    int context) {
  /** Validates every size, naming each bad one. */
  public Gpt2Config {
    List<String> problems = new ArrayList<>();
    if (nLayer < 1) {
      problems.add("n_layer must be >= 1, got " + nLayer);
    }
    if (nEmbd < 1) {
      problems.add("n_embd must be >= 1, got " + nEmbd);
    }
    if (nHead < 1 || nEmbd >= 1 && nEmbd % nHead != 0) {
      List<Integer> ok = new ArrayList<>();
      for (int h = 1; h <= nEmbd; h++) {
        if (nEmbd % h == 0) {
          ok.add(h);
        }
      }
      problems.add("n_head=" + nHead + " does not divide n_embd=" + nEmbd + "; valid: " + ok);
    }
    if (vocab < 2) {
      problems.add("vocab must be >= 2, got " + vocab);
    }
    if (nPositions < 1) {
      problems.add("n_positions must be >= 1, got " + nPositions);
    }
    if (context < 1 || context > nPositions) {
      problems.add("context must be in [1, n_positions=" + nPositions + "], got " + context);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid GPT-2 config: " + String.join("; ", problems));
    }
  }

  /** The same model built for another context. */
  public Gpt2Config withContext(int context) {
    return new Gpt2Config(nLayer, nEmbd, nHead, nPositions, vocab, context);
  }

  /** The MLP's inner width, {@code 4·n_embd} as in GPT-2. */
  public int nInner() {
    return 4 * nEmbd;
  }

  /**
   * The equivalent decoder-only reference config: the same placeholders, so
   * {@link ReferenceBatches} makes this model's batches.
   */
  public TransformerConfig asReference() {
    return TransformerConfig.builder(Architecture.DECODER_ONLY)
        .nLayers(nLayer).dModel(nEmbd).nHeads(nHead).dFf(nInner())
        .vocab(vocab).context(context)
        .tiedEmbeddings(true)
        .seed(0)
        .build();
  }
}
