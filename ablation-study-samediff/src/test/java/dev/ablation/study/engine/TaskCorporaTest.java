package dev.ablation.study.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.LooseTranslation;
import dev.ablation.samediff.data.Split;
import dev.ablation.api.Architecture;
import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.Task;
import dev.ablation.study.plan.TrainingSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every task gives the engine a corpus whose strings fit the model the engine builds for it. */
class TaskCorporaTest {

  @Test
  void everyTaskHasACorpusWhoseTokensFitItsVocabulary() {
    for (Task task : Task.values()) {
      TrainingSettings t = TrainingSettings.builder()
          .vocab(task == Task.TRANSLATE || task == Task.LOOSE ? 17 : 8)
          .seqLen(32).batchSize(8).strings(16).maxEpochs(1).peakRate(1e-3).evalEvery(2)
          .epsilon(0.05).patience(3).budgetFraction(1.0).scratch(false).task(task).build();
      Corpus c = TaskCorpora.corpus(t);
      Split s = c.split(16, 16, t.seqLen() + 1, 1);
      int v = c.vocab();
      if (task == Task.TEXT) {
        assertEquals(EuroparlText.VOCAB, v);
      } else if (task != Task.DYCK) {
        assertEquals(t.vocab(), v, task.key());
      }
      for (Example e : s.validation()) {
        for (int x : e.tokens()) {
          assertTrue(x >= 0 && x < v, task + ": token " + x + " of vocab " + v);
        }
        if (e.isPair()) {
          for (int y : e.target()) {
            assertTrue(y >= 0 && y < v, task + ": target token " + y + " of vocab " + v);
          }
        }
      }
    }
  }

  @Test
  void presetsPlanOnlyTasksTheirArchitecturesCanLearn() {
    for (var p : Presets.ALL) {
      StudyPlan plan = p.plan();
      assertTrue(plan.problems().isEmpty(), p.name() + ": " + plan.problems());
      for (Architecture a : plan.archs()) {
        assertTrue(plan.training().task().appliesTo(a), p.name());
      }
    }
  }

  /**
   * {@code --task loose} parses and trains encoder-decoders only; the engine builds the loose
   * translation of {@code (V − 1) / 2} symbols at the study's q, whose floor (recorded in the
   * manifests of encoder-decoder runs, every target token of a {@code seqLen} source) lies
   * below the best source-blind decoder's, which lies below uniform guessing.
   */
  @Test
  void looseParsesAndIsTheLooseTranslationWithItsFloorRecorded() {
    assertEquals(Optional.of(Task.LOOSE), Task.byKey(" Loose "));
    assertTrue(Task.LOOSE.isSeq2Seq());
    assertTrue(Task.LOOSE.appliesTo(Architecture.ENCODER_DECODER));
    assertFalse(Task.LOOSE.appliesTo(Architecture.DECODER_ONLY));
    assertTrue(Task.keysFor(Architecture.ENCODER_DECODER).contains("loose"));
    TrainingSettings t = TrainingSettings.builder().task(Task.LOOSE).vocab(17).seqLen(12)
        .batchSize(8).strings(16).maxEpochs(1).peakRate(1e-3).evalEvery(2).epsilon(0.05)
        .patience(3).budgetFraction(1.0).scratch(false).build();
    LooseTranslation c = (LooseTranslation) TaskCorpora.corpus(t);
    assertEquals(8, c.symbols());
    assertEquals(17, c.vocab());
    assertEquals(TaskCorpora.LOOSENESS, c.q());
    double floor = c.lossFloor(12).getAsDouble();
    assertTrue(floor < c.priorOnlyFloor(12) && c.priorOnlyFloor(12) < Math.log(17),
        "floor " + floor + " prior-only " + c.priorOnlyFloor(12));
    OriginalSpec encdec = new OriginalSpec(new ModelSpec(Architecture.ENCODER_DECODER, 2, 32, 4),
        t, 1);
    assertEquals(floor, References.lossFloor(encdec).getAsDouble(), 1e-15);
    TrainingSettings markov = t.toBuilder().task(Task.MARKOV).vocab(8).build();
    assertTrue(References.lossFloor(new OriginalSpec(
        new ModelSpec(Architecture.ENCODER_ONLY, 2, 32, 4), markov, 1)).isEmpty(),
        "a masked LM's loss has no corpus floor");
    assertEquals(TaskCorpora.corpus(markov).lossFloor(13).getAsDouble(),
        References.lossFloor(new OriginalSpec(
            new ModelSpec(Architecture.DECODER_ONLY, 2, 32, 4), markov, 1)).getAsDouble(),
        1e-15, "a causal LM of context 12 predicts 12 tokens of a 13-token string");
  }
}
