package dev.ablation.study.engine;

import dev.ablation.samediff.data.CharNgram;
import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Split;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.TrainingSettings;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What an original is measured against, recorded in every run's manifest: the task's
 * Bayes-optimal loss where it is known, and for natural text the like-for-like character
 * n-gram of its training windows and the whole-corpus 4-gram; each computed once per original
 * (or task and length) and shared by the engine's workers.
 */
final class References {
  private References() {}

  /** The manifest key of the task's Bayes-optimal loss, nats per predicted token. */
  static final String LOSS_FLOOR = "loss_floor";
  /**
   * The manifest key of a text original's like-for-like reference: the validation loss
   * (nats/char) of the best add-k character n-gram of order 1–5 counted on exactly its
   * training windows ({@link CharNgram#best}); {@code ngram_reference_model} names it.
   */
  static final String NGRAM_REFERENCE = "ngram_reference";
  private static final Map<String, CharNgram.Choice> NGRAM_REFERENCES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The like-for-like n-gram reference of a text original (empty for other tasks), computed
   * once per original: every window it trained on is counted, so a model that does not beat
   * this has not learned more than counting its own training characters would.
   */
  static Optional<CharNgram.Choice> textReference(OriginalSpec spec, Split split) {
    if (spec.training().task() != dev.ablation.study.plan.Task.TEXT) {
      return Optional.empty();
    }
    return Optional.of(NGRAM_REFERENCES.computeIfAbsent(spec.contentHash(),
        k -> CharNgram.best(split.train(), split.validation(), EuroparlText.VOCAB)));
  }

  /**
   * The manifest key of the text reference beside the like-for-like one: the add-0.1
   * character 4-gram counted on the corpus's whole training part ({@link
   * EuroparlText#ngramLoss}), scored on the original's validation windows: what counting far
   * more characters than the original saw would give.
   */
  static final String NGRAM_WHOLE_REFERENCE = "ngram_whole_4gram";
  private static final Map<String, Double> WHOLE_REFERENCES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** {@link #NGRAM_WHOLE_REFERENCE} of a text original (empty for other tasks), once each. */
  static OptionalDouble wholeTextReference(OriginalSpec spec, Split split) {
    if (spec.training().task() != dev.ablation.study.plan.Task.TEXT) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(WHOLE_REFERENCES.computeIfAbsent(spec.contentHash(),
        k -> EuroparlText.load().ngramLoss(4, split.validation())));
  }

  private static final java.util.concurrent.ConcurrentMap<String, OptionalDouble> FLOORS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The Bayes-optimal loss of {@code spec}'s task at its string length (empty where none is
   * known: natural text, encoder-only models), computed once per task and length: the
   * in-context bigram's is an average over 20,000 strings, too dear to repeat for every run.
   * A language's floor is a causal LM's (tokens 1..T of a T+1 string); a
   * sequence-to-sequence task's is an encoder-decoder's (every target token of a source of
   * {@code seqLen} tokens), which is what {@link Corpus#lossFloor} gives for a pair corpus.
   */
  static OptionalDouble lossFloor(OriginalSpec spec) {
    TrainingSettings t = spec.training();
    int length = TaskCorpora.length(spec);
    if (t.task() == dev.ablation.study.plan.Task.TEXT
        || spec.model().arch() == Architecture.ENCODER_ONLY) {
      // text has no known floor (and loading it is not free); a masked LM's is no corpus's
      return OptionalDouble.empty();
    }
    return FLOORS.computeIfAbsent(t.task() + "/" + t.vocab() + "/" + length + "/"
        + spec.model().arch(), k -> TaskCorpora.corpus(t).lossFloor(length));
  }
}
