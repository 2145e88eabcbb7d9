package dev.ablation.study.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ablation.samediff.data.CharNgram;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Split;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.Task;
import dev.ablation.study.plan.TrainingSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A text original's like-for-like reference: the best add-k n-gram counted on exactly its
 * training windows, scored on its validation windows; other tasks have none.
 */
class TextReferenceTest {
  @Test
  void aTextOriginalGetsTheNgramOfItsOwnWindowsAndOtherTasksNone() {
    TrainingSettings t = TrainingSettings.builder().task(Task.TEXT).seqLen(32).strings(2000)
        .batchSize(16).build();
    OriginalSpec spec = new OriginalSpec(new ModelSpec(Architecture.DECODER_ONLY, 2, 32, 4), t,
        5);
    Split split = TaskCorpora.corpus(t).split(2000, 64, 33, 11);
    Optional<CharNgram.Choice> c = References.textReference(spec, split);
    assertThat(c).isPresent();
    // better than uniform over the 35 tokens, and the same as CharNgram.best on those windows
    assertThat(c.get().validationLoss()).isLessThan(Math.log(EuroparlText.VOCAB));
    assertThat(c.get()).isEqualTo(CharNgram.best(split.train(), split.validation(),
        EuroparlText.VOCAB));
    OriginalSpec bigram = new OriginalSpec(spec.model(), t.toBuilder().task(Task.BIGRAM)
        .vocab(6).build(), 5);
    assertThat(References.textReference(bigram, split)).isEmpty();
    assertThat(References.wholeTextReference(bigram, split)).isEmpty();
  }

  @Test
  void theWholeCorpusFourGramIsEuroparlsOwnAndBeatsTheLikeForLikeOnSoFewWindows() {
    TrainingSettings t = TrainingSettings.builder().task(Task.TEXT).seqLen(32).strings(2000)
        .batchSize(16).build();
    OriginalSpec spec = new OriginalSpec(new ModelSpec(Architecture.DECODER_ONLY, 2, 32, 4), t,
        5);
    Split split = TaskCorpora.corpus(t).split(2000, 64, 33, 11);
    double whole = References.wholeTextReference(spec, split).orElseThrow();
    assertThat(whole).isEqualTo(EuroparlText.load().ngramLoss(4, split.validation()));
    // 2,000 windows (66 k characters) against 16 M: counting more characters must help
    assertThat(whole).isLessThan(References.textReference(spec, split).orElseThrow()
        .validationLoss());
  }
}
