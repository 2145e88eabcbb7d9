package dev.ablation.spark;

import dev.ablation.study.run.StudyEngine;
import dev.ablation.study.engine.SameDiffStudyEngine;
import java.io.Serializable;

/**
 * Opens a {@link StudyEngine} on an executor. Serialisable, because Spark ships it inside the
 * task closures: the factory crosses the wire, the engine (with its graphs and arrays) never
 * does. Each task opens its own engine and closes it when done.
 */
@FunctionalInterface
public interface EngineFactory extends StudyEngine.Factory, Serializable {

  /** The SameDiff engine, the one {@code ablation.jar study} runs. */
  static EngineFactory sameDiff() {
    return SameDiffStudyEngine::new;
  }
}
