package dev.ablation.samediff.data;

import java.util.Arrays;

/**
 * One training or validation string as token ids: a sequence for language models, or a
 * source and its target for sequence-to-sequence tasks. Immutable; equal by content, so splits
 * can check that no validation example occurs in the training set.
 */
public final class Example {
  private final int[] tokens;
  private final int[] target;

  private Example(int[] tokens, int[] target) {
    if (tokens == null || tokens.length == 0) {
      throw new IllegalArgumentException("an example needs at least one token");
    }
    this.tokens = tokens.clone();
    this.target = target == null ? null : target.clone();
    if (this.target != null && this.target.length == 0) {
      throw new IllegalArgumentException("a sequence-to-sequence example needs a non-empty "
          + "target");
    }
  }

  /** A language-model string. */
  public static Example of(int... tokens) {
    return new Example(tokens, null);
  }

  /** A sequence-to-sequence pair. */
  public static Example pair(int[] source, int[] target) {
    if (target == null) {
      throw new IllegalArgumentException("a pair needs a target");
    }
    return new Example(source, target);
  }

  /** The tokens (the source, for a pair); a copy. */
  public int[] tokens() {
    return tokens.clone();
  }

  /** The target of a pair; a copy. */
  public int[] target() {
    if (target == null) {
      throw new IllegalStateException("this example is a single sequence, not a pair");
    }
    return target.clone();
  }

  /** Whether this is a sequence-to-sequence pair. */
  public boolean isPair() {
    return target != null;
  }

  /** The number of tokens (of the source, for a pair). */
  public int length() {
    return tokens.length;
  }

  /** The number of target tokens; 0 for a single sequence. */
  public int targetLength() {
    return target == null ? 0 : target.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Example e && Arrays.equals(tokens, e.tokens)
        && Arrays.equals(target, e.target);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(target);
  }

  @Override
  public String toString() {
    return target == null ? Arrays.toString(tokens)
        : Arrays.toString(tokens) + " -> " + Arrays.toString(target);
  }
}
