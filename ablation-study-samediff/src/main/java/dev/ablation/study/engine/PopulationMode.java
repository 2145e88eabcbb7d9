package dev.ablation.study.engine;

/** Whether recoveries of one original may run in populations (K runs in one graph). */
public enum PopulationMode {
  /** One recovery at a time (the default: see {@link Populations#fromSystemProperty()}). */
  NEVER,
  /** Populations where a calibration on the original measures them faster. */
  AUTO,
  /** Populations wherever the runs allow them, unmeasured (tests, benchmarks). */
  ALWAYS
}
