package dev.ablation.study.engine;

import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.DyckLanguage;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.HopRecall;
import dev.ablation.samediff.data.InContextBigram;
import dev.ablation.samediff.data.LooseTranslation;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Seq2SeqTask;
import dev.ablation.api.Architecture;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.TrainingSettings;

/**
 * The study's tasks as corpora and models: the constants that fix each synthetic language (the
 * same task for every original of a study), the corpus of a task ({@code docs/tasks.md}) and
 * the reference model an original of a shape is built as.
 */
public final class TaskCorpora {
  private TaskCorpora() {}

  /** The seed of the synthetic language itself: the same task for every run of a study. */
  public static final long LANGUAGE_SEED = 20_261_126L;
  /**
   * How predictable the Markov language is: 3 puts its loss floor at about 40% of
   * {@code ln vocab}, so a trained original is far from uniform and a wipe does visible damage.
   */
  public static final double SHARPNESS = 3.0;
  /**
   * The Dirichlet concentration of the in-context bigram task: sparse rows (most of a
   * string's transitions from a token go to one or two successors), so reading them pays.
   */
  public static final double BIGRAM_ALPHA = 0.3;
  /**
   * q of the loose translation: the probability that a target token follows the target-side
   * chain instead of translating its source token. At 0.5 (vocabulary 17, strings of 12) the
   * floor is 0.985 nats, the best source-blind decoder 1.761, uniform ln 17 = 2.833: half the
   * target is learnable only from the prefix, half only from the source.
   */
  public static final double LOOSENESS = 0.5;
  /** k of the multi-hop recall task: answers are π applied this many times. */
  public static final int HOPS = 2;
  /** Deepest nesting of the Dyck task. */
  public static final int DYCK_DEPTH = 4;
  /** Probability of opening a bracket in the Dyck task (when allowed). */
  public static final double DYCK_OPEN = 0.55;

  /** The model of shape {@code m} for a corpus of {@code vocab} tokens (plus a mask token for encoder-only). */
  static TransformerConfig config(ModelSpec m, int vocab, TrainingSettings t, long seed) {
    return switch (m.arch()) {
      case DECODER_ONLY -> TransformerConfig.decoderOnly(m.nLayers(), m.dModel(), m.nHeads(),
          vocab, t.seqLen(), seed);
      case ENCODER_ONLY -> TransformerConfig.encoderOnly(m.nLayers(), m.dModel(), m.nHeads(),
          vocab + 1, t.seqLen(), seed);
      case ENCODER_DECODER -> TransformerConfig.encoderDecoder(m.nLayers(), m.nLayers(),
          m.dModel(), m.nHeads(), vocab, t.seqLen(), seed);
    };
  }

  /**
   * The corpus of {@code t.task()} ({@code docs/tasks.md}): every language is fixed by
   * {@link #LANGUAGE_SEED}, so every original of a study learns the same task.
   */
  public static Corpus corpus(TrainingSettings t) {
    int v = t.vocab();
    return switch (t.task()) {
      case MARKOV -> new MarkovChain(v, 2, SHARPNESS, LANGUAGE_SEED);
      case BIGRAM -> new InContextBigram(v, BIGRAM_ALPHA);
      case HOPS -> new HopRecall(v, HOPS);
      case TEXT -> EuroparlText.load();
      case DYCK -> new DyckLanguage(Math.max(1, v / 2), DYCK_DEPTH, DYCK_OPEN);
      case REVERSE -> new Seq2SeqTask(Seq2SeqTask.Kind.REVERSE, v - 1, LANGUAGE_SEED);
      case TRANSLATE -> Seq2SeqTask.translating(
          new MarkovChain((v - 1) / 2, 1, SHARPNESS, LANGUAGE_SEED), LANGUAGE_SEED);
      case LOOSE -> new LooseTranslation((v - 1) / 2, LOOSENESS, SHARPNESS, LANGUAGE_SEED);
    };
  }

  static int length(OriginalSpec spec) {
    // a causal LM of context T predicts T tokens of a T+1 string; the others fill the context
    return spec.model().arch() == Architecture.DECODER_ONLY ? spec.training().seqLen() + 1
        : spec.training().seqLen();
  }
}
