package dev.ablation.study.plan;

/**
 * A named plan, with the one line {@code --help} shows for it.
 *
 * @param name what {@code --preset} takes
 * @param description what it runs and how long it should take
 * @param plan the plan
 */
public record Preset(String name, String description, StudyPlan plan) {
  /** Validates the name. */
  public Preset {
    if (name == null || name.isBlank() || plan == null) {
      throw new IllegalArgumentException("a preset needs a name and a plan");
    }
  }
}
