package dev.ablation.study.plan;

/** A plan class that reaches up into the runner: what {@code PackageLayersTest} must refuse. */
public final class BackArrow {
  private BackArrow() {}

  static String studyName() {
    return dev.ablation.study.run.Study.class.getName();
  }
}
