package dev.ablation.spark;

import dev.ablation.study.plan.OriginalSpec;
import java.io.Serializable;

/**
 * Stage 1 of a Spark study, one task: train one original (or find it in the shared cache) and
 * measure its {@code T_scratch}, leaving both under {@code out}.
 *
 * @param spec the original
 * @param out the study's output directory, on a filesystem every executor sees
 */
public record OriginalTask(OriginalSpec spec, String out) implements Serializable {
  private static final long serialVersionUID = 1L;
}
