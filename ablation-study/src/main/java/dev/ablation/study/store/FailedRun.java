package dev.ablation.study.store;

import dev.ablation.study.plan.RunKey;

/**
 * A run that threw instead of ending with a verdict. It is stored like a finished run (its own
 * record file {@code runs/<hash>.json}, so a resumed or resubmitted study does not run it
 * again) and written as a row of {@code results.csv} with verdict {@value #VERDICT} and empty
 * numbers; the error is in the record, in {@code results.json} ({@code failed}) and in the
 * report. A study-level outcome: the API's {@code Verdict} describes recoveries that ran, and a
 * failed run has no damage, curve or manifest. To run it again, delete its record file.
 *
 * @param key the run
 * @param error the exception's class and message, and where it happened
 */
public record FailedRun(RunKey key, String error) {
  /** The {@code verdict} column of a failed run. */
  public static final String VERDICT = "FAILED";

  /** Validates that both parts are present. */
  public FailedRun {
    if (key == null || error == null || error.isBlank()) {
      throw new IllegalArgumentException("a failed run needs its key and an error text, got "
          + key + ", " + error);
    }
  }
}
