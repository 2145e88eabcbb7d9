package dev.ablation.examples.arch.loop;

/** The other half of {@code NoImportLoopTest}'s loop: reaches back into the test's package (its {@code LoopA}). */
public final class LoopB {
  private LoopB() {}

  /** Depends on a class of the package that depends on this one. */
  public static final class Inner {
    Object back() {
      return new dev.ablation.examples.arch.NoImportLoopTest.LoopA();
    }
  }
}
