package dev.ablation.study.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.data.Corpus;
import dev.ablation.samediff.data.EuroparlText;
import dev.ablation.samediff.data.Example;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.Architecture;
import dev.ablation.study.plan.Presets;
import dev.ablation.study.plan.StudyPlan;
import dev.ablation.study.plan.Task;
import dev.ablation.study.plan.TrainingSettings;
import org.junit.jupiter.api.Test;

/** Every task gives the engine a corpus whose strings fit the model the engine builds for it. */
class TaskCorporaTest {

  @Test
  void everyTaskHasACorpusWhoseTokensFitItsVocabulary() {
    for (Task task : Task.values()) {
      TrainingSettings t = TrainingSettings.builder().vocab(task == Task.TRANSLATE ? 17 : 8)
          .seqLen(32).batchSize(8).strings(16).maxEpochs(1).peakRate(1e-3).evalEvery(2)
          .epsilon(0.05).patience(3).budgetFraction(1.0).scratch(false).task(task).build();
      Corpus c = SameDiffStudyEngine.corpus(t);
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
}
