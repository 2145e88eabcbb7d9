package dev.ablation.study.engine;

import dev.ablation.api.WeightSnapshot;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.NativeMemory;
import dev.ablation.samediff.SessionMemory;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.TrainedOriginal;
import java.util.List;

/** One original in memory: the model (kept at its trained weights between runs) and its data. */
record Loaded(TrainedOriginal trained, SameDiffSurgeon surgeon, WeightSnapshot weights,
    Split split, List<Batch> validation, LossEvaluator.Evaluation evaluation) {
  /**
   * Frees what this original holds off the heap and no one else uses: its graph's session
   * caches, its validation batches and the original's logits. Called when the engine drops
   * it, so the memory goes back then and not at some later garbage collection.
   */
  void release() {
    validation.forEach(Batch::free);
    for (org.nd4j.linalg.api.ndarray.INDArray a : evaluation.logits()) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    releaseSessions(); // last: it trims, giving back everything freed above too
  }

  /**
   * Frees the original's own graph's session caches (its evaluations at the validation
   * batch size, its whole-model training steps) when a run ends. Between runs they are
   * idle, yet they are the largest arrays a worker holds: an evaluation session caches every
   * op output of the last evaluation, and each worker keeps two originals. The next run
   * starts new sessions (one step's reallocation); no loss changes.
   */
  void releaseSessions() {
    SessionMemory.release(trained.model().model().graph());
    NativeMemory.trim();
  }
}
