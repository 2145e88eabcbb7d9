package dev.ablation.api.recovery;

/**
 * What training the original cost: {@code B_ref = S × E} examples and their tokens. Recovery
 * spending is reported as a fraction of it — the question's "1% or 10%?".
 *
 * @param examples {@code S × E}
 * @param tokens the tokens those examples held
 */
public record ReferenceCost(long examples, long tokens) {

  /** Validates that both are positive. */
  public ReferenceCost {
    Checks.positive("reference examples", examples);
    Checks.positive("reference tokens", tokens);
  }

  /** {@code strings × epochs} examples and {@code strings × epochs × tokensPerString} tokens. */
  public static ReferenceCost of(long strings, int epochs, long tokensPerString) {
    Checks.positive("strings S", strings);
    Checks.positive("epochs E", epochs);
    Checks.positive("tokens per string", tokensPerString);
    return new ReferenceCost(Math.multiplyExact(strings, epochs),
        Math.multiplyExact(Math.multiplyExact(strings, epochs), tokensPerString));
  }
}
